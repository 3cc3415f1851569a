/**
 * Workload identity: the same stacks with EKS Pod Identity instead of IRSA (every role, and a mixed stack with
 * one role moved), planned from stack files derived from the real ones, and the trust builders on their own.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { podIdentityTrustPolicy } from "../components/identity/policies";
import { trustOf, T, valuesOf } from "./helpers/program";
import { derivedStackFile, planStack } from "./helpers/stacks";
import { resourcesOfType, type Capture } from "../offline/harness";
import { trustPolicy } from "../components/identity/workloadRole";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "identity-"));
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ADDON = "aws:eks/addon:Addon";
const OIDC_LOOKUP = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";
const OIDC =
  "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";

const planWith = (base: string, name: string, changes: Record<string, unknown>): Promise<Capture> =>
  planStack(name, out, derivedStackFile(out, name, base, changes));

let devPods: Capture;
let prodPods: Capture;
let mixed: Capture;
before(async () => {
  [devPods, prodPods, mixed] = await Promise.all([
    planWith("dev", "devpods", { "iam.binding": "pod-identity", "iam.installPodIdentityAgent": true }),
    // prod has no oidcProviderArn: with IRSA it would derive one from the cluster look-up.
    planWith("prod", "prodpods", { "iam.binding": "pod-identity" }),
    planWith("dev", "mixed", { "iam.roleBindings": { "external-dns-private": "pod-identity" } }),
  ]);
});

describe("every role on EKS Pod Identity", () => {
  test("one association per workload role, with its namespace and service account", () => {
    const associations = resourcesOfType(devPods, ASSOCIATION);
    // Named after the namespace and service account (one association each in EKS), not after the role.
    const expected = [
      ["kube-system/aws-load-balancer-controller", "dev-aws-load-balancer-controller-kube-system"],
      ["orders/orders-api", "dev-orders-api-orders"],
      ["platform/cert-manager", "dev-cert-manager-platform"],
      ["platform/ecr-operator", "dev-ecr-operator-platform"],
      ["platform/external-dns-central", "dev-external-dns-central-platform"],
      ["platform/external-dns-private", "dev-external-dns-private-platform"],
    ];
    assert.deepEqual(
      associations.map((a) => [a.name, a.options?.aliases?.[0]?.replace(/.*::/, "")]).sort(),
      expected,
      "each keeps the URN it had under its role's name (an alias)",
    );
    for (const a of associations) {
      const role = expected.find(([name]) => name === a.name)![1];
      assert.equal(a.name, `${String(a.inputs.namespace)}/${String(a.inputs.serviceAccount)}`);
      assert.equal(a.inputs.clusterName, "dev-eks");
      assert.equal(a.inputs.roleArn, `<known after apply: aws:iam/role:Role ${role} arn>`);
      assert.deepEqual(
        [...(a.dependsOn ?? [])].sort(),
        [`${ADDON}::eks-pod-identity-agent`, `${T.attachment}::${role}`],
        "the role's policy is attached and the agent installed first",
      );
    }
  });

  test("each role trusts EKS Pod Identity, only for its cluster, namespace and service account", () => {
    assert.deepEqual(trustOf(devPods, "dev-orders-api-orders"), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: {
            StringEquals: {
              "aws:RequestTag/eks-cluster-name": "dev-eks",
              "aws:RequestTag/kubernetes-namespace": "orders",
              "aws:RequestTag/kubernetes-service-account": "orders-api",
            },
          },
        },
      ],
    });
    for (const role of resourcesOfType(devPods, T.role)) {
      assert.ok(!String(role.inputs.assumeRolePolicy).includes("oidc-provider"), role.name);
    }
  });

  test("no role-arn annotation in any Helm values, but pod annotations that roll the pods", () => {
    for (const release of resourcesOfType(devPods, T.release)) {
      assert.ok(!JSON.stringify(release.inputs.values).includes("eks.amazonaws.com/role-arn"), release.name);
    }
    const values = valuesOf(devPods, "external-dns-private");
    assert.deepEqual(values.serviceAccount, { create: true, name: "external-dns-private", annotations: {} });
    assert.deepEqual(values.podAnnotations, {
      "eks-platform.io/workload-binding": "pod-identity",
      "eks-platform.io/workload-role":
        "<known after apply: aws:iam/role:Role dev-external-dns-private-platform arn>",
    });
  });

  test("a release starts only after its role's policy, association and the agent exist", () => {
    const release = devPods.resources.find((r) => r.type === T.release && r.name === "cert-manager");
    assert.ok(release);
    for (const dep of [
      `${T.attachment}::dev-cert-manager-platform`,
      `${ASSOCIATION}::platform/cert-manager`,
      `${ADDON}::eks-pod-identity-agent`,
    ]) {
      assert.ok(release.inputsFrom.includes(dep), `${dep} in ${release.inputsFrom.join(", ")}`);
    }
  });

  test("no OIDC provider is looked up or derived, and the agent only when asked for", () => {
    for (const plan of [devPods, prodPods]) {
      assert.ok(!plan.invokes.some((i) => i.token === OIDC_LOOKUP));
    }
    assert.deepEqual(
      prodPods.invokes.map((i) => i.token),
      ["aws:eks/getCluster:getCluster"],
      "a preview makes one AWS call",
    );
    // With the agent: one more, its default version for the cluster's Kubernetes version.
    assert.deepEqual(devPods.invokes.map((i) => i.token).sort(), [
      "aws:eks/getAddonVersion:getAddonVersion",
      "aws:eks/getCluster:getCluster",
    ]);
    assert.equal(resourcesOfType(devPods, ADDON).length, 1);
    assert.equal(resourcesOfType(prodPods, ADDON).length, 0);
  });

  test("outputs: the bindings, empty annotations, the role ARNs", () => {
    const bindings = devPods.outputs.workloadRoleBindings as Record<string, string>;
    assert.ok(Object.values(bindings).every((b) => b === "pod-identity"));
    const annotations = devPods.outputs.serviceAccountAnnotations as Record<string, object>;
    assert.ok(Object.values(annotations).every((a) => Object.keys(a).length === 0));
    assert.deepEqual(devPods.outputs.workloadRoleArns, devPods.outputs.irsaRoleArns);
  });

  test("the central DNS account keeps today's assume-role path (the target role trusts this role)", () => {
    const values = valuesOf(prodPods, "external-dns-central");
    assert.ok(
      (values.extraArgs as string[]).includes(
        "--aws-assume-role=arn:aws:iam::222222222222:role/prod-eks-external-dns",
      ),
    );
  });
});

describe("a mixed stack: one role on Pod Identity, the rest on IRSA", () => {
  test("only the moved role gets an association and the pod-identity trust", () => {
    assert.deepEqual(
      resourcesOfType(mixed, ASSOCIATION).map((a) => a.name),
      ["platform/external-dns-private"],
    );
    const moved = trustOf(mixed, "dev-external-dns-private-platform") as {
      Statement: { Principal: unknown }[];
    };
    assert.deepEqual(
      moved.Statement.map((s) => s.Principal),
      [{ Service: "pods.eks.amazonaws.com" }],
    );
    const kept = trustOf(mixed, "dev-external-dns-central-platform") as {
      Statement: { Principal: unknown }[];
    };
    assert.deepEqual(
      kept.Statement.map((s) => s.Principal),
      [{ Federated: OIDC }],
    );
    assert.equal(resourcesOfType(mixed, ADDON).length, 0, "the agent is not installed unless asked for");
  });

  test("IRSA roles keep their annotation, the moved one has none", () => {
    const annotations = mixed.outputs.serviceAccountAnnotations as Record<string, Record<string, string>>;
    assert.deepEqual(annotations["external-dns-private"], {});
    assert.match(
      annotations["external-dns-central"]["eks.amazonaws.com/role-arn"],
      /dev-external-dns-central/,
    );
    assert.deepEqual(
      (mixed.outputs.workloadRoleBindings as Record<string, string>)["external-dns-private"],
      "pod-identity",
    );
  });
});

describe("trust builders", () => {
  test("pod identity: the service principal with AssumeRole and TagSession, scoped by session tags", () => {
    const doc = podIdentityTrustPolicy("c", "ns", "sa");
    assert.deepEqual(doc.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
    assert.deepEqual(doc.Statement[0].Condition, {
      StringEquals: {
        "aws:RequestTag/eks-cluster-name": "c",
        "aws:RequestTag/kubernetes-namespace": "ns",
        "aws:RequestTag/kubernetes-service-account": "sa",
      },
    });
  });

  test("while moving from IRSA, a pod-identity role trusts both, for the same service account", () => {
    const spec = { binding: "pod-identity" as const, namespace: "platform", serviceAccount: "cert-manager" };
    const both = trustPolicy(spec, "dev-eks", OIDC, true);
    assert.deepEqual(
      both.Statement.map((s) => s.Principal),
      [{ Service: "pods.eks.amazonaws.com" }, { Federated: OIDC }],
    );
    assert.equal(trustPolicy(spec, "dev-eks", OIDC, false).Statement.length, 1);
    assert.throws(
      () => trustPolicy({ ...spec, binding: "irsa" }, "dev-eks", undefined, false),
      /OIDC provider ARN/,
    );
  });
});
