/**
 * Offline plan: `npm run plan -- <stack> [--verbose] [--out DIR] [--quiet] [--stack-file FILE] [--config-file FILE]...
 * [--set KEY=VALUE]...`; `--help` describes each option, and an unknown option is an error (exit 2).
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
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { contactedHosts } from "../components/sources/hosts";
import { ProgramFailed, projectName, ROOT, runProgram, type Capture } from "../offline/harness";
import { loadPlatformConfig } from "../stacks/config";
import { environmentsNote, planConfig } from "./plan-config";
import { planJson } from "./plan-format";
import { hostsSection } from "./plan-hosts";
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

/** The options `npm run plan` takes, for util.parseArgs; USAGE lists each one. */
const OPTIONS = {
  verbose: { type: "boolean" },
  quiet: { type: "boolean" },
  out: { type: "string" },
  "stack-file": { type: "string" },
  "config-file": { type: "string", multiple: true },
  set: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

export const USAGE = `usage: npm run plan -- <stack> [options]

Plans one stack offline: the program with Pulumi.<stack>.yaml under Pulumi's mocks, no cloud or cluster contacted.
Prints a summary and writes the JSON plan to plan/<stack>.json.

Options:
  --verbose            print everything: the resource tree, IAM documents, Helm values, dependencies, look-ups
  --quiet              print only where the JSON plan was written
  --out DIR            write the JSON plan to DIR/<stack>.json instead of plan/<stack>.json
  --stack-file FILE    read the stack's configuration from FILE instead of Pulumi.<stack>.yaml
  --config-file FILE   a file with a config: map, as in a stack file, over the stack file's (repeatable)
  --set KEY=VALUE      one configuration key over everything else, JSON for a structured key (repeatable)
  -h, --help           print this help
`;

/** The command line read: what to plan, or the exit code and text to stop with (help, a usage error). */
export type PlanArgs =
  | {
      stack: string;
      outDir: string;
      stackFile?: string;
      configFiles: string[];
      sets: string[];
      quiet: boolean;
      verbose: boolean;
    }
  | { exit: 0 | 2; text: string };

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs names the option (unknown, or missing its value); the usage says what there is.
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    return { exit: 2, text: `${unknown ? `unknown option ${unknown}` : message}\n\n${USAGE}` };
  }
  const { values, positionals } = parsed;
  if (values.help) {
    return { exit: 0, text: USAGE };
  }
  if (positionals.length !== 1) {
    const got = positionals.length
      ? `got ${positionals.length} (${positionals.join(", ")}): run it once per stack`
      : "none given";
    return { exit: 2, text: `npm run plan takes one stack; ${got}\n\n${USAGE}` };
  }
  return {
    stack: positionals[0],
    outDir: values.out ?? path.join(ROOT, "plan"),
    stackFile: values["stack-file"],
    configFiles: values["config-file"] ?? [],
    sets: values.set ?? [],
    quiet: values.quiet ?? false,
    verbose: values.verbose ?? false,
  };
}

/**
 * `npm run plan -- <argv>`: returns the exit code. The command line calls it once; tests call it in their own
 * process (runProgram queues concurrent runs), which prints and writes exactly what the command would.
 */
export async function plan(argv: readonly string[], io: PlanIo = PROCESS_IO): Promise<number> {
  const args = parsePlanArgs(argv);
  if ("exit" in args) {
    if (args.exit === 0) {
      io.out(args.text);
    } else {
      io.err(args.text);
    }
    return args.exit;
  }
  const { stack, outDir, stackFile, quiet, verbose } = args;
  let capture: Capture;
  let hosts: string[] = [];
  let note = "";
  try {
    const given = planConfig(
      stack,
      stackFile && path.resolve(stackFile),
      args.configFiles.map((f) => path.resolve(f)),
      args.sets,
    );
    note = environmentsNote(given.environments);
    capture = await runProgram({
      stack,
      config: given.config,
      secretKeys: given.secretKeys,
      stackFile: path.resolve(stackFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`)),
    });
    // The configuration resolved: the program ran on it.
    const cfg = loadPlatformConfig({ all: given.config, stack, project: projectName() });
    hosts = hostsSection(contactedHosts(cfg), cfg.region, verbose);
  } catch (err) {
    const cause = err instanceof ProgramFailed ? err.error : err;
    const registered = err instanceof ProgramFailed ? err.resourcesRegistered : 0;
    // The program reports bad configuration as a RunError (index.ts), which the CLI prints as its message alone.
    if (pulumi.RunError.isInstance(cause)) {
      // The report says nothing was created; a resource registered before it would be a bug, and is named.
      const leak = registered > 0 ? `(yet ${registered} resources were registered before the report)\n` : "";
      io.err(`${cause.message}\n${leak}${note && `${note}\n`}`);
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
    io.out(`${hosts.join("\n").slice(1)}\n`);
  }
  for (const warning of capture.warnings ?? []) io.err(`warning: ${warning}\n`);
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
