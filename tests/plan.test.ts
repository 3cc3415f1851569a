/**
 * The offline plan command, run as a user runs it: both real stacks plan, the JSON is stable and sorted,
 * secrets stay masked, and bad configuration fails with the full report before anything is registered.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { runTool, type Run } from "./helpers/cli";
import { stackValues } from "./helpers/config";
import { planRun, writeStackFile } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
const runs: Record<string, Run> = {};
const plans: Record<string, string | undefined> = {};

before(async () => {
  const broken = stackValues("dev");
  broken.tier = "qa";
  (broken.certManager as Record<string, unknown>).email = "not-an-email";
  broken.ingres = { instances: {} };
  const brokenFile = writeStackFile(out, "broken", broken);
  // dev and prod as the other test files get them (planned once per test run); dev once more, on its own, to
  // compare the two plans byte for byte.
  const [dev, prod, devAgain, bad, missing, usage] = await Promise.all([
    planRun("dev"),
    planRun("prod"),
    runTool("tools/plan.ts", ["dev", "--out", path.join(out, "b"), "--quiet"]),
    runTool("tools/plan.ts", ["broken", "--stack-file", brokenFile, "--out", path.join(out, "bad")]),
    runTool("tools/plan.ts", ["staging", "--out", path.join(out, "missing")]),
    runTool("tools/plan.ts", []),
  ]);
  Object.assign(runs, { dev: dev.run, devAgain, prod: prod.run, bad, missing, usage });
  Object.assign(plans, { dev: dev.json, prod: prod.json });
});

const planFile = (dir: string, stack: string) =>
  dir === "a" ? (plans[stack] ?? "") : fs.readFileSync(path.join(out, dir, `${stack}.json`), "utf8");

describe("plan command", () => {
  test("plans both real stacks and prints every section", () => {
    for (const stack of ["dev", "prod"]) {
      const run = runs[stack];
      assert.equal(run.code, 0, run.stderr);
      for (const heading of [
        "Resources:",
        "Key settings:",
        "Dependencies:",
        "Look-ups (invokes):",
        "Stack outputs:",
      ]) {
        assert.ok(run.stdout.includes(`\n${heading}`), `${stack}: ${heading}`);
      }
      assert.match(run.stdout, new RegExp(`Offline plan of stack '${stack}'`));
      assert.match(run.stdout, /kubernetes:helm\.sh\/v3:Release {2}cert-manager/);
      assert.match(run.stdout, /version: v1\.21\.1/);
      assert.match(run.stdout, /--dependsOn--> {2}kubernetes:helm\.sh\/v3:Release::cert-manager/);
      assert.equal(run.stderr.includes("promises were still active"), false);
    }
    assert.match(runs.prod.stdout, /aws:iam\/role:Role {2}prod-cert-manager-platform {2}\[protected\]/);
    assert.doesNotMatch(runs.dev.stdout, /\[protected\]/);
  });

  test("writes byte-identical, key-sorted JSON on every run", () => {
    const a = planFile("a", "dev");
    assert.equal(a, planFile("b", "dev"));
    assert.match(runs.devAgain.stdout, /^Wrote .*dev\.json\n$/, "--quiet prints only where the plan went");
    const plan = JSON.parse(a) as {
      resources: { id: string; inputs: Record<string, unknown> }[];
      outputs: object;
    };
    const ids = plan.resources.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort());
    const keysSorted = (value: unknown): boolean =>
      Array.isArray(value)
        ? value.every(keysSorted)
        : value !== null && typeof value === "object"
          ? Object.keys(value).join() === Object.keys(value).sort().join() &&
            Object.values(value).every(keysSorted)
          : true;
    assert.ok(keysSorted(plan));
    assert.deepEqual(Object.keys(plan).sort(), [
      "invokes",
      "outputs",
      "project",
      "resources",
      "secretOutputs",
      "stack",
    ]);
  });

  test("masks secrets in the JSON and the printout", () => {
    for (const text of [planFile("a", "dev"), planFile("a", "prod"), runs.dev.stdout, runs.prod.stdout]) {
      assert.ok(!text.includes("internal-ca privateKeyPem"), "the CA key value never appears");
      assert.ok(text.includes("[secret]"));
    }
  });

  test("bad configuration: exit 1, every problem named, nothing registered, no plan written", () => {
    const run = runs.bad;
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Stack 'broken' configuration has 3 problems; nothing was created:/);
    assert.match(
      run.stderr,
      /- eks-platform:ingres \(got \{"instances":\{\}\}\): unknown key\. Did you mean "ingress"\?/,
    );
    assert.match(run.stderr, /- eks-platform:tier \(got "qa"\): expected one of "dev", "prod"/);
    assert.match(run.stderr, /- eks-platform:certManager\.email \(got "not-an-email"\): an e-mail address/);
    assert.match(run.stderr, /\(0 resources registered\)/);
    assert.equal(fs.existsSync(path.join(out, "bad", "broken.json")), false);
    assert.equal(run.stdout.includes("Offline plan"), false);
  });

  test("an unknown stack names the stacks there are; no stack prints usage", () => {
    assert.equal(runs.missing.code, 1);
    assert.match(runs.missing.stderr, /no stack file Pulumi\.staging\.yaml; stacks here: dev, prod/);
    assert.equal(runs.usage.code, 2);
    assert.match(runs.usage.stderr, /^usage: npm run plan -- <stack>/);
  });
});
