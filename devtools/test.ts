/**
 * `npm test`: the static checks and the unit tests, side by side.
 *
 * The type check and ESLint (one program, devtools/check.ts) and Prettier each run on one core, mostly while the
 * unit tests wait on their child processes; run one after the other they added about a third to `npm test`.
 * Each step is an npm script, so any of them can be run alone (`npm run check`, `npm run format:check`,
 * `npm run test:unit`). The unit tests' output streams as it comes; the other steps' output is printed whole
 * when they finish, so nothing interleaves. Exit code: 0 when every step passed, else 1 (every step still runs to
 * its end, so one run shows every problem).
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { npmCommand } from "./npm";

const ROOT = path.resolve(__dirname, "..");

export interface Step {
  /** What the summary calls it. */
  title: string;
  /** The npm script that runs it. */
  script: string;
  /** Print its output line by line as it comes, instead of whole at the end. */
  stream: boolean;
}

export const STEPS: readonly Step[] = [
  { title: "type check and lint", script: "check", stream: false },
  { title: "formatting", script: "format:check", stream: false },
  { title: "unit tests", script: "test:unit", stream: true },
];

export interface StepResult {
  step: Step;
  code: number;
  seconds: number;
}

/** Runs one step; `write` receives its output (whole lines when streaming, everything at the end otherwise). */
export function runStep(step: Step, write: (text: string) => void): Promise<StepResult> {
  const started = process.hrtime.bigint();
  const [command, prefix] = npmCommand();
  const child = spawn(command, [...prefix, "run", "--silent", step.script], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // Piped, the tools would drop their colours; keep them when a person is watching.
    env:
      process.stdout.isTTY && !("FORCE_COLOR" in process.env)
        ? { ...process.env, FORCE_COLOR: "1" }
        : process.env,
  });
  let held = "";
  const take = (chunk: Buffer): void => {
    held += chunk.toString("utf8");
    if (step.stream) {
      const end = held.lastIndexOf("\n");
      if (end >= 0) {
        write(held.slice(0, end + 1));
        held = held.slice(end + 1);
      }
    }
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = code ?? (signal ? 1 : 0);
      if (step.stream) {
        if (held) write(held.endsWith("\n") ? held : `${held}\n`);
      } else {
        const verdict = status === 0 ? "passed" : `failed (exit ${status})`;
        write(`\n── ${step.title} (npm run ${step.script}): ${verdict}, ${seconds.toFixed(1)} s ──\n${held}`);
      }
      resolve({ step, code: status, seconds });
    });
  });
}

/** The closing summary: one line per step, failures marked. */
export function summary(results: readonly StepResult[]): string {
  const width = Math.max(...results.map((r) => r.step.title.length));
  const lines = results.map(
    (r) =>
      `  ${r.code === 0 ? "✔" : "✖"} ${r.step.title.padEnd(width)}  ${r.seconds.toFixed(1).padStart(6)} s` +
      `  (npm run ${r.step.script}${r.code === 0 ? "" : `: exit ${r.code}`})`,
  );
  const failed = results.filter((r) => r.code !== 0).length;
  return `\nnpm test: ${failed ? `${failed} of ${results.length} steps failed` : "every step passed"}\n${lines.join("\n")}\n`;
}

/** Runs the steps side by side, then prints the summary; returns the exit code for the whole. */
export async function runSteps(steps: readonly Step[], write: (text: string) => void): Promise<number> {
  const results = await Promise.all(steps.map((step) => runStep(step, write)));
  write(summary(results));
  return results.every((r) => r.code === 0) ? 0 : 1;
}

if (require.main === module) {
  runSteps(STEPS, (text) => process.stdout.write(text)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
