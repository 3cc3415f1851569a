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
import { writeStackFile } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
const runs: Record<string, Run> = {};

before(async () => {
  const broken = stackValues("dev");
  broken.tier = "qa";
  (broken.certManager as Record<string, unknown>).email = "not-an-email";
  broken.ingres = { instances: {} };
  const brokenFile = writeStackFile(out, "broken", broken);
  const [dev, devAgain, prod, bad, missing, usage] = await Promise.all([
    runTool("tools/plan.ts", ["dev", "--out", path.join(out, "a")]),
    runTool("tools/plan.ts", ["dev", "--out", path.join(out, "b"), "--quiet"]),
    runTool("tools/plan.ts", ["prod", "--out", path.join(out, "a")]),
    runTool("tools/plan.ts", ["broken", "--stack-file", brokenFile, "--out", path.join(out, "bad")]),
    runTool("tools/plan.ts", ["staging", "--out", path.join(out, "missing")]),
    runTool("tools/plan.ts", []),
  ]);
  Object.assign(runs, { dev, devAgain, prod, bad, missing, usage });
});

const planFile = (dir: string, stack: string) =>
  fs.readFileSync(path.join(out, dir, `${stack}.json`), "utf8");

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

test("a stack file that is not valid YAML is named with the line and column of the error", async () => {
  const file = path.join(out, "Pulumi.typo.yaml");
  fs.writeFileSync(
    file,
    "config:\n  aws:region: eu-west-1\n  eks-platform:dns:\n    publicZones:\n      - name: a.example.com\n     zoneId: Z0123456\n",
  );
  const run = await runTool("tools/plan.ts", ["typo", "--stack-file", file, "--out", path.join(out, "typo")]);
  assert.equal(run.code, 1);
  assert.ok(run.stderr.startsWith(`${file}:6:`), run.stderr);
  assert.match(run.stderr, /not valid YAML: /);
});
