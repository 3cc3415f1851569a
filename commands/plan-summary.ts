/**
 * The default printout of the offline plan: what each component would create, the IAM role ARNs (predicted, as
 * IAM will build them) and the stack outputs.
 */
import type { Capture } from "../offline/harness";
import {
  centralDnsSection,
  countPhrase,
  indent,
  predictRoleArns,
  shortType,
  sortKeys,
  toYaml,
  withPredictedArns,
} from "./plan-format";
import { remoteComponents } from "./plan-remote";

/** What each component would create: its own resources by type, a Helm release with its chart and version. */
function byComponent(capture: Capture): string[] {
  const lines: string[] = [];
  const owners = [undefined, ...capture.resources.filter((r) => !r.custom).map((r) => r.id)];
  for (const owner of owners) {
    const own = capture.resources.filter((r) => r.custom && r.parent === owner);
    if (!own.length) continue;
    const component = capture.resources.find((r) => r.id === owner);
    const groups = new Map<string, string[]>();
    for (const r of own) {
      const label = `${r.read ? "reads " : ""}${shortType(r.type)}${r.protect ? " [protected]" : ""}`;
      const chart =
        r.type === "kubernetes:helm.sh/v3:Release"
          ? ` (${String(r.inputs.chart)} ${String(r.inputs.version)})`
          : "";
      groups.set(label, [...(groups.get(label) ?? []), `${r.name}${chart}`]);
    }
    const entries = [...groups];
    // An IRSA role's Role, Policy and attachment share one name: say it once.
    const oneName = entries.every(([, names]) => names.length === 1 && names[0] === entries[0][1][0]);
    const what = oneName
      ? `${entries.map(([label]) => label).join(" + ")} ${entries[0][1][0]}`
      : entries.map(([label, names]) => `${label} ${names.join(", ")}`).join("; ");
    lines.push(`  ${component ? `${shortType(component.type)} ${component.name}` : "(stack)"}: ${what}`);
  }
  return lines;
}

/**
 * Where the `(account-id)` in a role ARN comes from, in this stack's cluster mode: a created cluster's account (the one
 * Pulumi deploys into), the account of an OIDC provider this stack creates, or the looked-up cluster's (which
 * `cluster.oidcProviderArn` can give offline).
 */
function accountHint(capture: Capture): string {
  if (capture.resources.some((r) => r.type === "eks:index:Cluster")) {
    return "  (account-id): the account the new cluster is created in (the deploying credentials'), known at deploy time.";
  }
  if (capture.resources.some((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider")) {
    return "  (account-id): the account of the OIDC provider this stack creates (the cluster's), known at deploy time.";
  }
  return "  (account-id): the cluster's account, which the cluster look-up gives at deploy time (with IRSA, set cluster.oidcProviderArn to see it here).";
}

/** The default printout: what would be created per component, the role ARNs, the outputs. */
export function renderSummary(capture: Capture): string {
  const roles = predictRoleArns(capture);
  const outputs = withPredictedArns(sortKeys(capture.outputs), roles);
  const width = Math.max(0, ...roles.map((r) => r.key.length));
  const lines = [
    `Offline plan of stack '${capture.stack}' (project ${capture.project}): the real program under mocks; no cloud or cluster was contacted.`,
    "",
    `Would register ${countPhrase(capture)}, by component:`,
    ...byComponent(capture),
    ...remoteComponents(capture),
    "",
    `IAM roles (${roles.length}):`,
    ...roles.map((r) => `  ${r.key.padEnd(width)}  ${r.arn}`),
    ...(roles.some((r) => r.account === "unknown") ? [accountHint(capture)] : []),
    "",
    "Stack outputs:",
    indent(toYaml(outputs), "  "),
    // The central DNS account's owners act on these documents: they belong in the summary too.
    ...centralDnsSection(capture),
    "",
    "Everything (IAM documents, Helm values, ClusterIssuers, dependencies, look-ups): add --verbose.",
  ];
  return `${lines.join("\n")}\n`;
}
