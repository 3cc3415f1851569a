/**
 * The stack-output contract: every output this program exports, its shape and its meaning. Application teams
 * read these through `StackReference` (see consumer.ts). It is a public API:
 * - never rename or remove an output, and never change its shape; add a new one and deprecate the old;
 * - bump CONTRACT_VERSION's minor for additions, its major for anything a consumer could notice otherwise.
 * `index.ts` exports exactly these keys; tests/contract.test.ts pins the names and shapes.
 * No output is sensitive (the internal CA certificate is its public part), so none is a secret.
 */
import { z } from "zod";

export const CONTRACT_VERSION = "1.0";

const byKey = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

export const outputContract = {
  contractVersion: z.string().describe("Version of this contract, `<major>.<minor>`."),
  environment: z.string().describe("Environment name (prefix of every IAM role name)."),
  tier: z.enum(["dev", "prod"]).describe("`dev` or `prod`: which defaults the environment runs with."),
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
  irsaRoleArns: byKey(z.string()).describe("IRSA role ARN by role key (built-in and extra roles)."),
  serviceAccountAnnotations: byKey(byKey(z.string())).describe(
    "Annotations for each role's service account by role key: `eks.amazonaws.com/role-arn`.",
  ),
} as const;

export type OutputName = keyof typeof outputContract;
export type PlatformOutputs = { [K in OutputName]: z.infer<(typeof outputContract)[K]> };

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
