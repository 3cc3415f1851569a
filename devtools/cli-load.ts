/**
 * Loads the program the way the Pulumi CLI does, under the mocks, for `npm run bench`:
 * `node devtools/cli-load.ts <stack>`.
 *
 * Pulumi's Node language host (@pulumi/pulumi 3.270 `cmd/run/run.js`) registers ts-node before it requires the
 * program: the tsconfig named by PULUMI_NODEJS_TSCONFIG_PATH (set from Pulumi.yaml's `runtime.options.tsconfig`
 * by pulumi-language-nodejs) or ./tsconfig.json, compiler options read from that file's own text
 * (`tsutils.loadTypeScriptCompilerOptions`) over its defaults, and `transpileOnly` from
 * PULUMI_NODEJS_TRANSPILE_ONLY or else the file's `noCheck`. This script does the same steps, then runs
 * index.ts through offline/harness.ts (also compiled by ts-node, so a type-checking run checks the harness too)
 * and prints how many resources it registered.
 *
 * Node loads this file with its built-in type stripping (ts-node is not registered yet): only syntax that
 * stripping removes, only built-in modules at the top level.
 */
import type * as Harness from "../offline/harness";
import type * as TsNode from "ts-node";

const path = process.getBuiltinModule("node:path");
const fs = process.getBuiltinModule("node:fs");
const nodeModule = process.getBuiltinModule("node:module");

const ROOT = path.resolve(__dirname, "..");
const fromRoot = nodeModule.createRequire(path.join(ROOT, "package.json"));

/** Pulumi.yaml's `runtime.options.tsconfig`, as the language host passes it on. */
function projectTsconfig(): string | undefined {
  const yaml = fromRoot("yaml") as { parse(text: string): unknown };
  const project = yaml.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime?: { options?: { tsconfig?: string } };
  };
  return project.runtime?.options?.tsconfig;
}

async function main(stack: string): Promise<void> {
  process.chdir(ROOT);
  const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? projectTsconfig() ?? "tsconfig.json";
  const tsutils = fromRoot("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
  };
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
  const fromEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  const transpileOnly = fromEnv ? fromEnv === "true" : compilerOptions.noCheck === true;
  (fromRoot("ts-node") as typeof TsNode).register({
    compiler: "typescript",
    transpileOnly,
    project: tsConfigPath,
    skipProject: !fs.existsSync(tsConfigPath),
    compilerOptions: {
      target: "ES2020",
      module: "nodenext",
      moduleResolution: "nodenext",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
  const harness = fromRoot("./offline/harness.ts") as typeof Harness;
  const capture = await harness.runProgram({ stack });
  process.stdout.write(
    `${capture.resources.length} resources (tsconfig ${tsConfigPath}, transpileOnly ${String(transpileOnly)})\n`,
  );
}

main(process.argv[2] ?? "dev").catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
