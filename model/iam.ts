/**
 * IAM policy documents as data. Every document the program attaches is built by pure functions into these
 * types and serialised with JSON.stringify by the components, never by string templates.
 */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string>;
  Action: string[];
  Resource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

export function policyDocument(statements: IamStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * What a workload role may do to a role in another account (the central DNS account's) that it assumes itself
 * (external-dns `--aws-assume-role`, cert-manager's solver `role`). Both sides of such a chain grant the same two
 * actions: CROSS_ACCOUNT_CHAIN_ACTIONS here, and the DNS account's trust (components/dns/centralRoles.ts).
 *
 * `sts:TagSession` too, whatever the binding: EKS Pod Identity tags every session it hands out and marks the tags
 * transitive, so they ride along into every AssumeRole the workload makes, which IAM then authorises as tagging
 * the new session (EKS user guide, pod-id-abac, "Cross-account tags"; IAM user guide, id_session-tags, "Chaining
 * roles with session tags"; aws/eks-pod-identity-agent#80). IRSA sessions carry no tags, so the grant is unused
 * there; granting it for both bindings keeps the DNS account's documents the same when a role moves between them,
 * which matters because this stack cannot order a change in another account.
 */
export const CROSS_ACCOUNT_CHAIN_ACTIONS: readonly string[] = ["sts:AssumeRole", "sts:TagSession"];

/** Assuming a set of roles (a central account's), de-duplicated and sorted: CROSS_ACCOUNT_CHAIN_ACTIONS. */
export function assumeRoleStatement(sid: string, roleArns: readonly string[]): IamStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: [...CROSS_ACCOUNT_CHAIN_ACTIONS],
    Resource: [...new Set(roleArns)].sort(),
  };
}

/**
 * The ARN IAM gives a role without a path: `arn:<partition>:iam::<account>:role/<name>` (IAM user guide,
 * reference_identifiers, "IAM ARNs"). Known before the role exists, so another account's documents can name it.
 */
export function roleArnOf(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
