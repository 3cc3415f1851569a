/**
 * `npm run plan:diff -- <stack> [<git-rev>]`: what the working tree changes in a stack's offline plan compared with
 * a git revision (default `HEAD`), value by value, as a person checks before pushing.
 *
 * The working tree is planned where it is; the revision is checked out into a temporary `git worktree` (your
 * checkout is not touched) and planned there with its own program and stack file. Both plans are compared by
 * commands/plan-diff.ts, the code the pull-request workflow uses. The worktree borrows this checkout's node_modules
 * when the revision's package-lock.json is the same, and installs with `npm ci` otherwise.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { transitionSection } from "../offline/transitions/report";
import { diffPlans, parsePlan, renderDiff, renderWithoutBase, STRICT_UNSAFE } from "./plan-diff";

/** The repository this file belongs to (commands/..). */
const ROOT = path.resolve(__dirname, "..");

const git = (args: string[], cwd = ROOT): string =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/**
 * How to load the TypeScript of the program in `dir`: its own loader (runtime/transpile.ts, as `npm run plan` does,
 * or tools/transpile.ts before that layout) when that revision has one, else tsx, which revisions before it used.
 */
function loaderOf(dir: string): string[] {
  const own = ["runtime", "tools"]
    .map((d) => path.join(dir, d, "transpile.ts"))
    .find((f) => fs.existsSync(f));
  return own ? ["--require", own] : ["--import", "tsx"];
}

/** The plan command of the program in `dir`: commands/plan.ts, or tools/plan.ts in revisions before that layout. */
export function planCommandOf(dir: string): string {
  const current = path.join(dir, "commands", "plan.ts");
  return fs.existsSync(current) ? current : path.join(dir, "tools", "plan.ts");
}

/** Plans `stack` with the program in `dir` into `out`; the error text when it fails. */
function plan(dir: string, stack: string, out: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...loaderOf(dir), planCommandOf(dir), stack, "--out", out, "--quiet"],
      { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve(code === 0 ? undefined : (stderr || stdout).trim() || `exit ${code}`);
      },
    );
  });
}

export async function main(argv: string[]): Promise<number> {
  const usage =
    "usage: npm run plan:diff -- <stack> [<git-rev>] [--strict]   (default revision: HEAD; --strict exits 3 on an unsafe transition)\n";
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { help: { type: "boolean", short: "h" }, strict: { type: "boolean" } },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`${(err instanceof Error ? err.message : String(err)).split(". ")[0]}\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [stack, rev = "HEAD", ...extra] = parsed.positionals;
  if (!stack || extra.length) {
    process.stderr.write(usage);
    return 2;
  }
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  } catch {
    process.stderr.write(`${rev} is not a git revision of ${ROOT}\n`);
    return 2;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
  const worktree = path.join(work, "base");
  try {
    // The working tree plans while the revision is checked out (and installed, if it must be).
    const headPlanned = plan(ROOT, stack, path.join(work, "head"));
    git(["worktree", "add", "--detach", "--quiet", worktree, commit]);
    const lock = (dir: string) => {
      const file = path.join(dir, "package-lock.json");
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    };
    if (lock(worktree) !== undefined && lock(worktree) === lock(ROOT)) {
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(worktree, "node_modules"), "dir");
    } else {
      process.stderr.write(`${rev} has other dependencies: installing them in the temporary worktree\n`);
      const install = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], {
        cwd: worktree,
        stdio: ["ignore", "ignore", "inherit"],
      });
      if (install.status !== 0) {
        process.stderr.write(`npm ci failed in the worktree of ${rev}\n`);
      }
    }
    const baseFile = path.join(work, "base-plan", `${stack}.json`);
    const [headError, baseError] = await Promise.all([
      headPlanned,
      plan(worktree, stack, path.dirname(baseFile)),
    ]);
    if (headError) {
      process.stderr.write(`the working tree's plan of ${stack} failed:\n${headError}\n`);
      return 1;
    }
    const head = parsePlan(fs.readFileSync(path.join(work, "head", `${stack}.json`), "utf8"), "working tree");
    const title = `Offline plan of ${stack}: ${rev} (${commit.slice(0, 12)}) → working tree`;
    if (baseError) {
      process.stdout.write(
        renderWithoutBase(head, `${rev} could not plan ${stack} (${baseError.split("\n")[0]})`, title),
      );
      // Nothing was judged: --strict cannot pass on that.
      return parsed.values.strict === true ? 1 : 0;
    }
    const base = parsePlan(fs.readFileSync(baseFile, "utf8"), rev);
    // The same predictions as the pull request's diff (commands/plan-diff.ts): replacements, deletions, errors.
    const transition = transitionSection(base, head);
    process.stdout.write(`${renderDiff(diffPlans(base, head), title)}\n${transition.markdown}`);
    return parsed.values.strict === true && !transition.safe ? STRICT_UNSAFE : 0;
  } finally {
    if (fs.existsSync(worktree)) {
      git(["worktree", "remove", "--force", worktree]);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
