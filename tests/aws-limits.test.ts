/**
 * What AWS refuses, refused (or avoided) before anything is created: partitions the program does not support,
 * GovCloud's rule for alias records in private zones, and IAM's limits on descriptions, tags and policy sizes.
 *
 * Sources: boto/botocore botocore/data/partitions.json (commit 3fb2049: each partition's regionRegex and
 * dnsSuffix); AWS GovCloud (US) User Guide, Amazon Route 53
 * (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-r53.html: in a private hosted zone an
 * alias may only target a record of the same zone) and kubernetes-sigs/external-dns v0.21.0
 * provider/aws/aws.go (`useAlias`: ALIAS for every target in a canonical hosted zone, GovCloud ELBs included,
 * unless `--aws-prefer-cname`); IAM API reference CreateRole (Description pattern), Tag (key and value
 * patterns), and the IAM user guide "IAM and AWS STS quotas" (managed policy 6,144 characters without
 * whitespace, 50 tags per resource).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { awsPartitionOf, dnsSuffixOf } from "../model/partition";
import type { Capture } from "../offline/harness";
import { assertOneProblem, load, problems, setPath, stackValues, toPulumiConfig } from "./helpers/config";
import { T, valuesOf } from "./helpers/program";
import { planStack, writeStackFile } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "aws-limits-"));

/** dev moved to GovCloud with private zones only (Route53 has no public zones there). */
function govCloudPrivateOnly(): Record<string, unknown> {
  const v = JSON.parse(
    JSON.stringify(stackValues("dev"))
      .replaceAll("arn:aws:", "arn:aws-us-gov:")
      .replaceAll("eu-west-1", "us-gov-west-1"),
  ) as Record<string, unknown>;
  delete (v.dns as Record<string, unknown>).publicZones;
  return v;
}

let gov: Capture;
let dev: Capture;
let sixty: Capture;
before(async () => {
  const withSixty = stackValues("dev");
  setPath(withSixty, "dns.privateZones", privateZones(60));
  [gov, dev, sixty] = await Promise.all([
    planStack("govprivate", out, writeStackFile(out, "govprivate", govCloudPrivateOnly())),
    planStack("dev", out),
    planStack("sixtyzones", out, writeStackFile(out, "sixtyzones", withSixty)),
  ]);
});

describe("partitions", () => {
  const iso: [string, string, string][] = [
    ["us-iso-east-1", "aws-iso", "c2s.ic.gov"],
    ["us-iso-west-1", "aws-iso", "c2s.ic.gov"],
    ["us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"],
    ["eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk"],
    ["us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov"],
  ];
  for (const [region, partition, suffix] of iso) {
    test(`${region} is named as ${partition} and refused, not planned as aws`, () => {
      const values = stackValues("dev");
      values["aws:region"] = region;
      delete (values.cluster as Record<string, unknown>).oidcProviderArn;
      const p = assertOneProblem(
        toPulumiConfig(values),
        "aws:region",
        new RegExp(
          `^a region of partition aws, aws-cn, aws-us-gov: ${region} is in partition ${partition} \\(endpoints under ${suffix.replaceAll(".", "\\.")}\\), which this program does not support$`,
        ),
      );
      assert.equal(p.value, region);
    });
  }

  test("the supported partitions keep their regions and suffixes", () => {
    assert.deepEqual(
      ["eu-west-1", "us-east-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1"].map(
        (r) => awsPartitionOf(r).name,
      ),
      ["aws", "aws", "aws-cn", "aws-cn", "aws-us-gov", "aws-us-gov"],
    );
    assert.deepEqual((["aws", "aws-cn", "aws-us-gov"] as const).map(dnsSuffixOf), [
      "amazonaws.com",
      "amazonaws.com.cn",
      "amazonaws.com",
    ]);
  });
});

describe("GovCloud with private zones only", () => {
  test("plans, and external-dns writes CNAMEs there instead of ALIAS records", () => {
    const releases = gov.resources.filter((r) => r.type === T.release).map((r) => r.name);
    assert.ok(releases.includes("external-dns-private"));
    assert.ok(!releases.includes("external-dns-central"), "no public zones, no central instance");
    const args = valuesOf(gov, "external-dns-private").extraArgs as string[];
    assert.ok(args.includes("--aws-prefer-cname"), args.join(" "));
  });

  test("elsewhere external-dns keeps ALIAS records (the flag only where AWS needs it)", () => {
    for (const release of ["external-dns-private", "external-dns-central"]) {
      const args = valuesOf(dev, release).extraArgs as string[];
      assert.ok(!args.includes("--aws-prefer-cname"), `${release}: ${args.join(" ")}`);
    }
  });
});

/** `n` private zones with IDs as long as Route53 makes them (Z + 20 characters). */
function privateZones(n: number): { name: string; zoneId: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `team${String(i).padStart(3, "0")}.internal.example.com`,
    zoneId: `Z${String(i).padStart(3, "0")}PRIVATEZONEABCDEFG`,
  }));
}

describe("IAM's limits, before anything is created", () => {
  test("a role description IAM refuses (an em dash) is named with its key", () => {
    const values = stackValues("dev");
    setPath(values, "iam.extraRoles.orders-api.description", "Orders API \u2014 consumes its queue");
    const p = assertOneProblem(
      toPulumiConfig(values),
      "eks-platform:iam.extraRoles.orders-api.description",
      /Latin-1 characters only \(IAM's CreateRole pattern\): "\u2014" \(U\+2014\) is not one/,
    );
    assert.equal(p.value, "Orders API \u2014 consumes its queue");
    // Latin-1 letters are fine: the pattern allows U+00A1 to U+00FF.
    setPath(values, "iam.extraRoles.orders-api.description", "Bestellungen, Zähler und Grüße");
    assert.doesNotThrow(() => load(toPulumiConfig(values)));
  });

  test("tags outside IAM's character set, or more than 50, are refused", () => {
    const refused = (tags: Record<string, string>) =>
      problems(toPulumiConfig({ ...stackValues("dev"), tags }));
    const key = refused({ "cost#center": "4711" });
    assert.deepEqual(
      key.map((p) => [p.key, p.value]),
      [["eks-platform:tags.cost#center", "cost#center"]],
    );
    assert.match(key[0].expected, /IAM's tag pattern/);
    assert.match(refused({ owner: "platform!" })[0].expected, /IAM's tag pattern/);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    assert.match(refused(many)[0].expected, /at most 50 tags/);
    // A cluster this stack creates gets @pulumi/eks's Name tag on top (v4.3.0 nodejs/eks/cluster/cluster.ts).
    const fiftyPlain = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    const created = { mode: "new", name: "sandbox-eks", vpcId: "vpc-0123456789abcdef0" };
    assert.deepEqual(
      problems(toPulumiConfig({ ...stackValues("dev"), tags: fiftyPlain, cluster: created })).map((p) => [
        p.key,
        p.expected,
      ]),
      [
        [
          "eks-platform:tags",
          "at most 49 tags besides Name with cluster.mode: new: @pulumi/eks adds a Name tag to the cluster, and AWS allows 50 per resource",
        ],
      ],
    );
    const withName = { ...fiftyPlain, Name: "sandbox" };
    delete (withName as Record<string, string>).k0;
    assert.doesNotThrow(() =>
      load(toPulumiConfig({ ...stackValues("dev"), tags: withName, cluster: created })),
    );
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v é:/=+-@_."]));
    assert.doesNotThrow(() => load(toPulumiConfig({ ...stackValues("dev"), tags: fifty })));
  });

  test("a policy text IAM refuses (a character above U+00FF) is named", () => {
    const values = stackValues("dev");
    setPath(values, "iam.extraRoles.orders-api.statements[0].conditions", {
      StringEquals: { "aws:PrincipalTag/team": "orders\u2192api" },
    });
    assertOneProblem(
      toPulumiConfig(values),
      "eks-platform:iam.extraRoles.orders-api.statements",
      /Latin-1 characters only .*"\u2192" \(U\+2192\) is in the policy of role dev-orders-api-orders/,
    );
  });

  test("a stack with 60 private zones plans: external-dns lists each zone once, within 6,144 characters", () => {
    const policy = (sixty.resources.find(
      (r) => r.type === T.policy && r.name === "dev-external-dns-private-platform",
    )?.inputs.policy ?? "") as string;
    const size = policy.replace(/\s/g, "").length;
    assert.ok(size > 0 && size <= 6144, `policy of ${size} characters`);
    for (const zone of privateZones(60)) {
      assert.equal(policy.split(`hostedzone/${zone.zoneId}"`).length - 1, 1, zone.zoneId);
    }
  });

  test("zones past what one managed policy holds are refused with the size, at config time", () => {
    const values = stackValues("dev");
    setPath(values, "dns.privateZones", privateZones(140));
    const found = problems(toPulumiConfig(values));
    assert.deepEqual(
      found.map((p) => p.key),
      ["eks-platform:externalDns.private.zoneIds"],
    );
    assert.match(
      found[0].expected,
      /managed policy of role dev-external-dns-private-platform would have \d{4} characters without whitespace, and IAM allows 6144/,
    );
  });
});
