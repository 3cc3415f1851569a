/**
 * The mocks themselves: an invoke they were not taught fails the run with a message that names it, so a new data
 * source in the program cannot pass unnoticed and says what to add. In a child process: the runtime also
 * reports the failed invoke as an unhandled rejection, as `pulumi up` would. And how a secret nested in an
 * input is recorded: masked where it sits, as the engine keeps it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { maskNestedSecrets, SECRET } from "../offline/harness";
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
      'unexpected invoke test:index:getNothing ({"name":"x"}): teach offline/mockAnswers.ts what it returns',
    );
  }
});

test("a secret nested in an input is masked where it sits; other special values are left to the mocks", () => {
  const secret = (value: unknown) => ({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    value,
  });
  assert.deepEqual(
    maskNestedSecrets({ replicas: 2, tls: { cert: "PEM", key: secret("KEY") }, list: ["a", secret("b")] }),
    { replicas: 2, tls: { cert: "PEM", key: SECRET }, list: ["a", SECRET] },
  );
  assert.equal(maskNestedSecrets(secret({ whole: true })), SECRET);
  // A resource reference (or an asset, an archive, an output value) inside: undefined, the mocks' decoding stands.
  const reference = { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x" };
  assert.equal(maskNestedSecrets({ a: secret("k"), b: reference }), undefined);
  assert.equal(maskNestedSecrets([reference]), undefined);
});
