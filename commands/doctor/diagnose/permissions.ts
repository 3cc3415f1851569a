/**
 * Permissions, not just trust: IAM's own evaluation (iam:SimulatePrincipalPolicy) of what each tool's role may do
 * with the requests the tool makes, naming the statement that decides; and, for a Pod Identity role that chains
 * into the DNS account, whether the role there accepts the session tags the agent set.
 */
import type { ExpectedPlatform, Observed, Simulation } from "../model";
import type { Findings } from "./findings";
import { asList, restore } from "./findings";

function question(s: Simulation): string {
  const context = Object.entries(s.context).map(([k, v]) => `${k}=${v.join(",")}`);
  return `${s.action} on ${s.resource}${context.length ? ` with ${context.join(", ")}` : ""}`;
}

/** The CLI form of the same question, which shows IAM's full answer. */
function simulateCommand(arn: string, s: Simulation): string {
  const context = Object.entries(s.context)
    .map(([k, v]) => ` ContextKeyName=${k},ContextKeyValues=${v.join(",")},ContextKeyType=stringList`)
    .join("");
  return `aws iam simulate-principal-policy --policy-source-arn ${arn} --action-names ${s.action} --resource-arns '${s.resource}'${context ? ` --context-entries${context}` : ""}`;
}

export function checkPermissions(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  for (const s of obs.aws.simulations) {
    if (s.decision === "allowed") {
      continue;
    }
    const arn = obs.aws.roles[s.role]?.arn ?? s.role;
    const why =
      s.decision === "explicitDeny"
        ? `a statement denies it: ${s.matched.join("; ") || "(IAM named none)"}`
        : s.blockedBy
          ? `${s.blockedBy} does not allow it`
          : "no statement of the role's policies allows it";
    out.add(
      "permission-denied",
      "error",
      `role ${s.role}`,
      `IAM does not allow ${question(s)} (${s.decision}): ${why}. The tool's request fails with AccessDenied.`,
      [`decision ${s.decision}`, ...s.matched.map((m) => `matched statement ${m}`)],
      // The role's own policy is the stack's: restore it. A deny or a boundary/SCP is outside the stack: show it.
      s.decision === "implicitDeny" && !s.blockedBy ? restore(exp) : simulateCommand(arn, s),
    );
  }
  for (const c of obs.aws.centralTrusts) {
    const name = c.roleArn.split("/").pop() ?? c.roleArn;
    const sources = exp.roles.map((r) => obs.aws.roles[r.roleName]?.arn).filter((a): a is string => !!a);
    if (!c.trust) {
      out.add(
        "chain-trust-unchecked",
        "info",
        `role ${c.roleArn}`,
        `The trust of ${c.roleArn} in the DNS account could not be read (${c.error ?? "no reason"}); Pod Identity's session tags ride along into that AssumeRole, so it must allow sts:TagSession for this stack's role. Check it there.`,
        [c.error ?? ""],
        `aws iam get-role --role-name ${name} --query Role.AssumeRolePolicyDocument   # with the DNS account's credentials`,
      );
      continue;
    }
    const mine = c.trust.Statement.filter(
      (st) => st.Effect === "Allow" && asList(st.Principal?.AWS).some((p) => sources.includes(p)),
    );
    if (!mine.some((st) => asList(st.Action).some((a) => a === "sts:TagSession" || a === "sts:*"))) {
      out.add(
        "chain-trust-tag-session-missing",
        "error",
        `role ${c.roleArn}`,
        `The DNS account's role ${name} trusts this stack's role without sts:TagSession: Pod Identity's session tags are transitive, so its AssumeRole is refused.`,
        mine.length
          ? mine.map((st) => `Action: ${asList(st.Action).join(", ")}`)
          : ["no statement names this stack's role"],
        `pulumi stack output centralDnsRoles --json -s ${exp.stack}   # the trust to apply in the DNS account`,
      );
    }
  }
}
