/**
 * The central DNS account's half: the exact trust and permission documents its owners apply, as a stack output
 * and a section of the plan, built from this stack's role ARNs and the same rights the roles would have in this
 * account.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { certManagerPolicy } from "../components/certManager/policy";
import { centralDnsRoleDocuments } from "../components/dns/centralRoles";
import { externalDnsPolicy } from "../components/externalDns/policy";
import type { Capture } from "../offline/harness";
import type { Run } from "./helpers/cli";
import { edited, load } from "./helpers/config";
import { derivedStackFile, planStack, runPlan } from "./helpers/stacks";
import { roleArn } from "./helpers/program";

const ED = "arn:aws:iam::111111111111:role/dev-external-dns-central-platform";
const CM = "arn:aws:iam::111111111111:role/dev-cert-manager-platform";

describe("the documents", () => {
  const prod = load(edited("prod", {}), "prod");
  const central = prod.dns.centralDnsAccount!;
  const instance = prod.externalDns.find((e) => e.name === "central")!;
  const zones = prod.certManager.dns01Zones;
  const docs = centralDnsRoleDocuments({
    central,
    partition: "aws",
    externalDns: { sourceRoleArn: ED, instance },
    certManager: { sourceRoleArn: CM, zones },
  });

  test("external-dns's role trusts this stack's external-dns-central role, with the external ID", () => {
    assert.deepEqual(docs[central.externalDnsRoleArn].trustPolicy.Statement, [
      {
        Sid: "ExternalDnsOfStack",
        Effect: "Allow",
        Principal: { AWS: ED },
        // EKS Pod Identity's session tags are transitive (EKS user guide, pod-id-abac, "Cross-account tags").
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { StringEquals: { "sts:ExternalId": central.externalId! } },
      },
    ]);
  });

  test("external-dns's rights there are zone-scoped, as they would be on zones of this account", () => {
    const own = externalDnsPolicy({ ...instance, assumeRole: undefined }, "aws");
    assert.deepEqual(docs[central.externalDnsRoleArn].permissionsPolicy, own);
    const write = own.Statement.find((s) => s.Action.includes("route53:ChangeResourceRecordSets"))!;
    assert.deepEqual(
      write.Resource,
      instance.zoneIds.map((id) => `arn:aws:route53:::hostedzone/${id}`),
    );
  });

  test("cert-manager's role trusts this stack's cert-manager role, and may only touch ACME TXT records", () => {
    const doc = docs[central.certManagerRoleArn];
    assert.deepEqual(doc.trustPolicy.Statement, [
      {
        Sid: "CertManagerOfStack",
        Effect: "Allow",
        Principal: { AWS: CM },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ]);
    const local = zones.map((z) => ({ ...z, roleArn: undefined }));
    assert.deepEqual(
      doc.permissionsPolicy,
      certManagerPolicy(local, { allZonesPinned: true, partition: "aws" }),
    );
    const write = doc.permissionsPolicy.Statement.find((s) => s.Sid === "WriteAcmeChallengeRecords")!;
    assert.deepEqual(
      write.Condition?.["ForAllValues:StringEquals"]?.["route53:ChangeResourceRecordSetsRecordTypes"],
      ["TXT"],
    );
    assert.ok(!doc.permissionsPolicy.Statement.some((s) => s.Action.includes("sts:AssumeRole")));
  });

  test("one shared role without an external ID gets both trusts and both sets of rights", () => {
    const shared = {
      externalDnsRoleArn: central.externalDnsRoleArn,
      certManagerRoleArn: central.externalDnsRoleArn,
    };
    const one = centralDnsRoleDocuments({
      central: shared,
      partition: "aws-cn",
      externalDns: { sourceRoleArn: ED, instance },
      certManager: { sourceRoleArn: CM, zones },
    });
    assert.deepEqual(Object.keys(one), [central.externalDnsRoleArn]);
    const doc = one[central.externalDnsRoleArn];
    assert.deepEqual(
      doc.trustPolicy.Statement.map((s) => [s.Sid, s.Principal, s.Condition]),
      [
        ["ExternalDnsOfStack", { AWS: ED }, undefined],
        ["CertManagerOfStack", { AWS: CM }, undefined],
      ],
    );
    const sids = doc.permissionsPolicy.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length, "statement IDs stay unique");
    assert.ok(JSON.stringify(doc.permissionsPolicy).includes("arn:aws-cn:route53:::change/*"));
  });

  test("nothing for cert-manager when no DNS-01 zone lives in the DNS account", () => {
    const only = centralDnsRoleDocuments({
      central,
      partition: "aws",
      externalDns: { sourceRoleArn: ED, instance },
      certManager: { sourceRoleArn: CM, zones: [] },
    });
    assert.deepEqual(Object.keys(only), [central.externalDnsRoleArn]);
  });
});

describe("the output and the plan", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "central-dns-"));
  let prod: Capture;
  let dev: Capture;
  let printed: Run;
  before(async () => {
    [prod, dev, printed] = await Promise.all([
      planStack("prod", out),
      planStack("dev", out),
      runPlan(["prod", "--out", path.join(out, "printed")]),
    ]);
  });

  test("prod exports both roles' documents, naming this stack's roles", () => {
    const roles = prod.outputs.centralDnsRoles as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(roles).sort(), [
      "arn:aws:iam::222222222222:role/prod-eks-cert-manager",
      "arn:aws:iam::222222222222:role/prod-eks-external-dns",
    ]);
    const trust = JSON.parse(roles["arn:aws:iam::222222222222:role/prod-eks-external-dns"].trustPolicy) as {
      Statement: { Principal: { AWS: string } }[];
    };
    // The ARN IAM will give the role (its account is the cluster's), not a value known only after apply.
    assert.equal(
      trust.Statement[0].Principal.AWS,
      "arn:aws:iam::(account-id):role/prod-external-dns-central-platform",
    );
    assert.ok(!JSON.stringify(roles).includes(roleArn("prod-external-dns-central-platform")));
  });

  test("a stack without a central DNS account exports none", () => {
    assert.deepEqual(dev.outputs.centralDnsRoles, {});
    const withRole = derivedStackFile(out, "devcentral", "dev", {
      "dns.centralDnsAccount": { externalDnsRoleArn: "arn:aws:iam::222222222222:role/dns" },
    });
    return planStack("devcentral", out, withRole).then((c) => {
      const roles = c.outputs.centralDnsRoles as Record<string, Record<string, string>>;
      // No external ID: cert-manager shares the role, which trusts both of this stack's roles.
      const trust = JSON.parse(roles["arn:aws:iam::222222222222:role/dns"].trustPolicy) as {
        Statement: unknown[];
      };
      assert.equal(trust.Statement.length, 2);
    });
  });

  test("the plan prints the documents in a section of their own", () => {
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /\nCentral DNS account: create these roles there/);
    assert.match(
      printed.stdout,
      /\n {2}arn:aws:iam::222222222222:role\/prod-eks-cert-manager\n {4}trustPolicy:\n/,
    );
    assert.match(printed.stdout, /"sts:ExternalId": "prod-eks-platform"/);
  });
});
