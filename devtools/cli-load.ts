/**
 * The program started exactly as the Pulumi CLI starts it for `pulumi preview`, with an engine stand-in in place
 * of the engine: `node --require ./runtime/transpile.ts devtools/cli-load.ts <stack> [--stack-file FILE]`
 * (prints what it ran and the resource count); `npm run bench` times `languageHostCommand`'s command.
 *
 * The Node language host (pulumi/pulumi `sdk/nodejs/cmd/pulumi-language-nodejs/main.go`: `parseOptions`,
 * `Run`, `execRuntime`, `constructArguments`, `constructConfig`, `constructConfigSecretKeys`; read at the newest
 * snapshot to be had, 3.260 in development, as v3.270.0's tag was not; the JavaScript half, `cmd/run`, is the
 * installed @pulumi/pulumi 3.270.0) starts `node`
 * with, in this order: the words of Pulumi.yaml's `runtime.options.nodeargs` (shell-split), the path
 * `require.resolve("@pulumi/pulumi/cmd/run")` gives in the program's folder, `--monitor <addr> --engine <addr>
 * --sync <dir> --organization <org> --project <name> --root-directory <dir> --stack <stack> --pwd <dir>
 * --dry-run --parallel <n>`, and the entry point (`.` unless Pulumi.yaml has `main`). Its environment adds
 * `PULUMI_CONFIG` (the stack's configuration as JSON, each `ns:key` written `ns:config:key`),
 * `PULUMI_CONFIG_SECRET_KEYS` (JSON list), `PULUMI_NODEJS_TYPESCRIPT=true` when `typescript` is on (its
 * default) and `PULUMI_NODEJS_TSCONFIG_PATH` when `tsconfig` is set. `--parallel` is the CLI's default, four per
 * core (pkg/cmd/pulumi/operations/up.go `defaultParallel`).
 *
 * What differs, because there is no engine: `--engine` and `--sync` are left out (the SDK would send its log
 * lines and invokes there), `--monitor` names no server, and `--require devtools/cli-engine.ts` follows the
 * `nodeargs`, giving the SDK the harness's mocks; the monitor's replies are in-process calls instead of gRPC.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { readStackConfig, ROOT } from "../offline/stackFile";

/**
 * Linux's limit on one environment string, `NAME=value` and its closing NUL (MAX_ARG_STRLEN): the language host
 * passes the whole configuration in PULUMI_CONFIG, and a longer one makes its exec of node fail with E2BIG,
 * `fork/exec .../node: argument list too long` (pulumi/pulumi issue 8680, open). Measured on this machine's
 * kernel: 131072 bytes start a process, 131073 do not.
 */
export const ENV_STRING_LIMIT = 131072;

/** The bytes `NAME=value` takes in a process's environment. */
export function envStringBytes(name: string, value: string): number {
  return Buffer.byteLength(`${name}=${value}`) + 1;
}

export interface HostCommand {
  /** Arguments to `node`. */
  args: string[];
  /** What the language host adds to the environment. */
  env: Record<string, string>;
}

export interface RuntimeOptions {
  typescript: boolean;
  tsconfig?: string;
  nodeargs: string[];
}

/** Splits `nodeargs` into words as the language host does (`shlex.Split`: blanks, quotes, backslashes). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new Error(`unclosed quote in nodeargs: ${text}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** Pulumi.yaml's `runtime.options` as the language host reads them (`parseOptions`). */
export function runtimeOptions(root = ROOT): RuntimeOptions {
  const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    runtime?: string | { options?: { typescript?: boolean; tsconfig?: string; nodeargs?: string } };
  };
  const options = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
  return {
    typescript: options.typescript ?? true,
    tsconfig: options.tsconfig,
    nodeargs: shellWords(options.nodeargs ?? ""),
  };
}

/**
 * The `node` command and environment the language host would use for `pulumi preview` of `stack`; `options`
 * stands for Pulumi.yaml's runtime options (to time another choice of them), `entry` for its `main`.
 */
export function languageHostCommand(
  stack: string,
  {
    stackFile,
    root = ROOT,
    options = runtimeOptions(root),
    entry = ".",
  }: {
    stackFile?: string;
    root?: string;
    options?: RuntimeOptions;
    /** The entry point the engine passes: `.` unless Pulumi.yaml has `main`. */
    entry?: string;
  } = {},
): HostCommand {
  const { config, secretKeys } = readStackConfig(stack, root, stackFile);
  const hostConfig = Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      const at = key.indexOf(":");
      return [`${key.slice(0, at)}:config:${key.slice(at + 1)}`, value];
    }),
  );
  const project = (parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  const env: Record<string, string> = {
    PULUMI_CONFIG: JSON.stringify(hostConfig),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
  };
  if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [root] });
  // The stand-in is TypeScript: without the project's loader among the nodeargs (ts-node's path), the loader goes
  // first to load it (the SDK as it is there: EKS_PLATFORM_SDK_AS_IS, which the bench sets).
  const loader = options.nodeargs.some((a) => /runtime\/transpile\.ts$/.test(a))
    ? []
    : ["--require", path.join(ROOT, "runtime", "transpile.ts")];
  const args = [
    ...options.nodeargs,
    ...loader,
    "--require",
    path.join(ROOT, "devtools", "cli-engine.ts"),
    runPath,
    ...["--monitor", "127.0.0.1:0", "--organization", "organization", "--project", project],
    ...["--root-directory", root, "--stack", stack, "--pwd", root, "--dry-run"],
    ...["--parallel", String(os.availableParallelism() * 4), entry],
  ];
  return { args, env };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--stack-file");
  const command = languageHostCommand(argv[0] ?? "dev", { stackFile: at >= 0 ? argv[at + 1] : undefined });
  process.stdout.write(`node ${command.args.join(" ")}\n`);
  // The language host starts node in the program's folder (plugin.go execPlugin sets the plugin's directory).
  const run = spawnSync(process.execPath, command.args, {
    cwd: ROOT,
    env: { ...process.env, ...command.env },
    stdio: "inherit",
  });
  process.exit(run.status ?? 1);
}
