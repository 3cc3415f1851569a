/**
 * The default printout of the offline plan: what each component would create, the IAM role ARNs (predicted, as
 * IAM will build them) and the stack outputs.
 */
import type { Capture } from "../offline/harness";
import { centralDnsSection, indent, parseJsonField, sortKeys, toYaml } from "./plan-format";

/** The last part of a type token, `aws:iam/role:Role` -> `Role`; providers read as `kubernetes provider`. */
function shortType(type: string): string {
  const provider = /^pulumi:providers:(.+)$/.exec(type);
  return provider ? `${provider[1]} provider` : type.slice(type.lastIndexOf(":") + 1);
}

/** A role's IAM name and ARN (`arn:<partition>:iam::<account>:role/<path><name>`). */
export interface PredictedRole {
  key: string;
  name: string;
  arn: string;
  /** Where the account came from, or why it is not known. */
  account: "known" | "unknown";
}

/**
 * The ARN each IAM role will get. IAM builds it from the partition, the account, the path and the name, all of
 * which the plan knows except, sometimes, the account: an IRSA role trusts the OIDC provider of its own account, so
 * the account is taken from the provider's ARN in the trust policy when that ARN is literal (given in the stack
 * file), and shown as `<account>` when it comes from the cluster look-up at deploy time (or the role uses Pod
 * Identity, whose trust names no account).
 */
export function predictRoleArns(capture: Capture): PredictedRole[] {
  return capture.resources
    .filter((r) => r.type === "aws:iam/role:Role")
    .map((r) => {
      const name = typeof r.inputs.name === "string" ? r.inputs.name : r.name;
      const rolePath = typeof r.inputs.path === "string" ? r.inputs.path.replace(/^\/+/, "") : "";
      const trust = JSON.stringify(parseJsonField(r.inputs.assumeRolePolicy) ?? "");
      const federated = /"Federated":"arn:([\w-]+):iam::([^:]*):oidc-provider\//.exec(trust);
      const partition = federated?.[1] ?? "aws";
      const account = federated && /^\d{12}$/.test(federated[2]) ? federated[2] : undefined;
      const owner = "eks-platform:identity:WorkloadRole::";
      const key = r.parent?.startsWith(owner) ? r.parent.slice(owner.length) : name;
      return {
        key,
        name,
        arn: `arn:${partition}:iam::${account ?? "<account>"}:role/${rolePath}${name}`,
        account: account ? ("known" as const) : ("unknown" as const),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

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

/** The default printout: what would be created per component, the role ARNs, the outputs. */
export function renderSummary(capture: Capture): string {
  const custom = capture.resources.filter((r) => r.custom);
  const read = custom.filter((r) => r.read).length;
  const roles = predictRoleArns(capture);
  // Outputs show the predicted ARN in place of the mocks' placeholder for it.
  const placeholders = new Map(
    roles.map((r) => [`<known after apply: aws:iam/role:Role ${r.name} arn>`, r.arn]),
  );
  const outputs = JSON.parse(JSON.stringify(sortKeys(capture.outputs)), (_k, v: unknown) =>
    typeof v === "string" ? (placeholders.get(v) ?? v) : v,
  ) as unknown;
  const width = Math.max(0, ...roles.map((r) => r.key.length));
  const lines = [
    `Offline plan of stack '${capture.stack}' (project ${capture.project}): the real program under mocks; no cloud or cluster was contacted.`,
    "",
    `Would create ${custom.length - read} resources${read ? ` and read ${read}` : ""}, by component:`,
    ...byComponent(capture),
    "",
    `IAM roles (${roles.length}):`,
    ...roles.map((r) => `  ${r.key.padEnd(width)}  ${r.arn}`),
    ...(roles.some((r) => r.account === "unknown")
      ? [
          "  <account>: the cluster's account, which the cluster look-up gives at deploy time (with IRSA, set cluster.oidcProviderArn to see it here).",
        ]
      : []),
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
