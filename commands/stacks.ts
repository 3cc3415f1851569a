/**
 * The stacks of this project, discovered from its stack files: every `Pulumi.<stack>.yaml` next to `Pulumi.yaml`
 * is one environment. The workflows build their matrices with this (so a new environment is one new file) and
 * the tests plan every stack it finds.
 *
 *   npm run stacks                                   a table: stack, tier, file
 *   node --require ./runtime/transpile.ts commands/stacks.ts --json         ["dev","prod"]
 *   node --require ./runtime/transpile.ts commands/stacks.ts --github-output >> "$GITHUB_OUTPUT"
 *                                                    all=[...], dev=[...], prod=[...] (JSON lists, by tier)
 *
 * `--dir DIR` reads another directory; the default is the current one (the checkout root in a workflow, the
 * project root under `npm run`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import type { Tier } from "../model/enums";

/** Pulumi's stack file name: `Pulumi.<stack>.yaml` beside the project file `Pulumi.yaml`. */
const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

export interface StackInfo {
  name: string;
  /** `dev` or `prod` as the stack file sets `<project>:tier`; anything else (or nothing) counts as `prod`. */
  tier: Tier;
  file: string;
}

function projectOf(dir: string): string {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist: not a Pulumi project directory`);
  }
  const doc = parse(fs.readFileSync(file, "utf8")) as { name?: unknown } | null;
  if (typeof doc?.name !== "string") {
    throw new Error(`${file} has no project name`);
  }
  return doc.name;
}

/**
 * The tier a stack deploys with. A stack whose tier is missing or invalid is grouped with prod: its plan fails
 * the tests anyway, and if it ever reached a deployment it would wait behind the production approval.
 */
function tierOf(file: string, project: string): Tier {
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  const tier = config[`${project}:tier`] ?? config.tier;
  return tier === "dev" ? "dev" : "prod";
}

/** Every stack in `dir`, sorted by name. */
export function discoverStacks(dir = process.cwd()): StackInfo[] {
  const project = projectOf(dir);
  return fs
    .readdirSync(dir)
    .flatMap((f) => {
      const name = STACK_FILE.exec(f)?.[1];
      return name ? [{ name, tier: tierOf(path.join(dir, f), project), file: f }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The names of every stack, or of one tier's. */
export function stackNames(dir = process.cwd(), tier?: Tier): string[] {
  return discoverStacks(dir)
    .filter((s) => !tier || s.tier === tier)
    .map((s) => s.name);
}

/** `key=value` lines for `$GITHUB_OUTPUT`: every stack, and the stacks of each tier, as JSON lists. */
export function githubOutput(stacks: StackInfo[]): string {
  const names = (tier?: string) =>
    JSON.stringify(stacks.filter((s) => !tier || s.tier === tier).map((s) => s.name));
  return `all=${names()}\ndev=${names("dev")}\nprod=${names("prod")}\n`;
}

const USAGE = `usage: npm run stacks [-- --json | --github-output] [--dir DIR]

Lists the stacks of the project, one per Pulumi.<stack>.yaml file.

Options:
  --json            print the stack names as one JSON list
  --github-output   print all=, dev= and prod= lines (JSON lists) for $GITHUB_OUTPUT
  --dir DIR         read DIR instead of the current directory
  -h, --help        print this help
`;

export function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: "boolean" },
        "github-output": { type: "boolean" },
        dir: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    process.stderr.write(`${unknown ? `unknown option ${unknown}` : message.split(". ")[0]}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dir = path.resolve(values.dir ?? ".");
  let stacks: StackInfo[];
  try {
    stacks = discoverStacks(dir);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (!stacks.length) {
    process.stderr.write(`no stack files (Pulumi.<stack>.yaml) in ${dir}\n`);
    return 1;
  }
  if (values["github-output"]) {
    process.stdout.write(githubOutput(stacks));
  } else if (values.json) {
    process.stdout.write(`${JSON.stringify(stacks.map((s) => s.name))}\n`);
  } else {
    const width = Math.max(...stacks.map((s) => s.name.length));
    for (const s of stacks) process.stdout.write(`${s.name.padEnd(width)}  tier ${s.tier}  ${s.file}\n`);
  }
  return 0;
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
