/**
 * A consumer of a platform stack that lacks an output fails loudly (requireOutput), naming the output,
 * instead of creating an Ingress with no class. Run in a child process, as the runtime reports every failed
 * input the way `pulumi up` would print it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTool } from "./helpers/cli";

test("a missing platform output stops the consumer, naming the output", async () => {
  const run = await runTool("tests/fixtures/consumer-missing-outputs.ts", []);
  assert.equal(run.code, 1, "the consumer program must fail");
  assert.match(
    run.stderr,
    /Required output 'publicIngressClass' does not exist on stack 'acme\/eks-platform\/dev'/,
  );
  assert.match(run.stderr, /the platform has no IRSA role 'orders-api'; it has: /);
  // Outputs the consumer does not read are not required.
  assert.doesNotMatch(run.stderr, /Required output 'internalCaCertificatePem'/);
});
