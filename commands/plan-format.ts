/**
 * The offline plan's shared pieces: the byte-stable JSON plan, YAML and indentation helpers, and the central DNS
 * account's section, which both printouts (summary and `--verbose`) show.
 */
import { stringify } from "yaml";
import type { Capture } from "../offline/harness";

/** Values as YAML, long lines kept whole. */
export const toYaml = (value: unknown): string => stringify(value, { lineWidth: 0 });

/** Recursively sorts object keys so the JSON is byte-stable. Arrays keep their order (it is meaningful). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function planJson(capture: Capture): string {
  return `${JSON.stringify(sortKeys({ ...capture, invokes: [...capture.invokes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }), null, 2)}\n`;
}

export function parseJsonField(value: unknown): unknown {
  if (typeof value !== "string") {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

/**
 * The central DNS account's roles, as their owners apply them: each role's trust and permissions policy, in full.
 * Nothing when the stack has no central DNS account.
 */
export function centralDnsSection(capture: Capture): string[] {
  const roles = (capture.outputs.centralDnsRoles ?? {}) as Record<string, Record<string, string>>;
  const arns = Object.keys(roles);
  if (arns.length === 0) {
    return [];
  }
  const lines = [
    "",
    "Central DNS account: create these roles there, with these documents as they are (output centralDnsRoles):",
  ];
  for (const arn of arns) {
    lines.push(`  ${arn}`);
    for (const doc of ["trustPolicy", "permissionsPolicy"]) {
      lines.push(`    ${doc}:`, indent(JSON.stringify(parseJsonField(roles[arn][doc]), null, 2), "      "));
    }
  }
  return lines;
}

/** The last part of a type token, `aws:iam/role:Role` -> `Role`; providers read as `kubernetes provider`. */
export function shortType(type: string): string {
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
 * file), and shown as `(account-id)`, the plan's placeholder for it, when it comes from the cluster look-up at deploy time (or the role uses Pod
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
        // The mocks' own placeholder for an account known only at deploy time, so the ARN reads the same as in
        // the documents that name it (a central DNS role's trust policy, for one).
        arn: `arn:${partition}:iam::${account ?? "(account-id)"}:role/${rolePath}${name}`,
        account: account ? ("known" as const) : ("unknown" as const),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** Values with each role's predicted ARN in place of the mocks' placeholder for it (`<known after apply: ... arn>`). */
export function withPredictedArns(value: unknown, roles: readonly PredictedRole[]): unknown {
  const placeholders = new Map(
    roles.map((r) => [`<known after apply: aws:iam/role:Role ${r.name} arn>`, r.arn]),
  );
  return JSON.parse(JSON.stringify(value) ?? "null", (_k, v: unknown) =>
    typeof v === "string" ? (placeholders.get(v) ?? v) : v,
  ) as unknown;
}

/**
 * How many resources the plan registers, said the same way in the summary, `--verbose` and (as its total)
 * `npm run plan:diff`: every resource the program registers, custom resources (created or read) and components.
 */
export function countPhrase(capture: Capture): string {
  const custom = capture.resources.filter((r) => r.custom);
  const read = custom.filter((r) => r.read).length;
  const components = capture.resources.length - custom.length;
  return (
    `${capture.resources.length} resources: ${custom.length - read} to create` +
    `${read ? `, ${read} to read` : ""} and ${components} components`
  );
}
