/**
 * Resolution of the `iam` section into the one list of workload roles: the roles the add-ons ask for and the
 * extra roles teams declare, each with its name and binding. Every role check runs on that list.
 */
import type { CoreConfig, IdentityConfig, PolicyStatement, WorkloadRoleSpec } from "../../model/config";
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
  return {
    permissionsBoundaryArn: input?.permissionsBoundaryArn,
    installPodIdentityAgent: input?.installPodIdentityAgent ?? false,
    keepIrsaTrust: input?.keepIrsaTrust ?? false,
    roles,
  };
}
