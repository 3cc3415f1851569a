/**
 * Digests of an IAM policy, statement by statement: what tests/fixtures/alb-iam-policy.digest.json holds for the
 * AWS Load Balancer Controller's upstream policy files, so the test can compare our policy (components/
 * awsLoadBalancerController/policy.ts) with upstream's without a copy of upstream's files in this repository.
 *
 *   node --require ./runtime/transpile.ts devtools/alb-policy-digest.ts aws=<iam_policy.json> aws-cn=<iam_policy_cn.json> \
 *     aws-us-gov=<iam_policy_us-gov.json>
 *
 * prints the fixture's `partitions` object (a bare path prints that one file's entry). Read the upstream files at
 * the pinned tag into a scratch directory; never commit them.
 *
 * Canonical form of a statement: policy/facts.ts `canonicalStatement` (keys sorted at every level, array order
 * kept, `Action`/`Resource` always lists); a changed condition value or operator changes the digest.
 */
import * as fs from "node:fs";
// The one canonical form and digest, the policy pack's: the pack recognises the policy by these digests.
import { statementDigest } from "../policy/facts";

export { canonicalStatement, statementDigest } from "../policy/facts";

/** One policy file's digests: how many statements, and the SHA-256 of each in canonical form, in file order. */
export interface PolicyDigest {
  statements: number;
  sha256: string[];
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
