/**
 * Moves of a workload role between IRSA and EKS Pod Identity done in one update, which start pods with
 * credentials the role's new trust refuses. The judge (judge.ts) adds these to its verdict. Pure.
 *
 * - To Pod Identity: the trust loses its IRSA statement in the same update that creates the association, but
 *   associations are eventually consistent (EKS API reference, CreatePodIdentityAssociation), so a pod started
 *   before it takes effect gets IRSA credentials, which the trust refuses. `iam.keepIrsaTrust` first.
 * - Back to IRSA: the trust loses its Pod Identity statement while the association still exists (Pulumi deletes
 *   last), and EKS's webhook gives the association precedence over the IRSA annotation ("Container credentials
 *   method takes precedence": aws/amazon-eks-pod-identity-webhook v0.6.17 pkg/handler/handler.go), so the pods the
 *   update rolls start with Pod Identity credentials the trust refuses. `iam.keepPodIdentityTrust` first.
 */

/** The parts of a plan (judge.ts JudgedPlan) and of the judge's steps and violations read or made here. */
interface JudgedResource {
  id: string;
  type: string;
  name: string;
  inputs?: Record<string, unknown>;
}
interface JudgedPlan {
  resources: JudgedResource[];
}
interface Step {
  id: string;
  type: string;
  action: string;
}
export interface BindingMoveViolation {
  kind: "binding-move";
  resource: string;
  message: string;
  fix: string;
}

const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const POD_IDENTITY = "pods.eks.amazonaws.com";

/** The role an association binds, by the mocks' placeholder of its ARN. */
const roleOf = (association: JudgedResource): string | undefined =>
  /<known after apply: aws:iam\/role:Role (\S+) arn>/.exec(
    typeof association.inputs?.roleArn === "string" ? association.inputs.roleArn : "",
  )?.[1];

/** Which ways a role's trust accepts: `irsa` (a Federated principal) and `pod-identity` (the EKS principal). */
function trusted(plan: JudgedPlan, roleName: string): Set<string> | undefined {
  const role = plan.resources.find((r) => r.type === ROLE && r.name === roleName);
  const policy = role?.inputs?.assumeRolePolicy;
  if (typeof policy !== "string") {
    return undefined;
  }
  const doc = JSON.parse(policy) as { Statement?: { Principal?: Record<string, unknown> }[] };
  const ways = new Set<string>();
  for (const s of doc.Statement ?? []) {
    if (s.Principal?.Federated !== undefined) ways.add("irsa");
    if (s.Principal?.Service === POD_IDENTITY) ways.add("pod-identity");
  }
  return ways;
}

export function bindingMoveViolations(
  before: JudgedPlan,
  after: JudgedPlan,
  steps: readonly Step[],
): BindingMoveViolation[] {
  const out: BindingMoveViolation[] = [];
  const byId = (plan: JudgedPlan, id: string) => plan.resources.find((r) => r.id === id);
  for (const s of steps.filter((x) => x.type === ASSOCIATION)) {
    const association = byId(s.action === "delete" ? before : after, s.id);
    const role = association && roleOf(association);
    if (!role) continue;
    const was = trusted(before, role);
    const is = trusted(after, role);
    if (!was || !is) continue;
    if (s.action === "create" && was.has("irsa") && !is.has("irsa")) {
      out.push({
        kind: "binding-move",
        resource: s.id,
        message: `role ${role} moves from irsa to pod-identity in one update: its trust stops accepting IRSA while the new association may not be in effect yet (associations are eventually consistent), so pods started meanwhile get IRSA credentials the trust refuses`,
        fix: "set iam.keepIrsaTrust: true together with the new binding, and remove it in a later update (docs/identity.md)",
      });
    }
    if (s.action === "delete" && was.has("pod-identity") && !is.has("pod-identity")) {
      out.push({
        kind: "binding-move",
        resource: s.id,
        message: `role ${role} moves from pod-identity to irsa in one update: Pulumi deletes the association last, so pods started during the update still get Pod Identity credentials (the association takes precedence over the IRSA annotation), which the new trust refuses`,
        fix: "set the binding irsa with the role's key in iam.keepPodIdentityTrust, and remove it in the next update (docs/identity.md)",
      });
    }
  }
  return out;
}
