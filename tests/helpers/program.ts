/**
 * Accessors over a captured program run (offline/harness.ts), for the stack tests.
 */
import assert from "node:assert/strict";
import { resource, resourcesOfType, type Capture, type CapturedResource } from "../../offline/harness";

export const T = {
  role: "aws:iam/role:Role",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  release: "kubernetes:helm.sh/v3:Release",
  issuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
  secret: "kubernetes:core/v1:Secret",
  service: "kubernetes:core/v1:Service",
  namespace: "kubernetes:core/v1:Namespace",
  k8sProvider: "pulumi:providers:kubernetes",
} as const;

/** The placeholder the mocks give a role's ARN. */
export const roleArn = (name: string) => `<known after apply: aws:iam/role:Role ${name} arn>`;

/** The pod-template annotations that roll a workload's pods when its IRSA role changes. */
export const podRoleAnnotations = (name: string) => ({
  "eks-platform.io/workload-binding": "irsa",
  "eks-platform.io/workload-role": roleArn(name),
});

export function json(value: unknown): unknown {
  assert.equal(typeof value, "string", "expected a JSON string");
  return JSON.parse(value as string) as unknown;
}

export function trustOf(capture: Capture, roleName: string): unknown {
  return json(resource(capture, T.role, roleName).inputs.assumeRolePolicy);
}

export function policyOf(capture: Capture, roleName: string): unknown {
  return json(resource(capture, T.policy, roleName).inputs.policy);
}

export function valuesOf(capture: Capture, release: string): Record<string, unknown> {
  return resource(capture, T.release, release).inputs.values as Record<string, unknown>;
}

export function ids(resources: CapturedResource[]): string[] {
  return resources.map((r) => r.id).sort();
}

/** Custom resources only (no components), as `type::name`. */
export function customIds(capture: Capture): string[] {
  return ids(capture.resources.filter((r) => r.custom));
}

/**
 * Every Kubernetes resource (and Helm release) uses the cluster's explicit provider, except the NGINX CRDs, which
 * use their own adopting provider (components/ingress/nginxCrds.ts) on the same kubeconfig.
 */
export function assertOneKubernetesProvider(capture: Capture): void {
  const providers = resourcesOfType(capture, T.k8sProvider);
  // Provider inputs reach the engine as strings.
  const adopts = (p: CapturedResource) => [true, "true"].includes(p.inputs.upsertExistingObjects as string);
  const adopting = providers.filter(adopts);
  const cluster = providers.filter((p) => !adopts(p));
  assert.equal(cluster.length, 1, "exactly one cluster Kubernetes provider");
  assert.deepEqual(
    adopting.map((p) => p.name),
    ["nginx-ingress-crds-adopting"],
    "the NGINX CRDs' provider is the only one that adopts existing objects",
  );
  assert.deepEqual(adopting[0].inputs.kubeconfig, cluster[0].inputs.kubeconfig, "the same cluster");
  const k8s = capture.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
  assert.ok(k8s.length > 0);
  for (const r of k8s) {
    const crd = r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
    assert.equal(r.provider, (crd ? adopting : cluster)[0].id, `${r.id} uses the expected provider`);
  }
}

/** The CA private key must not appear in plain text anywhere: inputs, outputs, invokes. */
export function assertNoPrivateKeyInPlainText(capture: Capture): void {
  const keyPlaceholder = "<known after apply: tls:index/privateKey:PrivateKey internal-ca privateKeyPem>";
  assert.ok(
    !JSON.stringify(capture).includes(keyPlaceholder),
    "the private key value never appears unmasked",
  );
  const secret = resource(capture, T.secret, "internal-ca-root");
  // The Kubernetes SDK marks a Secret's whole stringData secret, so not even the certificate shows.
  assert.equal(secret.inputs.stringData, "[secret]");
}
