/**
 * Resolution of the `iam` section into the one list of workload roles: the roles the add-ons ask for and the
 * extra roles teams declare, each with its name and binding. Every role check runs on that list.
 */
import type {
  ClusterConfig,
  CoreConfig,
  IdentityConfig,
  PolicyStatement,
  WorkloadRoleSpec,
} from "../../model/config";
import { commonDefaults } from "../../model/defaults";
import { isReadOnlyAction, isServiceWildcardAction, isWildcardResource } from "../../model/iamActions";
import { IAM_ROLE_NAME_MAX, workloadRoleName } from "../../model/naming";
import type { Problems } from "../../model/problems";
import type { RoleRequest } from "../addOn";
import { extraRolePolicy } from "./policies";
import type { IamInput, StatementInput } from "./schema";

function toStatement(s: StatementInput): PolicyStatement {
  return {
    sid: s.sid,
    effect: s.effect,
    actions: s.actions,
    resources: s.resources,
    conditions: s.conditions,
  };
}

/**
 * Teams' roles from `iam.extraRoles`, with their statements checked for least privilege. `builtIn` holds the
 * add-ons' role keys (components/addOns.ts `builtInRoleKeys`), which a team's role may not take.
 */
export function extraRoleRequests(
  input: IamInput | undefined,
  core: CoreConfig,
  problems: Problems,
  builtIn: readonly string[],
): RoleRequest[] {
  return Object.entries(input?.extraRoles ?? {}).map(([key, role]) => {
    const statements = role.statements.map(toStatement);
    checkStatements(`iam.extraRoles.${key}`, statements, problems);
    if (builtIn.includes(key)) {
      problems.add(`iam.extraRoles.${key}`, `a key other than the built-in roles (${builtIn.join(", ")})`);
    }
    return {
      key,
      namespace: role.namespace ?? core.namespace,
      serviceAccount: role.serviceAccount,
      description: role.description,
      policy: extraRolePolicy(statements),
      configKey: `iam.extraRoles.${key}`,
    };
  });
}

function checkStatements(at: string, statements: readonly PolicyStatement[], problems: Problems): void {
  statements.forEach((st, i) => {
    const path = `${at}.statements[${i}]`;
    st.actions.forEach((action, j) => {
      if (isServiceWildcardAction(action)) {
        problems.add(
          `${path}.actions[${j}]`,
          "named actions, not a whole service: list the actions the workload calls",
          action,
        );
      }
    });
    if (st.effect === "Allow") {
      const writes = st.actions.filter((a) => !isReadOnlyAction(a));
      st.resources.forEach((resource, j) => {
        if (writes.length > 0 && isWildcardResource(resource)) {
          problems.add(
            `${path}.resources[${j}]`,
            `specific resource ARNs: ${writes.join(", ")} may write, and an Allow of a write on a wildcard resource is not least privilege`,
            resource,
          );
        }
      });
    }
  });
}

/**
 * The full role list: every request with a statement gets a role (cert-manager with HTTP-01 only needs no AWS
 * rights, so no role), named `<environment>-<key>-<namespace>` and bound as `iam.roleBindings` or `iam.binding`
 * say.
 */
export function resolveIdentity(
  input: IamInput | undefined,
  requests: readonly RoleRequest[],
  core: CoreConfig,
  problems: Problems,
  cluster?: ClusterConfig,
): IdentityConfig {
  const binding = input?.binding ?? commonDefaults.binding;
  const overrides = input?.roleBindings ?? {};
  const roles: WorkloadRoleSpec[] = requests
    .filter((r) => r.policy.Statement.length > 0)
    .map((r) => ({
      ...r,
      roleName: workloadRoleName(core.environment, r.key, r.namespace),
      binding: overrides[r.key] ?? binding,
    }));
  for (const key of Object.keys(overrides)) {
    if (!roles.some((r) => r.key === key)) {
      problems.add(
        `iam.roleBindings.${key}`,
        `the key of a role this stack creates (${roles.map((r) => r.key).join(", ") || "none"})`,
        overrides[key],
      );
    }
  }
  for (const role of roles) {
    // The managed policy has the same name; IAM allows policies 128 characters, so the role's 64 is the limit.
    if (role.roleName.length > IAM_ROLE_NAME_MAX) {
      problems.add(
        role.configKey,
        `a shorter environment, key or namespace: the IAM role name "${role.roleName}" has ${role.roleName.length} characters and IAM allows ${IAM_ROLE_NAME_MAX}`,
      );
    }
  }
  const names = roles.map((r) => r.roleName);
  for (const dup of names.filter((n, i) => names.indexOf(n) !== i)) {
    problems.add("iam.extraRoles", `unique role names; "${dup}" would be created twice`);
  }
  checkServiceAccounts(roles, problems);
  return {
    permissionsBoundaryArn: input?.permissionsBoundaryArn,
    installPodIdentityAgent: podIdentityAgent(input, roles, cluster, problems),
    keepIrsaTrust: input?.keepIrsaTrust ?? false,
    keepPodIdentityTrust: keptPodIdentityTrust(input, roles, problems),
    podIdentityAgentVersion: input?.podIdentityAgentVersion,
    roles,
  };
}

/**
 * One role per service account: a service account carries one IRSA annotation, and EKS allows one Pod Identity
 * association per cluster, namespace and service account (CreatePodIdentityAssociation answers
 * `ResourceInUseException`; terraform-provider-aws internal/service/eks/pod_identity_association.go makes the
 * three force a replacement). WorkloadRole names the association after the two, so they must be unique anyway.
 */
function checkServiceAccounts(roles: readonly WorkloadRoleSpec[], problems: Problems): void {
  const seen = new Map<string, WorkloadRoleSpec>();
  for (const role of roles) {
    const at = `${role.namespace}/${role.serviceAccount}`;
    const first = seen.get(at);
    if (first) {
      problems.add(
        role.configKey,
        `a service account of its own: ${at} is already the service account of role ${first.key}, and a service account can have one role (one IRSA annotation, one Pod Identity association)`,
      );
    } else {
      seen.set(at, role);
    }
  }
}

/** `iam.keepPodIdentityTrust`: keys of roles of this stack that are bound through IRSA (the way back). */
function keptPodIdentityTrust(
  input: IamInput | undefined,
  roles: readonly WorkloadRoleSpec[],
  problems: Problems,
): string[] {
  const keys = input?.keepPodIdentityTrust ?? [];
  keys.forEach((key, i) => {
    const role = roles.find((r) => r.key === key);
    if (role?.binding !== "irsa") {
      problems.add(
        `iam.keepPodIdentityTrust[${i}]`,
        `the key of a role this stack binds through irsa (${
          roles
            .filter((r) => r.binding === "irsa")
            .map((r) => r.key)
            .join(", ") || "none"
        }): the Pod Identity trust is kept only while a role moves back to irsa`,
        key,
      );
    }
  });
  return [...keys];
}

/**
 * Whether to install the agent add-on. A cluster this stack creates has no agent unless the stack installs it,
 * and a Pod Identity role is useless without one: on by default there, and `false` is refused.
 */
function podIdentityAgent(
  input: IamInput | undefined,
  roles: readonly WorkloadRoleSpec[],
  cluster: ClusterConfig | undefined,
  problems: Problems,
): boolean {
  const podIdentity = roles.filter((r) => r.binding === "pod-identity");
  const created = cluster?.mode === "new";
  const install = input?.installPodIdentityAgent ?? (created && podIdentity.length > 0);
  if (created && podIdentity.length > 0 && !install) {
    problems.add(
      "iam.installPodIdentityAgent",
      `true (or unset) while this stack creates the cluster (cluster.mode: new): ${podIdentity.map((r) => r.key).join(", ")} use pod-identity, and a new cluster has no eks-pod-identity-agent unless this stack installs it`,
      false,
    );
  }
  if (input?.podIdentityAgentVersion !== undefined && !install) {
    problems.add(
      "iam.podIdentityAgentVersion",
      "no version unless the stack installs the agent (iam.installPodIdentityAgent: true)",
      input.podIdentityAgentVersion,
    );
  }
  return install;
}
