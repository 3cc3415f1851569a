/**
 * Where type checking happens: the Pulumi CLI loads the program without it (Pulumi.yaml names a tsconfig with
 * `noCheck`), so `npm run typecheck` (part of `npm test`, and so of CI) must check everything and fail on a type
 * error.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import * as ts from "typescript";
import { parse } from "yaml";
import * as tsutils from "@pulumi/pulumi/tsutils";
import { runSteps, STEPS } from "../devtools/test";
import { ROOT, runTool } from "./helpers/cli";

// Marked @internal, so absent from the SDK's typings; it is what cmd/run/run.js calls.
const { loadTypeScriptCompilerOptions } = tsutils as unknown as {
  loadTypeScriptCompilerOptions: (file: string) => Record<string, unknown>;
};

const scripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

function resolvedOptions(file: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    file,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) =>
        assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    },
  );
  assert.ok(parsed, file);
  assert.deepEqual(parsed.errors, [], file);
  return parsed.options;
}

test("the Pulumi CLI loads the program transpile-only, emitting what tsconfig.json says", () => {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime: { options: { typescript?: boolean; tsconfig?: string } };
  };
  const cliTsconfig = project.runtime.options.tsconfig;
  assert.ok(cliTsconfig, "Pulumi.yaml names the tsconfig the CLI uses");
  // The SDK's own reader, as cmd/run/run.js calls it: noCheck decides ts-node's transpileOnly.
  const raw = loadTypeScriptCompilerOptions(path.join(ROOT, cliTsconfig));
  assert.equal(raw.noCheck, true);
  // run.js puts these raw options over its own defaults (ES2020, nodenext): they must match the project's.
  const main = resolvedOptions(path.join(ROOT, "tsconfig.json"));
  const cli = resolvedOptions(path.join(ROOT, cliTsconfig));
  for (const key of ["target", "module", "moduleResolution"] as const) {
    assert.ok(key in raw, `${cliTsconfig} sets ${key} itself`);
    assert.equal(cli[key], main[key], key);
  }
  assert.deepEqual(
    { ...cli, noCheck: undefined, configFilePath: undefined },
    {
      ...main,
      noCheck: undefined,
      configFilePath: undefined,
    },
  );
  assert.notEqual(main.noCheck, true, "tsconfig.json itself type-checks");
});

test("npm test runs the type check and ESLint over one program, and a type or lint error fails it", async () => {
  assert.match(scripts.test, /devtools\/test\.ts/);
  assert.deepEqual(
    STEPS.map((s) => s.script),
    ["check", "format:check", "test:unit"],
  );
  assert.match(scripts.check, /devtools\/check\.ts$/);
  // A project whose tsconfig.json extends the real one, with one file of each kind of error.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "typecheck-"));
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(ROOT, "tsconfig.json"),
      compilerOptions: { typeRoots: [path.join(ROOT, "node_modules", "@types")] },
      include: ["*.ts"],
    }),
  );
  // The project's packages, as if installed here.
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "wrong.ts"), 'export const replicas: number = "two";\n');
  // Type-correct, but a lint error that needs the program's types (the argument is an Output).
  fs.writeFileSync(
    path.join(dir, "lint.ts"),
    'import * as pulumi from "@pulumi/pulumi";\nexport const url = `https://${pulumi.output("host")}/`;\n',
  );
  const run = await runTool("devtools/check.ts", ["--project", path.join(dir, "tsconfig.json")]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stdout,
    /wrong\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/,
  );
  assert.match(run.stdout, /lint\.ts\n\s+2:\d+\s+error .*@pulumi\/no-output-in-template-literal/);
  assert.doesNotMatch(run.stdout, /lint\.ts\(\d+,\d+\): error TS/, "the lint file type-checks");
  assert.match(run.stdout, /Type check: 1 error\(s\)\. ESLint: \d+ error\(s\) in 2 file\(s\)\./);
});

test("npm test runs every step to its end and fails when one step fails", async () => {
  let printed = "";
  const code = await runSteps(
    [
      { title: "a step that fails", script: "no-such-script", stream: false },
      { title: "a step that passes", script: "stacks", stream: true },
    ],
    (text) => (printed += text),
  );
  assert.equal(code, 1);
  assert.match(printed, /── a step that fails \(npm run no-such-script\): failed \(exit 1\), [\d.]+ s ──\n/);
  assert.match(printed, /^dev\s/m, "the passing step's output, streamed");
  assert.match(
    printed,
    /npm test: 1 of 2 steps failed\n {2}✖ a step that fails .*exit 1\)\n {2}✔ a step that passes /,
  );
});
