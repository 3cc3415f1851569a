/**
 * The offline plan command, run as a user runs it: every stack file plans (commands/stacks.ts finds them, so a new
 * `Pulumi.<stack>.yaml` is planned here with no change to this file), the summary and `--verbose` print what they
 * promise, the JSON is stable and sorted, secrets stay masked, and bad configuration fails with the full report
 * before anything is registered.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { runTool, type Run } from "./helpers/cli";
import { stackValues } from "./helpers/config";
import { runPlan, writeStackFile } from "./helpers/stacks";
import { discoverStacks, stackNames } from "../commands/stacks";
import { ROOT } from "./helpers/cli";

const STACKS = stackNames(ROOT);

const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
const runs: Record<string, Run> = {};

before(async () => {
  const broken = stackValues("dev");
  broken.tier = "qa";
  (broken.certManager as Record<string, unknown>).email = "not-an-email";
  broken.ingres = { instances: {} };
  const brokenFile = writeStackFile(out, "broken", broken);
  const [devAgain, devVerbose, prodVerbose, bad, missing, usage, ...summaries] = await Promise.all([
    runPlan(["dev", "--out", path.join(out, "b"), "--quiet"]),
    runPlan(["dev", "--out", path.join(out, "v"), "--verbose"]),
    runPlan(["prod", "--out", path.join(out, "v"), "--verbose"]),
    runPlan(["broken", "--stack-file", brokenFile, "--out", path.join(out, "bad")]),
    runPlan(["no-such-stack", "--out", path.join(out, "missing")]),
    // As a process: the exit code goes through process.exit.
    runTool("commands/plan.ts", []),
    ...STACKS.map((stack) => runPlan([stack, "--out", path.join(out, "a")])),
  ]);
  Object.assign(runs, { devAgain, devVerbose, prodVerbose, bad, missing, usage });
  STACKS.forEach((stack, i) => (runs[stack] = summaries[i]));
});

const planFile = (dir: string, stack: string) =>
  fs.readFileSync(path.join(out, dir, `${stack}.json`), "utf8");

describe("plan command", () => {
  test("every stack file plans and prints the summary: components, role ARNs, outputs", () => {
    assert.ok(STACKS.includes("dev") && STACKS.includes("prod"), STACKS.join(", "));
    for (const stack of STACKS) {
      const run = runs[stack];
      assert.equal(run.code, 0, `${stack}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^Offline plan of stack '${stack}'`));
      for (const heading of ["Would create ", "IAM roles (", "Stack outputs:"]) {
        assert.ok(run.stdout.includes(`\n${heading}`), `${stack}: ${heading}`);
      }
      assert.match(
        run.stdout,
        /^ {2}CertManager cert-manager: Release cert-manager \(\S+cert-manager v1\.21\.1\)$/m,
      );
      assert.doesNotMatch(
        run.stdout,
        /\nKey settings:|--dependsOn-->/,
        `${stack}: details only with --verbose`,
      );
      assert.match(run.stdout, /add --verbose/);
      assert.equal(run.stderr.includes("promises were still active"), false);
    }
    assert.ok(runs.dev.stdout.split("\n").length < 120, "the summary fits on a screen or two");
  });

  test("the summary predicts each role's ARN, with the account when the stack file gives it", () => {
    // dev names its OIDC provider (account 111111111111); prod derives it from the cluster look-up at deploy time.
    const dev = runs.dev.stdout;
    assert.match(dev, /^ {2}orders-api +arn:aws:iam::111111111111:role\/dev-orders-api-orders$/m);
    assert.match(dev, /^ {2}cert-manager +arn:aws:iam::111111111111:role\/dev-cert-manager-platform$/m);
    assert.match(
      dev,
      /eks\.amazonaws\.com\/role-arn: arn:aws:iam::111111111111:role\/dev-orders-api-orders$/m,
    );
    assert.doesNotMatch(dev, /<account>/);
    const prod = runs.prod.stdout;
    assert.match(prod, /^ {2}cert-manager +arn:aws:iam::<account>:role\/prod-cert-manager-platform$/m);
    assert.match(
      prod,
      /^ {2}<account>: the cluster's account, which the cluster look-up gives at deploy time/m,
    );
    assert.match(
      prod,
      /^ {2}WorkloadRole cert-manager: Policy \+ Role \[protected\] \+ RolePolicyAttachment prod-cert-manager-platform$/m,
    );
  });

  test("--verbose prints every section with the program's own input names", () => {
    for (const run of [runs.devVerbose, runs.prodVerbose]) {
      assert.equal(run.code, 0, run.stderr);
      for (const heading of [
        "Resources:",
        "Key settings:",
        "Dependencies:",
        "Look-ups (invokes):",
        "Stack outputs:",
      ]) {
        assert.ok(run.stdout.includes(`\n${heading}`), heading);
      }
      assert.match(run.stdout, /kubernetes:helm\.sh\/v3:Release {2}cert-manager/);
      assert.match(run.stdout, /version: v1\.21\.1/);
      assert.match(run.stdout, /--dependsOn--> {2}kubernetes:helm\.sh\/v3:Release::cert-manager/);
      assert.match(run.stdout, /^ {6}assumeRolePolicy:$/m);
      assert.match(run.stdout, /^ {6}repositoryOpts:$/m);
      assert.doesNotMatch(run.stdout, /^ {6}(trust|repo|data):/m, "names the program does not use");
    }
    assert.match(
      runs.prodVerbose.stdout,
      /aws:iam\/role:Role {2}prod-cert-manager-platform {2}\[protected\]/,
    );
    assert.doesNotMatch(runs.devVerbose.stdout, /\[protected\]/);
  });

  test("the JSON plan is the same with and without --verbose", () => {
    assert.equal(planFile("v", "dev"), planFile("a", "dev"));
    assert.equal(planFile("v", "prod"), planFile("a", "prod"));
  });

  test("discovery finds the stack files the plan reads", () => {
    assert.deepEqual(
      discoverStacks(ROOT).map((s) => s.file),
      STACKS.map((s) => `Pulumi.${s}.yaml`),
    );
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
      // dev runs one ingress replica: the program warns that its rollouts have a gap.
      "warnings",
    ]);
  });

  test("masks secrets in the JSON and the printout", () => {
    for (const text of [
      planFile("a", "dev"),
      planFile("a", "prod"),
      runs.devVerbose.stdout,
      runs.prodVerbose.stdout,
    ]) {
      assert.ok(!text.includes("internal-ca privateKeyPem"), "the CA key value never appears");
      assert.ok(text.includes("[secret]"));
    }
    assert.ok(!runs.dev.stdout.includes("internal-ca privateKeyPem"));
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
    assert.match(
      runs.missing.stderr,
      new RegExp(`no stack file Pulumi\\.no-such-stack\\.yaml; stacks here: ${STACKS.join(", ")}`),
    );
    assert.equal(runs.usage.code, 2);
    assert.match(runs.usage.stderr, /^usage: npm run plan -- <stack>/);
  });
});

test("the command as a process prints and writes exactly what the tests' in-process runs did", async () => {
  // The in-process runs above share one Pulumi runtime, one of them after a failed program (broken): the
  // command line, a fresh process, must agree with them byte for byte.
  const expected = planFile("a", "dev");
  const run = await runTool("commands/plan.ts", ["dev", "--out", path.join(out, "a")]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, runs.dev.stdout);
  assert.equal(run.stderr, runs.dev.stderr);
  assert.equal(planFile("a", "dev"), expected);
});

test("a stack file that is not valid YAML is named with the line and column of the error", async () => {
  const file = path.join(out, "Pulumi.typo.yaml");
  fs.writeFileSync(
    file,
    "config:\n  aws:region: eu-west-1\n  eks-platform:dns:\n    publicZones:\n      - name: a.example.com\n     zoneId: Z0123456\n",
  );
  const run = await runPlan(["typo", "--stack-file", file, "--out", path.join(out, "typo")]);
  assert.equal(run.code, 1);
  assert.ok(run.stderr.startsWith(`${file}:6:`), run.stderr);
  assert.match(run.stderr, /not valid YAML: /);
});
