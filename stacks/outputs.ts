/**
 * The stack-output contract: every output this program exports, its shape and its meaning. Application teams
 * read these through `StackReference` (see consumer.ts). It is a public API:
 * - never rename or remove an output, and never change its shape; add a new one and deprecate the old;
 * - bump CONTRACT_VERSION's minor for additions, its major for anything a consumer could notice otherwise.
 * `index.ts` exports exactly these keys; tests/contract.test.ts pins the names and shapes.
 * No output is sensitive by itself (the internal CA certificate is its public part); an output that carries a
 * secret config value (index.ts, stacks/secrets.ts) is a secret, as `centralDnsRoles` with a secret external ID.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BINDINGS, TIERS } from "../model/enums";

export const CONTRACT_VERSION = "1.2";

const byKey = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

export const outputContract = {
  contractVersion: z.string().describe("Version of this contract, `<major>.<minor>`."),
  environment: z.string().describe("Environment name (prefix of every IAM role name)."),
  tier: z.enum(TIERS).describe("`dev` or `prod`: which defaults the environment runs with."),
  clusterName: z.string().describe("Name of the EKS cluster."),
  platformNamespace: z
    .string()
    .describe("Namespace of the ingress controllers, external-dns and cert-manager."),
  ingressClasses: byKey(z.string()).describe(
    "IngressClass name by ingress instance (`public`, `internal`, ...).",
  ),
  defaultIngressClass: z
    .string()
    .describe('The cluster\'s default IngressClass, or "" when none is default.'),
  publicIngressClass: z.string().describe('Class of the internet-facing instance, or "" when there is none.'),
  internalIngressClass: z.string().describe('Class of the internal instance, or "" when there is none.'),
  loadBalancerHostnames: byKey(z.string()).describe("DNS name of each instance's NLB, by ingress instance."),
  externalDnsOwnerIds: byKey(z.string()).describe(
    "`txtOwnerId` by external-dns instance (`private`, `central`).",
  ),
  externalDnsZoneIds: byKey(z.array(z.string())).describe(
    "Hosted zone IDs each external-dns instance writes.",
  ),
  externalDnsDomainFilters: byKey(z.array(z.string())).describe(
    "Domains each external-dns instance manages.",
  ),
  externalDnsIngressClasses: byKey(z.string()).describe("IngressClass each external-dns instance watches."),
  clusterIssuers: z.array(z.string()).describe("Names of all ClusterIssuers."),
  defaultClusterIssuer: z.string().describe("The ClusterIssuer application teams should use by default."),
  internalCaCertificatePem: z.string().describe("PEM of the internal CA certificate (public part) to trust."),
  internalCaNotAfter: z
    .string()
    .describe(
      "Since 1.2. When the internal CA certificate expires (RFC 3339); a `pulumi up` in its last 30 days renews it with the same key.",
    ),
  /** @deprecated Since contract 1.1: read `workloadRoleArns` (the same values). */
  irsaRoleArns: byKey(z.string()).describe(
    "Deprecated since 1.1, read `workloadRoleArns` (the same values): role ARN by role key, whatever the role's binding.",
  ),
  serviceAccountAnnotations: byKey(byKey(z.string())).describe(
    "Annotations for each role's service account by role key: `eks.amazonaws.com/role-arn` for an `irsa` role, none for a `pod-identity` role.",
  ),
  workloadRoleArns: byKey(z.string()).describe(
    "Since 1.1. Workload role ARN by role key (built-in and extra roles, either binding).",
  ),
  workloadRoleBindings: byKey(z.enum(BINDINGS)).describe(
    "Since 1.1. How each role reaches its pods, by role key: `irsa` (annotate the service account with `serviceAccountAnnotations`) or `pod-identity` (an association exists; no annotation).",
  ),
  centralDnsRoles: byKey(byKey(z.string())).describe(
    "Since 1.2. With `dns.centralDnsAccount`: the roles the DNS account's owners create, by role ARN there, each with `trustPolicy` (this stack's role; the external ID for external-dns) and `permissionsPolicy` (Route53: zone-scoped for external-dns, record-level for cert-manager), as JSON to apply as it is. Empty otherwise.",
  ),
  loadBalancerControllerManaged: z
    .boolean()
    .describe(
      "Since 1.2. Whether this stack installs the AWS Load Balancer Controller (`loadBalancerController.mode: install`); false when one runs already or none is used.",
    ),
  loadBalancerControllerRoleArn: z
    .string()
    .describe(
      'Since 1.2. ARN of the controller\'s workload role when this stack installs it (also in `workloadRoleArns` under `aws-load-balancer-controller`), or "" when it does not.',
    ),
} as const;

export type OutputName = keyof typeof outputContract;
export type PlatformOutputs = { [K in OutputName]: z.infer<(typeof outputContract)[K]> };

/**
 * The stack's exports: the contract version and the platform's outputs, which must be exactly the contract's
 * names (a missing or extra name is a bug in the program, reported before anything is created).
 */
export function contractOutputs(
  outputs: Readonly<Record<string, pulumi.Output<unknown>>>,
  version: pulumi.Output<string>,
): Record<string, pulumi.Output<unknown>> {
  const all: Record<string, pulumi.Output<unknown>> = { contractVersion: version, ...outputs };
  const names = Object.keys(outputContract);
  const missing = names.filter((n) => !(n in all));
  const extra = Object.keys(all).filter((n) => !names.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `stack outputs differ from the contract (stacks/outputs.ts): missing ${missing.join(", ") || "none"}, not in it ${extra.join(", ") || "none"}`,
    );
  }
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}

/** Validates a set of resolved outputs against the contract; returns problems (empty when it conforms). */
export function checkOutputs(values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(outputContract) as OutputName[]) {
    const result = outputContract[name].safeParse(values[name]);
    if (!result.success) {
      problems.push(`${name}: ${result.error.issues.map((i) => i.message).join("; ")}`);
    }
  }
  for (const name of Object.keys(values)) {
    if (!(name in outputContract)) {
      problems.push(`${name}: not in the output contract`);
    }
  }
  return problems;
}

/** Each output's shape as a short type expression (`string`, `record<string[]>`, `"dev" | "prod"`). */
export function contractShapes(): Record<OutputName, string> {
  const shape = (schema: Record<string, unknown>): string => {
    if (Array.isArray(schema.enum)) {
      return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    }
    if (schema.type === "array") {
      return `${shape(schema.items as Record<string, unknown>)}[]`;
    }
    if (schema.type === "object") {
      return `record<${shape(schema.additionalProperties as Record<string, unknown>)}>`;
    }
    return String(schema.type);
  };
  return Object.fromEntries(
    (Object.keys(outputContract) as OutputName[]).map((name) => [
      name,
      shape(z.toJSONSchema(outputContract[name]) as Record<string, unknown>),
    ]),
  ) as Record<OutputName, string>;
}
