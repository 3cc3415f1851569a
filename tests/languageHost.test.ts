/**
 * What `pulumi up` prints for bad configuration. The program runs under the harness's mocks with a broken stack
 * (in a child process: the runtime raises the error again as unhandled rejections, as under the real CLI), and
 * its error goes through the language host's handler of an uncaught error (tests/fixtures/language-host.ts).
 * The README shows this report; the two must be the same.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Registration } from "../devtools/cli-engine";
import {
  ENV_STRING_LIMIT,
  envStringBytes,
  languageHostCommand,
  runtimeOptions,
  shellWords,
} from "../devtools/cli-load";
import { runProgram } from "../offline/harness";
import { ConfigError, formatProblems } from "../stacks/config";
import { languageHostPrints, type LanguageHostReport } from "./fixtures/language-host";
import { ROOT, runTool, type Run } from "./helpers/cli";
import { edited, problems } from "./helpers/config";

/** The README's example of the error report: the `text` block after "Bad configuration exits 1". */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /Bad configuration exits 1[\s\S]*?```text\n([\s\S]*?)\n```/.exec(readme);
  assert.ok(block, "the README has an example of the error report");
  return block[1];
}

// The README's example: a misspelt section, an unknown tier and an e-mail that is not one.
const broken = edited("dev", {
  ingress: undefined,
  ingres: { instances: {} },
  tier: "qa",
  "certManager.email": "not-an-email",
});

test("pulumi up prints the formatted report of a bad stack, as the README shows it", async () => {
  const run = await runTool("tests/fixtures/language-host.ts", [JSON.stringify(broken)]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LanguageHostReport;
  assert.ok(report.rejectionsAreTheError, "the host reports one error, the program's");
  const expected = formatProblems("dev", problems(broken));
  assert.equal(report.printed, expected);
  assert.equal(readmeExample(), report.printed, "the README's example is what pulumi up prints");
});

test("the same report thrown as a plain error would print as an inspected object with a stack trace", () => {
  // The reason index.ts rethrows a ConfigError as a RunError.
  const program = path.join(ROOT, "index.ts");
  const plain = languageHostPrints(new ConfigError("dev", problems(broken)), program);
  assert.notEqual(plain, formatProblems("dev", problems(broken)));
  assert.match(plain, /^Running program .* failed with an unhandled exception:\n/);
  assert.match(plain, /at /, "with the stack trace");
});

// ---- the program as the Pulumi CLI starts it -----------------------------------------------------------------

interface CliRun extends Run {
  registrations: Registration[];
}

/** Runs `entry` as the language host starts it for `pulumi preview` of dev (devtools/cli-load.ts). */
function runAsCli(entry?: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const command = languageHostCommand("dev", { entry });
  const capture = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cli-run-")), "registrations.json");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      command.args,
      { cwd: ROOT, env: { ...process.env, ...command.env, ...env, EKS_PLATFORM_CLI_CAPTURE: capture } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        const registrations = fs.existsSync(capture)
          ? (JSON.parse(fs.readFileSync(capture, "utf8")) as Registration[])
          : [];
        resolve({ code, stdout, stderr, registrations });
      },
    );
  });
}

const FIXTURE = path.join(ROOT, "tests", "fixtures", "source-positions.ts");

/** The 1-based line of the fixture that ends with `// line: <tag>`, and the column of `text` on it. */
function fixtureLine(tag: string, text: string): { line: number; column: number } {
  const lines = fs.readFileSync(FIXTURE, "utf8").split("\n");
  const at = lines.findIndex((l) => l.endsWith(`// line: ${tag}`));
  assert.ok(at >= 0, tag);
  return { line: at + 1, column: lines[at].indexOf(text) + 1 };
}

test("pulumi preview starts the program through the project's loader, with the language host's arguments", () => {
  // Pulumi.yaml's runtime section, as pulumi-language-nodejs main.go parseOptions reads it.
  const options = runtimeOptions();
  assert.equal(options.typescript, false, "the SDK's ts-node is not used");
  assert.deepEqual(options.nodeargs, ["--require", "./runtime/transpile.ts"]);
  assert.equal(options.tsconfig, "tsconfig.pulumi.json");
  // runtime/transpile.ts applies the same tsconfig Pulumi.yaml names.
  const loader = fs.readFileSync(path.join(ROOT, "runtime", "transpile.ts"), "utf8");
  assert.match(loader, new RegExp(`path\\.join\\(ROOT, "${options.tsconfig.replace(".", "\\.")}"\\)`));
  const command = languageHostCommand("dev");
  // nodeargs first, then the SDK's run entry as require.resolve finds it, the flags, and the entry point.
  assert.deepEqual(command.args.slice(0, 2), options.nodeargs);
  const run = command.args.findIndex((a) =>
    a.endsWith(path.join("@pulumi", "pulumi", "cmd", "run", "index.js")),
  );
  assert.ok(run > 2, "cmd/run/index.js follows the nodeargs and the engine's stand-in");
  assert.equal(command.args.at(-1), ".");
  assert.ok(command.args.includes("--dry-run"));
  assert.equal(command.args[command.args.indexOf("--stack") + 1], "dev");
  assert.equal(command.args[command.args.indexOf("--project") + 1], "eks-platform");
  // constructConfig writes each `ns:key` as `ns:config:key`; typescript off sets no PULUMI_NODEJS_TYPESCRIPT.
  const config = JSON.parse(command.env.PULUMI_CONFIG) as Record<string, string>;
  assert.equal(config["aws:config:region"], "eu-west-1");
  assert.ok(Object.keys(config).every((k) => /^[^:]+:config:/.test(k)));
  assert.equal(command.env.PULUMI_NODEJS_TYPESCRIPT, undefined);
  assert.equal(command.env.PULUMI_NODEJS_TSCONFIG_PATH, "tsconfig.pulumi.json");
  assert.deepEqual(shellWords(`--a 'b c' "d\\"e" f\\ g`), ["--a", "b c", 'd"e', "f g"]);
});

test("run as the CLI runs it, dev registers what its plan records, each at the TypeScript line that creates it", async () => {
  const [cli, plan] = await Promise.all([runAsCli(), runProgram({ stack: "dev" })]);
  assert.equal(cli.code, 0, cli.stderr);
  // The plan's resources and the stack itself.
  assert.equal(cli.registrations.length, plan.resources.length + 1);
  assert.deepEqual(
    cli.registrations
      .filter((r) => r.type !== "pulumi:pulumi:Stack")
      .map((r) => `${r.type}::${r.name}`)
      .sort(),
    plan.resources.map((r) => r.id).sort(),
  );
  // Every position in the project's own files is a `new` expression: the line and column of the TypeScript.
  const own = cli.registrations.filter(
    (r) => r.source && !fileURLToPath(r.source.uri).includes(`${path.sep}node_modules${path.sep}`),
  );
  // The rest have no position in the project's files, each for a known reason: the stack, the providers and the
  // looked-up Services are constructed inside the SDKs; the NGINX CRDs are declared after an await (once their
  // manifest is read), with no program frame on the stack; NginxIngress's frame the SDK's pattern does not match.
  const elsewhere = new Set([
    "pulumi:pulumi:Stack",
    "pulumi:providers:kubernetes",
    "kubernetes:core/v1:Service",
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    "eks-platform:ingress:NginxIngress",
  ]);
  assert.deepEqual(
    cli.registrations
      .filter((r) => !own.includes(r) && !elsewhere.has(r.type))
      .map((r) => `${r.type}::${r.name}`),
    [],
  );
  assert.ok(own.length >= plan.resources.length - 16, `${own.length} positions in the project's files`);
  for (const r of own) {
    const file = fileURLToPath(r.source!.uri);
    assert.ok(file.endsWith(".ts") && fs.existsSync(file), `${r.type} ${r.name}: ${file}`);
    const line = fs.readFileSync(file, "utf8").split("\n")[r.source!.line - 1] ?? "";
    assert.match(
      line.slice(r.source!.column - 1),
      /^new /,
      `${r.type} ${r.name} at ${file}:${r.source!.line}`,
    );
  }
});

test("run as the CLI runs it, a resource's source position and an error's stack name the TypeScript lines", async () => {
  const run = await runAsCli(FIXTURE, { FIXTURE_THROW: "1" });
  assert.notEqual(run.code, 0, "the program's error fails the run");
  const marker = run.registrations.find((r) => r.type === "test:index:Marker");
  const resource = fixtureLine("resource", "new ");
  assert.deepEqual(marker?.source, { uri: pathToFileURL(FIXTURE).href, ...resource });
  const thrown = fixtureLine("throw", "new Error");
  // The SDK prints the error through util.inspect, coloured when the environment asks for it.
  // eslint-disable-next-line no-control-regex
  const printed = run.stderr.replace(/\u001b\[[0-9;]*m/g, "");
  assert.match(printed, /fixture failure/);
  assert.ok(
    printed.includes(`${FIXTURE}:${thrown.line}:${thrown.column}`),
    `the stack names ${FIXTURE}:${thrown.line}:${thrown.column}:\n${printed}`,
  );
});

test("the offline tools and the tests load the same: stack traces name the TypeScript lines", async () => {
  const run = await runTool("tests/fixtures/source-positions.ts", [], { FIXTURE_THROW: "1" });
  assert.notEqual(run.code, 0);
  const thrown = fixtureLine("throw", "new Error");
  assert.ok(run.stderr.includes(`${FIXTURE}:${thrown.line}:${thrown.column}`), run.stderr);
});

test("each stack file's configuration fits the one environment variable the language host passes it in", () => {
  const stacks = fs.readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
  assert.ok(stacks.includes("dev") && stacks.includes("prod"));
  for (const stack of stacks) {
    const bytes = envStringBytes("PULUMI_CONFIG", languageHostCommand(stack).env.PULUMI_CONFIG);
    assert.ok(bytes <= ENV_STRING_LIMIT, `${stack}: PULUMI_CONFIG takes ${bytes} bytes`);
  }
});
