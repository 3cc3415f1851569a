/**
 * The mocks themselves: an invoke they were not taught fails the run with a message that names it, so a new data
 * source in the program cannot pass unnoticed and says what to add. In a child process: the runtime also
 * reports the failed invoke as an unhandled rejection, as `pulumi up` would.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTool } from "./helpers/cli";

test("an unexpected invoke fails the run, naming the invoke and its inputs", async () => {
  const run = await runTool("tests/fixtures/unknown-invoke.ts", []);
  assert.equal(run.code, 1, "the run must fail");
  const reported = run.stderr
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as string);
  assert.ok(reported.length > 0);
  for (const message of reported) {
    assert.equal(
      message,
      'unexpected invoke test:index:getNothing ({"name":"x"}): teach tools/harness.ts what it returns',
    );
  }
});
