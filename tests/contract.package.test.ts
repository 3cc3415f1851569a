/**
 * The contract package (packages/contract) as an application team gets it: built from stacks/outputs.ts and
 * stacks/consumer.ts, packed with `npm pack`, installed from the tarball into a temporary project, then used from
 * plain JavaScript (require, under Pulumi's mocks) and from TypeScript (tsc against the shipped .d.ts).
 *
 * Offline: the temporary project links zod and @pulumi/pulumi from this repository's node_modules, so
 * `npm install --offline` finds every dependency without the registry.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { CONTRACT_VERSION, outputContract } from "../stacks/outputs";
import { npmCommand } from "../devtools/npm";
import { ROOT } from "./helpers/cli";

const PACKAGE = path.join(ROOT, "packages", "contract");
const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE, "package.json"), "utf8")) as {
  name: string;
  version: string;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** npm as the test was started with (`npm test` sets npm_execpath), else the one on PATH. */
function npm(args: string[], cwd: string): string {
  const [command, prefix] = npmCommand();
  return execFileSync(command, [...prefix, ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "contract-package-"));
const app = path.join(work, "app");
let packed: { filename: string; files: { path: string }[] };

before(() => {
  // `npm run test:unit` builds the package before any test file starts (the consumer tests import it by name);
  // build it here only when this file runs alone, so no test rewrites dist/ while another reads it.
  if (!fs.existsSync(path.join(ROOT, "packages", "contract", "dist", "stacks", "consumer.js"))) {
    npm(["run", "build", "--workspace", "packages/contract"], ROOT);
  }
  [packed] = JSON.parse(
    npm(["pack", "--workspace", "packages/contract", "--pack-destination", work, "--json"], ROOT),
  ) as (typeof packed)[];
  fs.mkdirSync(app);
  const link = (name: string) => `file:${path.join(ROOT, "node_modules", name)}`;
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({
      name: "orders-app",
      version: "0.0.0",
      private: true,
      dependencies: {
        [manifest.name]: `file:${path.join(work, packed.filename)}`,
        // The package's own dependency and its peer, from this checkout instead of the registry.
        zod: link("zod"),
        "@pulumi/pulumi": link("@pulumi/pulumi"),
      },
    }),
  );
  npm(["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], app);
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

describe("contract package", () => {
  test("its major version is the contract's major version", () => {
    assert.equal(manifest.version.split(".")[0], CONTRACT_VERSION.split(".")[0]);
    assert.ok(
      manifest.peerDependencies["@pulumi/pulumi"],
      "the consumer's own Pulumi SDK, never a second copy",
    );
    assert.ok(manifest.dependencies.zod);
  });

  test("the example consumer depends on this package's major version", () => {
    const example = JSON.parse(
      fs.readFileSync(path.join(ROOT, "examples", "consumer", "package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    assert.equal(example.dependencies[manifest.name], `^${manifest.version.split(".")[0]}.0.0`);
    const source = fs.readFileSync(path.join(ROOT, "examples", "consumer", "index.ts"), "utf8");
    assert.match(source, new RegExp(`from "${manifest.name}"`), "the example imports the package by name");
  });

  test("the tarball holds compiled JavaScript and declarations, no TypeScript sources", () => {
    const files = packed.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      "README.md",
      // The contract's enum literals come from the program's model (model/enums.ts), compiled beside it.
      "dist/model/enums.d.ts",
      "dist/model/enums.js",
      "dist/stacks/consumer.d.ts",
      "dist/stacks/consumer.js",
      "dist/stacks/outputs.d.ts",
      "dist/stacks/outputs.js",
      "package.json",
    ]);
    assert.ok(fs.existsSync(path.join(app, "node_modules", manifest.name, "dist", "stacks", "consumer.js")));
  });

  test("plain JavaScript requires it and reads a platform stack under Pulumi's mocks", () => {
    const outputs = {
      contractVersion: "1.4",
      publicIngressClass: "nginx-public",
      serviceAccountAnnotations: { "orders-api": { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x" } },
    };
    fs.writeFileSync(
      path.join(app, "index.js"),
      [
        'const pulumi = require("@pulumi/pulumi");',
        "pulumi.runtime.setMocks(",
        "  {",
        "    newResource: (a) => ({",
        "      id: a.name,",
        `      state: a.type === "pulumi:pulumi:StackReference" ? { name: a.name, outputs: ${JSON.stringify(outputs)} } : a.inputs,`,
        "    }),",
        "    call: (a) => a.inputs,",
        "  },",
        '  "orders-app", "dev", false,',
        ");",
        `const { platformOutputs, irsaAnnotations, checkContractVersion } = require("${manifest.name}");`,
        `const { CONTRACT_VERSION, checkOutputs } = require("${manifest.name}/outputs");`,
        'const platform = platformOutputs("acme/eks-platform/dev");',
        'pulumi.all([platform.publicIngressClass, irsaAnnotations(platform, "orders-api")]).apply(([cls, sa]) => {',
        "  let refused = '';",
        '  try { checkContractVersion("2.0"); } catch (e) { refused = e.message; }',
        "  console.log(JSON.stringify({ cls, sa, CONTRACT_VERSION, refused, problems: checkOutputs({}).length }));",
        "});",
      ].join("\n"),
    );
    const run = spawnSync(process.execPath, ["index.js"], { cwd: app, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as Record<string, unknown>;
    assert.deepEqual(result, {
      cls: "nginx-public",
      sa: outputs.serviceAccountAnnotations["orders-api"],
      CONTRACT_VERSION,
      refused: `the platform stack exports output contract 2.0, this helper reads ${CONTRACT_VERSION}: update the helper (major versions differ)`,
      problems: Object.keys(outputContract).length,
    });
  });

  for (const moduleResolution of ["node16", "node10"]) {
    test(`TypeScript (moduleResolution ${moduleResolution}) type-checks against the shipped .d.ts`, () => {
      const dir = path.join(app, `ts-${moduleResolution}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "ES2022",
            module: moduleResolution === "node16" ? "node16" : "commonjs",
            moduleResolution,
            types: [],
            skipLibCheck: true,
          },
          files: ["good.ts", "bad.ts"],
        }),
      );
      fs.writeFileSync(
        path.join(dir, "good.ts"),
        [
          'import * as pulumi from "@pulumi/pulumi";',
          `import { platformOutputs, irsaAnnotations, type PlatformOutputValues } from "${manifest.name}";`,
          `import { CONTRACT_VERSION, type PlatformOutputs } from "${manifest.name}/outputs";`,
          'const platform: PlatformOutputValues = platformOutputs("acme/eks-platform/dev");',
          "const cls: pulumi.Output<string> = platform.publicIngressClass;",
          "const zones: pulumi.Output<Record<string, string[]>> = platform.externalDnsZoneIds;",
          'const sa: pulumi.Output<Record<string, string>> = irsaAnnotations(platform, "orders-api");',
          'const tier: PlatformOutputs["tier"] = "prod";',
          "export const used = [cls, zones, sa, tier, CONTRACT_VERSION];",
        ].join("\n"),
      );
      // Wrong uses must fail: proof that the declarations type the outputs (nothing is `any`).
      fs.writeFileSync(
        path.join(dir, "bad.ts"),
        [
          'import * as pulumi from "@pulumi/pulumi";',
          `import { platformOutputs } from "${manifest.name}";`,
          'const platform = platformOutputs("acme/eks-platform/dev");',
          "export const n: pulumi.Output<number> = platform.publicIngressClass;",
          "export const missing = platform.ingressClassNames;",
        ].join("\n"),
      );
      const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
      const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
      const errors = run.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
      assert.ok(
        errors.every((l) => l.startsWith("bad.ts(")),
        `good.ts must type-check:\n${errors.join("\n")}`,
      );
      assert.deepEqual(
        errors.map((l) => l.replace(/:.*/, "")),
        ["bad.ts(4,14)", "bad.ts(5,33)"],
        run.stdout,
      );
    });
  }
});
