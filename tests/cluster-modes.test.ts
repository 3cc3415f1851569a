/**
 * The other ways to reach a cluster, planned from stack files derived from the real ones: a cluster created here
 * with @pulumi/eks, and an existing cluster whose OIDC provider this program creates (protected in prod).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type { Capture, CapturedResource } from "../offline/harness";
import { derivedStackFile, planStack } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-modes-"));

const planWith = (base: string, name: string, changes: Record<string, unknown>): Promise<Capture> =>
  planStack(name, out, derivedStackFile(out, name, base, changes));

const find = (c: Capture, type: string, name: string): CapturedResource => {
  const r = c.resources.find((x) => x.type === type && x.name === name);
  assert.ok(r, `${type} ${name}`);
  return r;
};

let created: Capture;
let withProvider: Capture;
before(async () => {
  [created, withProvider] = await Promise.all([
    planWith("dev", "selfcontained", {
      cluster: {
        mode: "new",
        name: "sandbox-eks",
        version: "1.34",
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
      },
    }),
    planWith("prod", "prodoidc", { "cluster.createOidcProvider": true }),
  ]);
});

describe("a new cluster", () => {
  test("is created with @pulumi/eks with its OIDC provider, and nothing is looked up", () => {
    const cluster = find(created, "eks:index:Cluster", "sandbox-eks");
    assert.equal(cluster.inputs.createOidcProvider, true);
    assert.equal(cluster.inputs.name, "sandbox-eks");
    assert.equal(cluster.inputs.version, "1.34");
    assert.equal(cluster.inputs.instanceType, "t3.medium");
    assert.deepEqual(
      [cluster.inputs.minSize, cluster.inputs.desiredCapacity, cluster.inputs.maxSize],
      [1, 2, 3],
    );
    assert.equal(cluster.protect, false);
    assert.deepEqual(created.invokes, []);
  });

  test("the Kubernetes provider and every trust policy come from the new cluster", () => {
    const provider = find(created, "pulumi:providers:kubernetes", "sandbox-eks-k8s");
    assert.deepEqual(provider.inputsFrom, ["eks:index:Cluster::sandbox-eks"]);
    const role = find(created, "aws:iam/role:Role", "dev-cert-manager-platform");
    assert.deepEqual(role.inputsFrom, ["eks:index:Cluster::sandbox-eks"]);
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as {
      Statement: { Condition: { StringEquals: object } }[];
    };
    assert.deepEqual(Object.keys(trust.Statement[0].Condition.StringEquals), [
      "oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id):sub",
      "oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id):aud",
    ]);
    assert.equal(created.outputs.clusterName, "sandbox-eks");
  });
});

describe("an OIDC provider created for an existing cluster", () => {
  test("is made for the cluster's issuer with the STS audience, protected in prod", () => {
    const provider = find(
      withProvider,
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "prod-eks-oidc",
    );
    assert.equal(provider.protect, true);
    assert.equal(provider.inputs.url, "https://oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id)");
    assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.deepEqual(
      withProvider.invokes.map((i) => i.token),
      ["aws:eks/getCluster:getCluster"],
      "no look-up of a provider that this program creates",
    );
    const role = find(withProvider, "aws:iam/role:Role", "prod-external-dns-private-platform");
    assert.ok(role.inputsFrom.includes("aws:iam/openIdConnectProvider:OpenIdConnectProvider::prod-eks-oidc"));
  });
});
