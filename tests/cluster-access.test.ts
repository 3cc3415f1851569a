/**
 * Reaching the cluster as a real account behaves: an existing cluster's IAM OIDC provider is looked up (and its
 * absence stops the program with what to create), a created cluster gets an OIDC provider only when a role uses
 * IRSA, and a created cluster grants the configured principals access through EKS access entries.
 *
 * Sources: EKS user guide "Create an IAM OIDC provider for your cluster" (an IAM OIDC provider must exist for
 * the issuer for IRSA); terraform-provider-aws internal/service/iam/openid_connect_provider_data_source.go (the
 * look-up by URL, NotFound when none matches); @pulumi/eks v4.3.0 nodejs/eks/cluster/authenticationMode.ts
 * (access entries need authentication mode API or API_AND_CONFIG_MAP).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { missingOidcProviderMessage, oidcProviderAudienceProblem } from "../components/cluster/oidcProvider";
import { resolveCluster } from "../components/cluster/resolve";
import { tierDefaults } from "../model/defaults";
import { Problems } from "../model/problems";
import { runProgram, type Capture } from "../offline/harness";
import { runTool } from "./helpers/cli";
import { assertOneProblem, edited, load, problems, stackValues, toPulumiConfig } from "./helpers/config";
import { T, json } from "./helpers/program";
import { derivedStackFile, planStack } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-access-"));
const ISSUER_URL = "https://oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id)";
const LOOKUP = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";
const newCluster = { mode: "new", name: "sandbox-eks", version: "1.34", vpcId: "vpc-0123456789abcdef0" };

let prod: Capture;
let podIdentityOnly: Capture;
let irsaCreated: Capture;
let withAccess: Capture;
const ENTRIES = {
  deploy: {
    principalArn: "arn:aws:iam::111111111111:role/ci/eks-platform-deploy",
    accessPolicy: "AmazonEKSClusterAdminPolicy",
  },
  preview: {
    principalArn: "arn:aws:iam::111111111111:role/eks-platform-preview",
    accessPolicy: "AmazonEKSAdminViewPolicy",
  },
  oncall: {
    principalArn: "arn:aws:iam::111111111111:user/alice",
    accessPolicy: "AmazonEKSEditPolicy",
    namespaces: ["platform"],
    kubernetesGroups: ["platform-oncall"],
  },
};
before(async () => {
  [prod, podIdentityOnly, irsaCreated, withAccess] = await Promise.all([
    planStack("prod", out),
    planStack(
      "newpodid",
      out,
      derivedStackFile(out, "newpodid", "dev", {
        cluster: newCluster,
        "iam.binding": "pod-identity",
        "iam.installPodIdentityAgent": true,
      }),
    ),
    planStack("newirsa", out, derivedStackFile(out, "newirsa", "dev", { cluster: newCluster })),
    planStack(
      "newaccess",
      out,
      derivedStackFile(out, "newaccess", "dev", { cluster: { ...newCluster, accessEntries: ENTRIES } }),
    ),
  ]);
});

const federated = (c: Capture): string[] =>
  c.resources
    .filter((r) => r.type === T.role)
    .flatMap(
      (r) =>
        (json(r.inputs.assumeRolePolicy) as { Statement: { Principal: Record<string, string> }[] }).Statement,
    )
    .map((s) => s.Principal.Federated)
    .filter((f) => f !== undefined);

describe("an existing cluster's IAM OIDC provider", () => {
  test("is looked up by the cluster's issuer URL, and the roles trust the provider found", () => {
    const lookups = prod.invokes.filter((i) => i.token === LOOKUP);
    assert.deepEqual(lookups, [{ token: LOOKUP, inputs: { url: ISSUER_URL } }]);
    const trusted = [...new Set(federated(prod))];
    // The mock's answer: the ARN IAM gives the provider of that URL in the caller's account.
    assert.deepEqual(trusted, [
      "arn:aws:iam::(account-id):oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id)",
    ]);
  });

  test("that the account lacks stops the program, reported once, saying what to create", async () => {
    // In a process of its own: the failed run's rejections go unhandled, as under the language host.
    const run = await runTool("tests/fixtures/missing-oidc-provider.ts", []);
    assert.equal(run.code, 1, "the program must not pass when the provider does not exist");
    const reported = run.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { message: string; runError: boolean; times: number });
    // Every input the ARN reaches rethrows the same error, and the language host reports an error once.
    assert.equal(reported.length, 1, run.stderr);
    const [{ message, runError }] = reported;
    assert.equal(runError, true, "a RunError: printed without a stack trace");
    assert.equal(
      message,
      missingOidcProviderMessage(
        { clusterName: "prod-eks", region: "eu-west-1", issuerUrl: ISSUER_URL },
        "eks-platform",
        `reading IAM OIDC Provider (${ISSUER_URL}): couldn't find resource`,
      ),
      "the message as written, without the SDK's property prefixes",
    );
    assert.match(
      message,
      /eksctl utils associate-iam-oidc-provider --cluster prod-eks --region eu-west-1 --approve/,
    );
    assert.match(message, /aws iam create-open-id-connect-provider --url https:\/\/oidc\.eks/);
    assert.match(message, /eks-platform:cluster\.createOidcProvider: true/);
  });

  test("a provider without the STS audience is named with the command that adds it", () => {
    const facts = { clusterName: "c", region: "eu-west-1", issuerUrl: ISSUER_URL };
    assert.equal(
      oidcProviderAudienceProblem(facts, "arn:aws:iam::1:oidc-provider/x", ["sts.amazonaws.com"]),
      undefined,
    );
    assert.match(
      oidcProviderAudienceProblem(facts, "arn:aws:iam::1:oidc-provider/x", ["other"]) ?? "",
      /does not list the audience sts\.amazonaws\.com \(it lists other\).*add-client-id-to-open-id-connect-provider/,
    );
  });

  test("is neither looked up nor needed when every role uses Pod Identity", async () => {
    const capture = await runProgram({
      stack: "prod",
      config: edited("prod", { "iam.binding": "pod-identity" }),
      missing: [LOOKUP],
    });
    assert.deepEqual(
      capture.invokes.map((i) => i.token),
      ["aws:eks/getCluster:getCluster"],
    );
  });
});

describe("a cluster this stack creates", () => {
  test("keeps its IAM OIDC provider when every role here uses Pod Identity: other IRSA roles may need it", () => {
    // Deciding it from this stack's roles would delete the provider (and break every IRSA role on the cluster) the
    // day the last role here moves to Pod Identity; turning it off is an explicit cluster.createOidcProvider: false.
    const cluster = (c: Capture) => c.resources.find((r) => r.type === "eks:index:Cluster")!;
    assert.equal(cluster(podIdentityOnly).inputs.createOidcProvider, true);
    assert.deepEqual(federated(podIdentityOnly), []);
    assert.equal(cluster(irsaCreated).inputs.createOidcProvider, true);
  });

  test("cluster.createOidcProvider: false is refused while a role uses IRSA, and allowed with Pod Identity only", () => {
    const off = { ...newCluster, createOidcProvider: false };
    const irsa = problems(toPulumiConfig({ ...stackValues("dev"), cluster: off }));
    assert.deepEqual(
      irsa.map((p) => [p.key, p.expected]),
      [
        [
          "eks-platform:cluster.createOidcProvider",
          "true while a role uses IRSA (iam.binding, iam.roleBindings or iam.keepIrsaTrust): IRSA trusts the cluster's OIDC provider",
        ],
      ],
    );
    const podIdentity = {
      ...(stackValues("dev").iam as object),
      binding: "pod-identity",
      installPodIdentityAgent: true,
    };
    const cfg = load(toPulumiConfig({ ...stackValues("dev"), cluster: off, iam: podIdentity }));
    assert.equal(cfg.cluster.mode === "new" && cfg.cluster.createOidcProvider, false);
  });
});

describe("who can reach a cluster this stack creates", () => {
  const cluster = (c: Capture) => c.resources.find((r) => r.type === "eks:index:Cluster")!;
  const policy = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;
  const tags = { environment: "dev", owner: "platform-team" };

  test("the configured principals get EKS access entries with their policy and scope", () => {
    assert.deepEqual(cluster(withAccess).inputs.accessEntries, {
      deploy: {
        principalArn: ENTRIES.deploy.principalArn,
        type: "STANDARD",
        accessPolicies: {
          AmazonEKSClusterAdminPolicy: {
            policyArn: policy("AmazonEKSClusterAdminPolicy"),
            accessScope: { type: "cluster" },
          },
        },
        tags,
      },
      preview: {
        principalArn: ENTRIES.preview.principalArn,
        type: "STANDARD",
        accessPolicies: {
          AmazonEKSAdminViewPolicy: {
            policyArn: policy("AmazonEKSAdminViewPolicy"),
            accessScope: { type: "cluster" },
          },
        },
        tags,
      },
      oncall: {
        principalArn: ENTRIES.oncall.principalArn,
        type: "STANDARD",
        kubernetesGroups: ["platform-oncall"],
        accessPolicies: {
          AmazonEKSEditPolicy: {
            policyArn: policy("AmazonEKSEditPolicy"),
            accessScope: { type: "namespace", namespaces: ["platform"] },
          },
        },
        tags,
      },
    });
  });

  test("the authentication mode allows access entries and keeps aws-auth, with or without entries", () => {
    for (const c of [withAccess, irsaCreated, podIdentityOnly]) {
      assert.equal(cluster(c).inputs.authenticationMode, "API_AND_CONFIG_MAP");
    }
    assert.deepEqual(cluster(irsaCreated).inputs.accessEntries, {});
  });

  test("an access policy ARN follows the partition", () => {
    const found = new Problems("eks-platform");
    const resolved = resolveCluster(
      {
        ...newCluster,
        mode: "new",
        accessEntries: {
          ci: { principalArn: "arn:aws-cn:iam::1:role/x", accessPolicy: "AmazonEKSViewPolicy" },
        },
      },
      tierDefaults.dev,
      "cn-north-1",
      found,
    );
    assert.deepEqual(found.list, []);
    assert.equal(
      resolved?.mode === "new" ? resolved.accessEntries[0].policyArn : undefined,
      "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
    );
  });

  test("entries AWS would refuse are config errors naming the key", () => {
    const base = { ...newCluster, accessEntries: {} };
    const withEntries = (accessEntries: Record<string, unknown>) =>
      edited("dev", { cluster: { ...base, accessEntries } });
    assertOneProblem(
      withEntries({
        ci: {
          principalArn: "arn:aws:sts::111111111111:assumed-role/ci/session",
          accessPolicy: "AmazonEKSViewPolicy",
        },
      }),
      "eks-platform:cluster.accessEntries.ci.principalArn",
      /an IAM role or user ARN .*not an sts assumed-role ARN/,
    );
    assertOneProblem(
      withEntries({ ci: { principalArn: ENTRIES.deploy.principalArn } }),
      "eks-platform:cluster.accessEntries.ci",
      /an accessPolicy or kubernetesGroups/,
    );
    assertOneProblem(
      withEntries({
        a: { principalArn: ENTRIES.deploy.principalArn, accessPolicy: "AmazonEKSViewPolicy" },
        b: { principalArn: ENTRIES.deploy.principalArn, accessPolicy: "AmazonEKSEditPolicy" },
      }),
      "eks-platform:cluster.accessEntries.b.principalArn",
      /one access entry per principal/,
    );
    assertOneProblem(
      withEntries({
        ci: { principalArn: ENTRIES.deploy.principalArn, accessPolicy: "AmazonEKSSuperPolicy" },
      }),
      "eks-platform:cluster.accessEntries.ci.accessPolicy",
      /AmazonEKSClusterAdminPolicy/,
    );
    assertOneProblem(
      withEntries({
        ci: { principalArn: "arn:aws-cn:iam::111111111111:role/ci", accessPolicy: "AmazonEKSViewPolicy" },
      }),
      "eks-platform:cluster.accessEntries.ci.principalArn",
      /an ARN of partition aws/,
    );
    // An existing cluster's access is its own stack's business: this stack creates no entries for it.
    const existing = problems(edited("dev", { "cluster.accessEntries": { ci: ENTRIES.deploy } }));
    assert.deepEqual(
      existing.map((p) => [p.key, p.expected]),
      [
        [
          "eks-platform:cluster.accessEntries",
          "unknown key. Known keys: mode, name, oidcProviderArn, createOidcProvider",
        ],
      ],
    );
  });
});
