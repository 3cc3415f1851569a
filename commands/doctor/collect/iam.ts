/**
 * IAM: the workload roles (GetRole), the cluster's OIDC provider (GetOpenIDConnectProvider), and what the roles may
 * do (SimulatePrincipalPolicy, which evaluates the role's policies without acting).
 */
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  NoSuchEntityException,
  SimulatePrincipalPolicyCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import type { AwsObserved, ExpectedPlatform, RoleObserved, Simulation } from "../model";
import type { Question } from "./permissions";
import { errorMessage, errorName, read, type ReadErrors } from "./reads";

const noSuchEntity = (err: unknown) =>
  err instanceof NoSuchEntityException || errorName(err) === "NoSuchEntityException";

/** A role's trust, as IAM returns it (URL-encoded JSON). */
export function trustOf(document: string | undefined): RoleObserved["trust"] {
  return JSON.parse(
    decodeURIComponent(document ?? "%7B%22Statement%22%3A%5B%5D%7D"),
  ) as RoleObserved["trust"];
}

export async function readRoles(
  iam: IAMClient,
  exp: ExpectedPlatform,
  errors: ReadErrors,
): Promise<AwsObserved["roles"]> {
  const roles: AwsObserved["roles"] = {};
  await Promise.all(
    exp.roles.map(async (r) => {
      try {
        const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: r.roleName }));
        roles[r.roleName] = {
          arn: role?.Arn ?? "",
          createDate: role?.CreateDate?.toISOString() ?? "",
          trust: trustOf(role?.AssumeRolePolicyDocument),
          ...(role?.RoleLastUsed?.LastUsedDate
            ? { lastUsed: role.RoleLastUsed.LastUsedDate.toISOString() }
            : {}),
        };
      } catch (err) {
        if (noSuchEntity(err)) {
          roles[r.roleName] = null;
        } else {
          errors.push({ source: `iam role ${r.roleName}`, message: errorMessage(err) });
        }
      }
    }),
  );
  return roles;
}

/** The provider's ARN from the issuer URL, in the account and partition of the roles (or the caller). */
export function oidcProviderArn(issuerUrl: string, accountArn: string): string {
  const [, partition, , , account] = accountArn.split(":");
  return `arn:${partition}:iam::${account}:oidc-provider/${issuerUrl.replace(/^https:\/\//, "")}`;
}

/** Whether IAM has the provider, and the audiences (client IDs) it accepts. */
export async function readOidcProvider(
  iam: IAMClient,
  arn: string,
  errors: ReadErrors,
): Promise<AwsObserved["oidcProvider"]> {
  try {
    const out = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { arn, clientIds: out.ClientIDList ?? [] };
  } catch (err) {
    if (noSuchEntity(err)) {
      return null;
    }
    errors.push({ source: `iam oidc provider ${arn}`, message: errorMessage(err) });
    return undefined;
  }
}

/**
 * One question per call: IAM aggregates the top-level decision over all resources of a call (EvaluationResult,
 * as the AWS SDK references document it), so one action on one resource keeps the answer unambiguous.
 */
export async function simulate(
  iam: IAMClient,
  roleArns: Record<string, string>,
  questions: readonly Question[],
  errors: ReadErrors,
): Promise<Simulation[]> {
  const answers = await Promise.all(
    questions.map((q) =>
      read(
        errors,
        `iam simulate ${q.action} for role ${q.role}`,
        undefined as Simulation | undefined,
        async () => {
          const out = await iam.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: roleArns[q.role],
              ActionNames: [q.action],
              ResourceArns: [q.resource],
              ContextEntries: Object.entries(q.context).map(([key, values]) => ({
                ContextKeyName: key,
                ContextKeyType: "stringList",
                ContextKeyValues: values,
              })),
            }),
          );
          const r = out.EvaluationResults?.[0];
          const blockedBy =
            r?.OrganizationsDecisionDetail?.AllowedByOrganizations === false
              ? "an organization's service control policy"
              : r?.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false
                ? "the role's permissions boundary"
                : undefined;
          return {
            ...q,
            decision: r?.EvalDecision ?? "implicitDeny",
            matched: (r?.MatchedStatements ?? []).map(
              (s) =>
                `${s.SourcePolicyId ?? "(policy)"} (${s.SourcePolicyType ?? "policy"}) line ${s.StartPosition?.Line ?? "?"}, column ${s.StartPosition?.Column ?? "?"}`,
            ),
            ...(blockedBy ? { blockedBy } : {}),
          };
        },
      ),
    ),
  );
  return answers.filter((a): a is Simulation => !!a);
}
