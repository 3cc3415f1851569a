/**
 * Every AWS partition end to end: one stack per partition (aws, aws-cn, aws-us-gov), derived from the real ones
 * and planned as a user would. Every ARN the plan holds (policies, trusts, outputs, look-ups) is in the region's
 * partition, the IRSA audience is `sts.amazonaws.com` and the Pod Identity principal `pods.eks.amazonaws.com` in
 * each (see /docs/identity.md), and config validation rejects what a partition cannot do.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type { Partition } from "../model/enums";
import type { Capture } from "../offline/harness";
import { assertOneProblem, problems, stackValues, toPulumiConfig } from "./helpers/config";
import { planStack, writeStackFile } from "./helpers/stacks";
import { T, json } from "./helpers/program";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "partitions-"));

/** A real stack's values moved to another region: every ARN and region name in it follows. */
function moved(base: string, region: string, partition: Partition): Record<string, unknown> {
  const text = JSON.stringify(stackValues(base))
    .replaceAll("arn:aws:", `arn:${partition}:`)
    .replaceAll("eu-west-1", region)
    .replaceAll(".amazonaws.com/", partition === "aws-cn" ? ".amazonaws.com.cn/" : ".amazonaws.com/");
  return JSON.parse(text) as Record<string, unknown>;
}

const stacks: Record<Partition, { base: string; region: string; values: () => Record<string, unknown> }> = {
  aws: { base: "dev", region: "eu-west-1", values: () => stackValues("dev") },
  // prod: the central DNS account and an OIDC provider derived from the cluster look-up.
  "aws-cn": { base: "prod", region: "cn-north-1", values: () => moved("prod", "cn-north-1", "aws-cn") },
  // GovCloud has no public hosted zones: private zones only, HTTP-01 for public names, EKS Pod Identity.
  "aws-us-gov": {
    base: "dev",
    region: "us-gov-west-1",
    values: () => {
      const v = moved("dev", "us-gov-west-1", "aws-us-gov");
      delete (v.dns as Record<string, unknown>).publicZones;
      v.iam = { ...(v.iam as Record<string, unknown>), binding: "pod-identity" };
      return v;
    },
  },
};

const plans: Partial<Record<Partition, Capture>> = {};

before(async () => {
  await Promise.all(
    (Object.keys(stacks) as Partition[]).map(async (partition) => {
      const name = `part-${partition}`;
      const file = writeStackFile(out, name, stacks[partition].values());
      plans[partition] = await planStack(name, out, file);
    }),
  );
});

/** Every `arn:<partition>:` in a plan, JSON-encoded documents included. */
const arnPartitions = (capture: Capture): string[] =>
  [...JSON.stringify(capture).matchAll(/arn:([a-z-]+):/g)].map((m) => m[1]);

/** Every statement of every role's trust policy. */
function trustStatements(capture: Capture): Record<string, unknown>[] {
  return capture.resources
    .filter((r) => r.type === T.role)
    .flatMap((r) => (json(r.inputs.assumeRolePolicy) as { Statement: Record<string, unknown>[] }).Statement);
}

describe("each partition planned end to end", () => {
  for (const partition of Object.keys(stacks) as Partition[]) {
    test(`${partition}: every ARN in the plan is in partition ${partition}`, () => {
      const found = arnPartitions(plans[partition]!);
      assert.ok(found.length > 0, "the plan holds ARNs");
      assert.deepEqual([...new Set(found)], [partition]);
    });

    test(`${partition}: trusts use the audience and principal EKS uses in every partition`, () => {
      const statements = trustStatements(plans[partition]!);
      assert.ok(statements.length > 0);
      for (const st of statements) {
        const principal = st.Principal as Record<string, string>;
        if (principal.Federated) {
          assert.match(principal.Federated, new RegExp(`^arn:${partition}:iam::`));
          const equals = (st.Condition as Record<string, Record<string, string>>).StringEquals;
          const aud = Object.entries(equals).find(([k]) => k.endsWith(":aud"));
          assert.deepEqual(aud?.[1], "sts.amazonaws.com");
        } else {
          assert.equal(principal.Service, "pods.eks.amazonaws.com");
        }
      }
    });
  }

  test("aws-cn: Route53 rights name the China partition's zones and changes", () => {
    const policies = plans["aws-cn"]!.resources.filter((r) => r.type === T.policy).map(
      (r) => r.inputs.policy,
    );
    assert.ok(
      policies.some((p) => String(p).includes("arn:aws-cn:iam::222222222222:role/prod-eks-external-dns")),
    );
    const oidc = trustStatements(plans["aws-cn"]!).find(
      (s) => (s.Principal as Record<string, string>).Federated,
    );
    assert.match(
      (oidc!.Principal as Record<string, string>).Federated,
      /^arn:aws-cn:iam::\(account-id\):oidc-provider\/oidc\.eks\.cn-north-1\.amazonaws\.com\.cn\/id\//,
    );
  });

  test("aws-us-gov: only the private external-dns instance, and Pod Identity roles", () => {
    const gov = plans["aws-us-gov"]!;
    const releases = gov.resources.filter((r) => r.type === T.release).map((r) => r.name);
    assert.ok(releases.includes("external-dns-private"));
    assert.ok(!releases.includes("external-dns-central"));
    assert.ok(gov.resources.some((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation"));
  });

  test("aws: dev's Route53 rights are in the commercial partition", () => {
    const policies = plans
      .aws!.resources.filter((r) => r.type === T.policy)
      .map((r) => String(r.inputs.policy));
    assert.ok(policies.some((p) => p.includes("arn:aws:route53:::hostedzone/Z01234567DEVPUBLIC01")));
  });
});

describe("what a partition cannot do is a config error", () => {
  test("public zones in aws-us-gov: Route53 has none there", () => {
    const values = moved("dev", "us-gov-west-1", "aws-us-gov");
    const p = assertOneProblem(
      toPulumiConfig(values),
      "eks-platform:dns.publicZones",
      /no public zones in aws-us-gov: Route53 has no public hosted zones in AWS GovCloud/,
    );
    assert.deepEqual(p.value, ["dev.example.com"]);
  });

  test("an ARN of another partition than the region's is named with its key", () => {
    const values = moved("prod", "cn-north-1", "aws-cn");
    (values.ecr as { repositoryArns: string[] }).repositoryArns[1] =
      "arn:aws:ecr:cn-north-1:444444444444:repository/shared/base-images";
    const found = problems(toPulumiConfig(values), "prod");
    assert.deepEqual(
      found.map((p) => [p.key, p.expected]),
      [
        [
          "eks-platform:ecr.repositoryArns[1]",
          "an ARN of partition aws-cn (arn:aws-cn:...), the partition of aws:region cn-north-1",
        ],
      ],
    );
  });
});
