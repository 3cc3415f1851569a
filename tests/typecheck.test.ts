/**
 * Where type checking happens: the Pulumi CLI loads the program without it (Pulumi.yaml names a tsconfig with
 * `noCheck`), so `npm run typecheck` (part of `npm test`, and so of CI) must check everything and fail on a type
 * error.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import * as ts from "typescript";
import { parse } from "yaml";
import * as tsutils from "@pulumi/pulumi/tsutils";
import { ROOT } from "./helpers/cli";

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

test("npm test runs the type check, and a type error fails it", async () => {
  assert.match(scripts.test, /npm run typecheck/);
  assert.match(scripts.typecheck, /^tsc --noEmit -p tsconfig\.json$/);
  // A project whose tsconfig.json extends the real one, with one wrong file: the script's own command fails.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "typecheck-"));
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(ROOT, "tsconfig.json"),
      compilerOptions: { typeRoots: [path.join(ROOT, "node_modules", "@types")] },
      include: ["wrong.ts"],
    }),
  );
  fs.writeFileSync(path.join(dir, "wrong.ts"), 'export const replicas: number = "two";\n');
  const [command, ...args] = scripts.typecheck.split(" ");
  const run = promisify(execFile)(path.join(ROOT, "node_modules", ".bin", command), args, { cwd: dir });
  const failure = (await run.then(
    () => assert.fail("the type check passed"),
    (err: unknown) => err,
  )) as { code: number; stdout: string };
  assert.equal(failure.code, 2);
  assert.match(
    failure.stdout,
    /wrong\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/,
  );
});
