/**
 * What `pulumi up` prints for bad configuration. The program runs under the harness's mocks with a broken stack
 * (in a child process: the runtime raises the error again as unhandled rejections, as under the real CLI), and
 * its error goes through the language host's handler of an uncaught error (tests/fixtures/language-host.ts).
 * The README shows this report; the two must be the same.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ConfigError, formatProblems } from "../stacks/config";
import { languageHostPrints, type LanguageHostReport } from "./fixtures/language-host";
import { ROOT, runTool } from "./helpers/cli";
import { edited, problems } from "./helpers/config";

/** The README's example of the error report: the `text` block after "Bad configuration exits 1". */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /Bad configuration exits 1[\s\S]*?```text\n([\s\S]*?)\n```/.exec(readme);
  assert.ok(block, "the README has an example of the error report");
  return block[1];
}

// The README's example: a misspelt section, an unknown tier and an e-mail that is not one.
const broken = edited("dev", {
  ingress: undefined,
  ingres: { instances: {} },
  tier: "qa",
  "certManager.email": "not-an-email",
});

test("pulumi up prints the formatted report of a bad stack, as the README shows it", async () => {
  const run = await runTool("tests/fixtures/language-host.ts", [JSON.stringify(broken)]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LanguageHostReport;
  assert.ok(report.rejectionsAreTheError, "the host reports one error, the program's");
  const expected = formatProblems("dev", problems(broken));
  assert.equal(report.printed, expected);
  assert.equal(readmeExample(), report.printed, "the README's example is what pulumi up prints");
});

test("the same report thrown as a plain error would print as an inspected object with a stack trace", () => {
  // The reason index.ts rethrows a ConfigError as a RunError.
  const program = path.join(ROOT, "index.ts");
  const plain = languageHostPrints(new ConfigError("dev", problems(broken)), program);
  assert.notEqual(plain, formatProblems("dev", problems(broken)));
  assert.match(plain, /^Running program .* failed with an unhandled exception:\n/);
  assert.match(plain, /at /, "with the stack trace");
});
