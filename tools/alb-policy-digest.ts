/**
 * Digests of an IAM policy, statement by statement: what tests/fixtures/alb-iam-policy.digest.json holds for the
 * AWS Load Balancer Controller's upstream policy files, so the test can compare our policy (components/
 * awsLoadBalancerController/policy.ts) with upstream's without a copy of upstream's files in this repository.
 *
 *   node --import tsx tools/alb-policy-digest.ts aws=<iam_policy.json> aws-cn=<iam_policy_cn.json> \
 *     aws-us-gov=<iam_policy_us-gov.json>
 *
 * prints the fixture's `partitions` object (a bare path prints that one file's entry). Read the upstream files at
 * the pinned tag into a scratch directory; never commit them.
 *
 * Canonical form of a statement: JSON with object keys sorted at every level, array order kept, and `Action`,
 * `NotAction`, `Resource` and `NotResource` always lists (IAM reads `"*"` and `["*"]` the same, and our data
 * always writes lists). Everything else is taken as written, so a changed condition value or operator changes the
 * digest.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";

/** One policy file's digests: how many statements, and the SHA-256 of each in canonical form, in file order. */
export interface PolicyDigest {
  statements: number;
  sha256: string[];
}

const LIST_KEYS = new Set(["Action", "NotAction", "Resource", "NotResource"]);

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(sortedJson).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A statement in canonical form (see the file comment). */
export function canonicalStatement(statement: Record<string, unknown>): string {
  const normalised = Object.fromEntries(
    Object.entries(statement).map(([k, v]) => [k, LIST_KEYS.has(k) && typeof v === "string" ? [v] : v]),
  );
  return sortedJson(normalised);
}

export function statementDigest(statement: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalStatement(statement)).digest("hex");
}

/** The digests of a policy document's statements. */
export function policyDigest(document: { Statement: unknown }): PolicyDigest {
  const statements = (
    Array.isArray(document.Statement) ? document.Statement : [document.Statement]
  ) as Record<string, unknown>[];
  return { statements: statements.length, sha256: statements.map(statementDigest) };
}

function main(args: string[]): void {
  if (args.length === 0) {
    console.error("usage: alb-policy-digest.ts [<partition>=]<policy.json> ...");
    process.exit(2);
  }
  const digestOf = (file: string) =>
    policyDigest(JSON.parse(fs.readFileSync(file, "utf8")) as { Statement: unknown });
  if (args.length === 1 && !args[0].includes("=")) {
    console.log(JSON.stringify(digestOf(args[0]), null, 2));
    return;
  }
  const out: Record<string, PolicyDigest> = {};
  for (const arg of args) {
    const at = arg.indexOf("=");
    if (at < 1) {
      console.error(`expected <partition>=<file>, got ${arg}`);
      process.exit(2);
    }
    out[arg.slice(0, at)] = digestOf(arg.slice(at + 1));
  }
  console.log(JSON.stringify(out, null, 2));
}

if (require.main === module) {
  main(process.argv.slice(2));
}
