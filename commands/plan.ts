/**
 * Offline plan: `npm run plan -- <stack> [--verbose] [--out DIR] [--quiet] [--stack-file FILE] [--config-file FILE]...
 * [--set KEY=VALUE]...`.
 *
 * `secure:` values, nested ones included, cannot be decrypted offline: they show as `[secret]` and are not
 * checked against their formats. Pulumi ESC imports (`environment:`) are not resolved; the plan says so, and
 * `--config-file` / `--set` supply the values they would give.
 *
 * Runs the real program with `Pulumi.<stack>.yaml` under Pulumi's mocks (no credentials, no Pulumi CLI, no
 * network), prints what the stack would create and writes a stable, sorted JSON plan to `plan/<stack>.json`
 * that two revisions can diff. By default the printout is a summary (what each component creates, the IAM role
 * ARNs, the outputs); `--verbose` prints every setting, dependency and look-up. Bad configuration exits 1 with the
 * same report `pulumi up` prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ProgramFailed, ROOT, runProgram, type Capture } from "../offline/harness";
import { environmentsNote, planConfig } from "./plan-config";
import { planJson } from "./plan-format";
import { renderSummary } from "./plan-summary";
import { renderPlan } from "./plan-verbose";

/** Where the plan command writes: the process's streams, or a buffer when a test runs it in-process. */
export interface PlanIo {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_IO: PlanIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `npm run plan -- <argv>`: returns the exit code. The command line calls it once; tests call it in their own
 * process (runProgram queues concurrent runs), which prints and writes exactly what the command would.
 */
export async function plan(argv: readonly string[], io: PlanIo = PROCESS_IO): Promise<number> {
  const option = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const repeated = (name: string): string[] => argv.flatMap((a, i) => (argv[i - 1] === name ? [a] : []));
  const withValue = ["--out", "--stack-file", "--config-file", "--set"];
  const outDir = option("--out") ?? path.join(ROOT, "plan");
  const stackFile = option("--stack-file");
  const quiet = argv.includes("--quiet");
  const verbose = argv.includes("--verbose");
  const stack = argv.find((a, i) => !a.startsWith("--") && !withValue.includes(argv[i - 1]));
  if (!stack) {
    io.err(
      "usage: npm run plan -- <stack> [--verbose] [--out DIR] [--quiet] [--stack-file FILE] [--config-file FILE]... [--set KEY=VALUE]...\n",
    );
    return 2;
  }
  let capture: Capture;
  let note = "";
  try {
    const given = planConfig(
      stack,
      stackFile && path.resolve(stackFile),
      repeated("--config-file").map((f) => path.resolve(f)),
      repeated("--set"),
    );
    note = environmentsNote(given.environments);
    capture = await runProgram({ stack, config: given.config, secretKeys: given.secretKeys });
  } catch (err) {
    const cause = err instanceof ProgramFailed ? err.error : err;
    const registered = err instanceof ProgramFailed ? err.resourcesRegistered : 0;
    // The program reports bad configuration as a RunError (index.ts), which the CLI prints as its message alone.
    if (pulumi.RunError.isInstance(cause)) {
      io.err(`${cause.message}\n(${registered} resources registered)\n${note && `${note}\n`}`);
      return 1;
    }
    // A failure inside the program is a bug: show where. Anything else (no such stack file) needs only the message.
    const detail =
      err instanceof ProgramFailed && cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    io.err(`${detail.replace(/^Error: /, "")}\n`);
    return 1;
  }
  if (note) {
    io.err(`${note}\n`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${stack}.json`);
  fs.writeFileSync(file, planJson(capture));
  if (!quiet) {
    io.out(verbose ? renderPlan(capture) : renderSummary(capture));
  }
  io.out(`Wrote ${path.relative(process.cwd(), file)}\n`);
  return 0;
}

if (require.main === module) {
  plan(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
