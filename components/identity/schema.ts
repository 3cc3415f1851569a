/**
 * The `iam` section of a stack file: how pods get their roles, and the extra roles teams declare.
 */
import { z } from "zod";
import { BINDINGS } from "../../model/enums";
import { k8sName, policyArn } from "../../model/formats";

const statement = z.strictObject({
  sid: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, "letters and digits only")
    .optional()
    .describe("Statement ID."),
  effect: z.enum(["Allow", "Deny"]).describe("Allow or Deny."),
  actions: z
    .array(
      z
        .string()
        .regex(
          /^[a-z0-9-]+:[A-Za-z0-9*]+$/,
          "an IAM action `service:Action` such as s3:GetObject (a partial wildcard like s3:Get* is allowed)",
        ),
    )
    .min(1, "at least one action")
    .describe("IAM actions; `*` alone and `service:*` are rejected."),
  resources: z
    .array(
      z
        .string()
        .regex(/^(?:arn:[^:\s]+:[^\s]*|\*)$/, "an ARN, or * (only for actions that cannot be scoped)"),
    )
    .min(1, "at least one resource")
    .describe("Resource ARNs."),
  conditions: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z:]+$/, "an IAM condition operator such as StringEquals or ForAllValues:StringLike"),
      z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    )
    .optional()
    .describe("IAM condition block: operator -> key -> value(s)."),
});

const extraRole = z.strictObject({
  namespace: k8sName
    .optional()
    .describe("Namespace of the service account. Default: the platform namespace."),
  serviceAccount: k8sName.describe("Service account that may assume the role. Required."),
  description: z.string().min(1).max(1000).describe("Role description. Required."),
  statements: z.array(statement).min(1, "at least one statement").describe("Policy statements."),
});

export const iamSchema = z
  .strictObject({
    permissionsBoundaryArn: policyArn
      .optional()
      .describe("Permissions boundary for every role. Default: none."),
    extraRoles: z
      .record(k8sName, extraRole)
      .optional()
      .describe("Extra workload roles that teams declare, by key. Default: none."),
    binding: z
      .enum(BINDINGS)
      .optional()
      .describe(
        "How pods get their roles: `irsa` (the cluster's OIDC provider trusts the service account, which is annotated with the role ARN) or `pod-identity` (EKS Pod Identity: an association binds the role to the service account; no OIDC provider needed). Default: irsa.",
      ),
    roleBindings: z.record(k8sName, z.enum(BINDINGS)).optional().describe(roleBindingsDescription([])),
    keepIrsaTrust: z
      .boolean()
      .optional()
      .describe(
        "While moving roles from `irsa` to `pod-identity`: their trust keeps the IRSA statement for the same service account and the service account keeps its IRSA annotation, so pods started before the association takes effect, or before the move, keep working until they are replaced. Turn it off in a second update (see docs/identity.md). Default: false.",
      ),
    keepPodIdentityTrust: z
      .array(k8sName)
      .optional()
      .describe(
        "While moving roles from `pod-identity` back to `irsa`: the keys of the roles whose trust keeps the Pod Identity statement for one update, so pods started while the old association still exists (EKS gives it precedence over the IRSA annotation) keep working until they are replaced. Remove it in the next update (see docs/identity.md). Default: none.",
      ),
    installPodIdentityAgent: z
      .boolean()
      .optional()
      .describe(
        "Install the `eks-pod-identity-agent` EKS add-on, which Pod Identity needs on every node. It is kept in the cluster when the stack stops managing it (other stacks' pods may use it). Default: true when this stack creates the cluster (`cluster.mode: new`) and a role uses `pod-identity` (false is refused there); otherwise false (it is already installed, for example by the cluster's own stack).",
      ),
    podIdentityAgentVersion: z
      .string()
      .regex(/^v[0-9][0-9A-Za-z.-]*$/, "an EKS add-on version such as v1.3.4-eksbuild.1")
      .optional()
      .describe(
        "Version of the `eks-pod-identity-agent` add-on. Default: the version EKS names as the default for the cluster's Kubernetes version (looked up at every update, so the add-on follows cluster upgrades).",
      ),
  })
  .describe("IAM settings for the workload roles (IRSA or EKS Pod Identity).");

/**
 * The reference text of `iam.roleBindings`, naming the built-in role keys: stacks/schema.ts gives it the add-ons'
 * keys (components/addOns.ts `builtInRoleKeys`), so the reference lists every add-on's role.
 */
export function roleBindingsDescription(builtInRoleKeys: readonly string[]): string {
  const keys = [...builtInRoleKeys.map((k) => `\`${k}\``), "a team's key"].join(", ");
  return `Binding per role key (${keys}), overriding \`binding\`: the way to move one role at a time. Default: none.`;
}

export type IamInput = z.infer<typeof iamSchema>;
export type StatementInput = z.infer<typeof statement>;
export type ExtraRoleInput = z.infer<typeof extraRole>;
