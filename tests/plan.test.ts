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
import { derivedStackFile, runPlan, writeStackFile } from "./helpers/stacks";
import { diffPlans, parsePlan, renderDiff, renderWithoutBase } from "../commands/plan-diff";
import { eksClusterExpected } from "../commands/plan-remote";
import { nginxIngressCrds, nginxIngressCrdsUrl } from "../components/versions";
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
      for (const heading of ["Would register ", "IAM roles (", "Stack outputs:"]) {
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
    assert.doesNotMatch(dev, /\(account-id\)/);
    const prod = runs.prod.stdout;
    assert.match(prod, /^ {2}cert-manager +arn:aws:iam::\(account-id\):role\/prod-cert-manager-platform$/m);
    // The same ARN as the central DNS role's trust policy names it: one way of writing it everywhere.
    assert.ok(
      prod.includes('"Principal":{"AWS":"arn:aws:iam::(account-id):role/prod-cert-manager-platform"}'),
    );
    assert.doesNotMatch(prod, /<account>/);
    assert.match(
      prod,
      /^ {2}\(account-id\): the cluster's account, which the cluster look-up gives at deploy time/m,
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
    // The report says nothing was created; no count of registered resources follows it.
    assert.doesNotMatch(run.stderr, /resources registered|were registered/);
    assert.match(run.stderr, /an e-mail address[^\n]*\n$/, "the report is the last thing printed");
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
    assert.match(
      runs.usage.stderr,
      /^npm run plan takes one stack; none given\n\nusage: npm run plan -- <stack>/,
    );
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

describe("plan command line", () => {
  const FLAGS = ["--verbose", "--quiet", "--out", "--stack-file", "--config-file", "--set", "--help"];

  test("--help and -h list every option, exit 0 and plan nothing", async () => {
    for (const help of ["--help", "-h"]) {
      const run = await runPlan([help]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^usage: npm run plan -- <stack> \[options\]/);
      for (const flag of FLAGS) {
        assert.match(run.stdout, new RegExp(`^ {2}(-h, )?${flag}\\b`, "m"), `${help}: ${flag}`);
      }
      assert.doesNotMatch(run.stdout + run.stderr, /Pulumi\.-h\.yaml|no stack file/);
    }
    // With a stack too, help wins: nothing is planned.
    const run = await runPlan(["dev", "--help", "--out", path.join(out, "help")]);
    assert.equal(run.code, 0);
    assert.equal(fs.existsSync(path.join(out, "help")), false);
  });

  test("every option the help lists is one the command takes", async () => {
    const help = (await runPlan(["--help"])).stdout;
    const listed = [...help.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]);
    assert.deepEqual([...listed].sort(), [...FLAGS].sort());
    for (const flag of listed.filter((f) => f !== "--help")) {
      const withValue = ["--out", "--stack-file", "--config-file", "--set"].includes(flag);
      // A stack that does not exist: the options are read, then the stack file is not found (exit 1, not 2).
      const run = await runPlan(["no-such-stack", flag, ...(withValue ? ["x=y"] : [])]);
      assert.equal(run.code, 1, `${flag}: ${run.stderr}`);
    }
  });

  test("an unknown option is an error with the usage, not ignored", async () => {
    for (const bad of [
      ["dev", "--verbos"],
      ["dev", "-v"],
      ["--stack", "dev"],
    ]) {
      const run = await runPlan(bad);
      assert.equal(run.code, 2, bad.join(" "));
      assert.match(run.stderr, new RegExp(`^unknown option ${bad.find((a) => a.startsWith("-"))}\n`));
      assert.match(run.stderr, /\nusage: npm run plan -- <stack>/);
      assert.equal(run.stdout, "");
    }
  });

  test("more than one stack: says it takes one, plans none", async () => {
    const run = await runPlan(["dev", "prod", "--out", path.join(out, "two")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^npm run plan takes one stack; got 2 \(dev, prod\): run it once per stack/);
    assert.equal(fs.existsSync(path.join(out, "two")), false);
  });

  test("an option without its value is an error", async () => {
    const run = await runPlan(["dev", "--out"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--out/);
  });
});

describe("the other commands' command lines", () => {
  for (const [script, name] of [
    ["commands/stacks.ts", "stacks"],
    ["commands/plan-diff-rev.ts", "plan:diff"],
  ]) {
    test(`npm run ${name}: -h prints the usage, an unknown option exits 2`, async () => {
      const help = await runTool(script, ["-h"]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^usage: npm run ${name}`));
      const bad = await runTool(script, ["--bogus"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--bogus/);
      assert.match(bad.stderr, new RegExp(`usage: npm run ${name}`));
    });
  }
});

describe("the plan shows everything it would create, counted and named one way", () => {
  const COUNT = /(\d+) resources: (\d+) to create(?:, (\d+) to read)? and (\d+) components/;

  test("the summary, --verbose and plan:diff count the same resources", () => {
    for (const [stack, verbose] of [
      ["dev", runs.devVerbose],
      ["prod", runs.prodVerbose],
    ] as const) {
      const summary = COUNT.exec(runs[stack].stdout);
      const detailed = COUNT.exec(verbose.stdout);
      assert.ok(summary && detailed, stack);
      assert.equal(summary[0], detailed[0], stack);
      const plan = parsePlan(planFile("a", stack));
      const [total, create, read, components] = summary.slice(1).map((n) => Number(n ?? 0));
      assert.equal(total, plan.resources.length, stack);
      assert.equal(create + read + components, total, stack);
      assert.ok(renderDiff(diffPlans(plan, plan)).includes(`(${total} resources unchanged)`), stack);
      assert.match(
        renderWithoutBase(plan, "none"),
        new RegExp(`has ${total} resources: ${create + read} to create or read and ${components} components`),
      );
    }
  });

  test("a role's ARN reads the same in the summary and --verbose (Helm values and outputs included)", () => {
    const arn = "arn:aws:iam::111111111111:role/dev-cert-manager-platform";
    for (const run of [runs.dev, runs.devVerbose]) {
      assert.doesNotMatch(run.stdout, /<known after apply: aws:iam\/role:Role/);
      assert.ok(run.stdout.includes(`cert-manager: ${arn}`));
    }
    assert.match(
      runs.devVerbose.stdout,
      new RegExp(`^ +eks\\.amazonaws\\.com/role-arn: ${arn}$`, "m"),
      "in Helm values",
    );
  });

  test("the NGINX CRDs are listed, and --verbose says where their manifest comes from", () => {
    for (const run of [runs.dev, runs.prod]) {
      assert.ok(
        run.stdout.includes(
          `  NginxIngressCrds nginx-ingress-crds: CustomResourceDefinition ${nginxIngressCrds.names.join(", ")}`,
        ),
      );
    }
    assert.ok(
      runs.devVerbose.stdout.includes(
        `        (read at deploy time): ${nginxIngressCrdsUrl} (sha256 ${nginxIngressCrds.sha256})\n`,
      ),
    );
  });

  test("a created cluster lists what eks.Cluster is expected to create, and its account hint fits the mode", async () => {
    const file = derivedStackFile(out, "created", "prod", {
      cluster: { mode: "new", name: "created-eks", vpcId: "vpc-0123456789abcdef0" },
      loadBalancerController: undefined,
    });
    const run = await runPlan(["created", "--stack-file", file, "--out", path.join(out, "created")]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ {2}Cluster created-eks \[remote component eks:index:Cluster\]: /m);
    assert.match(
      run.stdout,
      /^ {4}Expected \(@pulumi\/eks 4\.3\.0's source, for the arguments this program passes; not counted above\):$/m,
    );
    // The lines follow the arguments the program passes (the JSON plan holds them as the component's inputs).
    const plan = parsePlan(fs.readFileSync(path.join(out, "created", "created.json"), "utf8"));
    const cluster = plan.resources.find((r) => r.type === "eks:index:Cluster")!;
    const expected = eksClusterExpected("created-eks", cluster.inputs as Record<string, unknown>);
    assert.ok(expected.length >= 7);
    for (const line of expected) {
      assert.ok(run.stdout.includes(`      ${line}\n`), line);
    }
    assert.match(
      run.stdout,
      /^ {6}ServiceRole created-eks-eksRole: Role \+ 1 RolePolicyAttachment \(AmazonEKSClusterPolicy\)$/m,
    );
    assert.match(run.stdout, /^ {6}cluster access: ConfigMap aws-auth \(created-eks-nodeAccess\)/m);
    assert.match(run.stdout, /^ {2}\(account-id\): the account the new cluster is created in/m);
    // cluster.oidcProviderArn is a key of mode: existing only.
    assert.doesNotMatch(run.stdout, /oidcProviderArn/);
  });
});
