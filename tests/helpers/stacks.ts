/**
 * Stack files for tests: write one derived from a real stack, and plan a stack as a user would
 * (`npm run plan`, commands/plan.ts), returning its JSON plan.
 *
 * The plan command runs in the test's own process (`runPlan`): the same function the command line calls, with
 * its output captured, so a test pays for loading the SDKs once and not once per plan. tests/plan.test.ts runs
 * the command as a process too and checks both say the same.
 *
 * Each distinct stack given to `planRun` is planned once per test run: the first test file that asks plans it, the others (each
 * `node --test` file is its own process) read the result from a folder shared by the files of one run.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import type { Capture } from "../../offline/harness";
import { plan } from "../../commands/plan";
import { ROOT, type Run } from "./cli";
import { setPath, stackValues } from "./config";

/** Writes `Pulumi.<name>.yaml` in `dir` from decoded values (project keys without namespace); returns its path. */
export function writeStackFile(dir: string, name: string, values: Record<string, unknown>): string {
  const config = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `eks-platform:${k}`, v]),
  );
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, stringify({ config }));
  return file;
}

/** A stack file derived from a real one (`base`) with values changed by path. */
export function derivedStackFile(
  dir: string,
  name: string,
  base: string,
  changes: Record<string, unknown>,
): string {
  const values = stackValues(base);
  for (const [key, value] of Object.entries(changes)) setPath(values, key, value);
  return writeStackFile(dir, name, values);
}

/** Frozen copies of the shipped stack files, the base of every exact expectation. */
export const FIXTURE_STACKS = path.join(ROOT, "tests", "fixtures", "stacks");

/** The fixture copy of a stack file, or undefined when there is none (then the real file is used). */
export function fixtureStackFile(stack: string): string | undefined {
  const file = path.join(FIXTURE_STACKS, `Pulumi.${stack}.yaml`);
  return fs.existsSync(file) ? file : undefined;
}

/** Everything a plan depends on besides its stack file: the program, the tools and the installed packages. */
function sourceHash(): string {
  const hash = crypto.createHash("sha256");
  const walk = (rel: string): void => {
    const full = path.join(ROOT, rel);
    if (fs.statSync(full).isDirectory()) {
      for (const entry of fs.readdirSync(full).sort()) walk(path.join(rel, entry));
    } else if (/\.(ts|json|ya?ml)$/.test(rel)) {
      hash.update(rel).update("\0").update(fs.readFileSync(full)).update("\0");
    }
  };
  for (const rel of [
    "index.ts",
    "model",
    "components",
    "stacks",
    "commands",
    "offline",
    "runtime",
    "package-lock.json",
    "Pulumi.yaml",
  ]) {
    walk(rel);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The folder the test files of this run share. `node --test` starts every test file as a child of one runner
 * process, so the runner's pid names the run; the source hash keeps a reused pid from serving stale plans.
 */
const shared = path.join(os.tmpdir(), `eks-platform-plans-${process.ppid}-${sourceHash()}`);

/**
 * `npm run plan -- <args>` in this process: its exit code and what it printed. Runs queue behind each other
 * (the Pulumi runtime is process-global; offline/harness.ts).
 */
export async function runPlan(args: readonly string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await plan(args, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

export interface PlanRun {
  /** The plan command's exit code and output (without `--quiet`: the full rendering). */
  run: Run;
  /** The JSON plan, when the command succeeded. */
  json?: string;
}

/**
 * Runs `npm run plan -- <stack>` once per test run; later callers, in any test file, get the first run's result.
 * Without `stackFile`, `dev` and `prod` are the fixture stacks (tests/fixtures/stacks), so a team's edit of the
 * real stack files changes no exact expectation; tests/stacks.test.ts checks the real files.
 */
export async function planRun(stack: string, stackFile = fixtureStackFile(stack)): Promise<PlanRun> {
  const config = fs.readFileSync(stackFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
  const key = crypto
    .createHash("sha256")
    .update(stack)
    .update("\0")
    .update(config)
    .digest("hex")
    .slice(0, 24);
  fs.mkdirSync(shared, { recursive: true });
  const result = path.join(shared, `${key}.json`);
  const lock = path.join(shared, `${key}.lock`);
  for (;;) {
    if (fs.existsSync(result)) {
      return JSON.parse(fs.readFileSync(result, "utf8")) as PlanRun;
    }
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch {
      // Another test file is planning this stack: wait for its result.
      await sleep(50);
    }
  }
  const out = fs.mkdtempSync(path.join(shared, `${stack}-`));
  const run = await runPlan([stack, "--out", out, ...(stackFile ? ["--stack-file", stackFile] : [])]);
  const file = path.join(out, `${stack}.json`);
  const planned: PlanRun = { run, json: run.code === 0 ? fs.readFileSync(file, "utf8") : undefined };
  // Written whole under another name, then renamed, so a waiting process never reads half a file.
  fs.writeFileSync(`${result}.tmp`, JSON.stringify(planned));
  fs.renameSync(`${result}.tmp`, result);
  return planned;
}

/** Plans `stack` (from its fixture or real stack file, or `stackFile`) into `out` and returns the plan; fails on a non-zero exit. */
export async function planStack(stack: string, out: string, stackFile?: string): Promise<Capture> {
  const { run, json } = await planRun(stack, stackFile);
  assert.equal(run.code, 0, run.stderr);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, `${stack}.json`), json!);
  return JSON.parse(json!) as Capture;
}
