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
import * as ts from "typescript";
import { CONTRACT_VERSION, outputContract } from "../stacks/outputs";
import { npmCommand } from "../devtools/npm";
import { ROOT } from "./helpers/cli";

const PACKAGE = path.join(ROOT, "packages", "contract");
const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE, "package.json"), "utf8")) as {
  name: string;
  version: string;
  main: string;
  license: string;
  files: string[];
  publishConfig: { registry: string; access: string };
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
  if (!fs.existsSync(path.join(PACKAGE, manifest.main))) {
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
        // The package's own dependency and its peer, from this checkout instead of the registry, and the
        // Node.js types every Pulumi TypeScript template installs.
        zod: link("zod"),
        "@pulumi/pulumi": link("@pulumi/pulumi"),
        "@types/node": link("@types/node"),
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

  test("a plain npm publish goes to the private registry in publishConfig, never to registry.npmjs.org", () => {
    // A scope keeps consumers' installs on the scope's registry (no public package of the same name can be
    // picked up instead), and publishConfig.registry wins over the publisher's default registry, even one set in
    // the environment. `npm publish --dry-run` packs and reports the target without contacting it.
    assert.match(manifest.name, /^@[a-z0-9-]+\/eks-platform-contract$/);
    assert.equal(manifest.publishConfig.access, "restricted");
    const [command, prefix] = npmCommand();
    // Offline: a dry run needs no registry, and online it waits for one this machine may not reach. The npm
    // settings `npm test` passes down (npm_config_*, such as its --silent) are left out, the publisher's own
    // default registry put in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
    const run = spawnSync(
      command,
      [
        ...prefix,
        "publish",
        "--dry-run",
        "--offline",
        "--loglevel=notice",
        "--workspace",
        "packages/contract",
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...env, npm_config_registry: "https://registry.npmjs.org/" } },
    );
    const output = run.stdout + run.stderr;
    assert.equal(run.status, 0, output);
    const target = /Publishing to (\S+) /.exec(output)?.[1];
    assert.equal(target?.replace(/\/$/, ""), manifest.publishConfig.registry.replace(/\/$/, ""), output);
    assert.doesNotMatch(output, /registry\.npmjs\.org/);
    assert.doesNotMatch(manifest.publishConfig.registry, /registry\.npmjs\.org|registry\.yarnpkg\.com/);
  });

  test("the changelog's newest version is the package's, whose major.minor is the contract version", () => {
    const changelog = fs.readFileSync(path.join(PACKAGE, "CHANGELOG.md"), "utf8");
    const versions = [...changelog.matchAll(/^## (\d+\.\d+(?:\.\d+)?)\b/gm)].map((m) => m[1]);
    assert.equal(versions[0], manifest.version, "the newest entry first, for the package's version");
    assert.equal(manifest.version.split(".").slice(0, 2).join("."), CONTRACT_VERSION);
    // Every contract version of this major has an entry, newest first.
    const [major, minor] = CONTRACT_VERSION.split(".").map(Number);
    const minors = versions.map((v) => v.split(".").map(Number)).filter(([m]) => m === major);
    assert.deepEqual(
      [...new Set(minors.map(([, n]) => n))],
      Array.from({ length: minor + 1 }, (_, i) => minor - i),
    );
    // The entries name every output the contract added after 1.0, at the version that added it.
    for (const [name, schema] of Object.entries(outputContract)) {
      const since = /^Since (\d+\.\d+)\./.exec(schema.description ?? "")?.[1];
      if (since) {
        const entry = changelog.split(/^## /m).find((e) => e.startsWith(since));
        assert.ok(entry?.includes(`Added \`${name}\``), `${since} lists ${name}`);
      }
    }
  });

  test("the tarball's LICENSE is the Apache-2.0 text both package.json files name, as in the repository root", () => {
    const shipped = fs.readFileSync(path.join(app, "node_modules", manifest.name, "LICENSE"), "utf8");
    assert.equal(shipped, fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8"));
    assert.match(shipped, /^\s*Apache License\s+Version 2\.0, January 2004\s/);
    assert.match(shipped, /END OF TERMS AND CONDITIONS/);
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { license: string };
    assert.equal(root.license, "Apache-2.0");
    assert.equal(manifest.license, "Apache-2.0");
  });

  test("the example consumer depends on this package's major version", () => {
    const example = JSON.parse(
      fs.readFileSync(path.join(ROOT, "examples", "consumer", "package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    assert.equal(example.dependencies[manifest.name], `^${manifest.version.split(".")[0]}.0.0`);
    const source = fs.readFileSync(path.join(ROOT, "examples", "consumer", "index.ts"), "utf8");
    assert.match(source, new RegExp(`from "${manifest.name}"`), "the example imports the package by name");
    // Its README's .npmrc points the package's scope at the registry the package is published to.
    const readme = fs.readFileSync(path.join(ROOT, "examples", "consumer", "README.md"), "utf8");
    const scope = manifest.name.split("/")[0];
    assert.ok(readme.includes(`${scope}:registry=${manifest.publishConfig.registry}`), "the README's .npmrc");
  });

  test("the tarball holds compiled JavaScript, plain declarations, the licence and the changelog", () => {
    const files = packed.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      // The contract's enum literals come from the program's model (model/enums.ts), compiled beside it.
      "dist/model/enums.js",
      // The entries' declarations, in plain TypeScript types.
      "dist/packages/contract/src/index.d.ts",
      "dist/packages/contract/src/index.js",
      "dist/packages/contract/src/outputs.d.ts",
      "dist/packages/contract/src/outputs.js",
      "dist/packages/contract/src/types.d.ts",
      "dist/packages/contract/src/types.js",
      // The behaviour, compiled from the program's sources; their declarations (zod's types) stay out.
      "dist/stacks/consumer.js",
      "dist/stacks/outputs.js",
      "package.json",
    ]);
    assert.ok(fs.existsSync(path.join(app, "node_modules", manifest.name, manifest.main)));
    for (const file of files.filter((f) => f.endsWith(".d.ts"))) {
      const text = fs.readFileSync(path.join(app, "node_modules", manifest.name, file), "utf8");
      assert.doesNotMatch(text, /from "zod"|import\("zod"\)/, `${file} must not expose zod`);
    }
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

  /**
   * How application teams compile: the tsconfig of Pulumi's `aws-typescript` template (pulumi/templates,
   * aws-typescript/tsconfig.json) as it was until 2026-03 (commit a3029400: commonjs, moduleResolution node) and as
   * it is since (commit 81e65225: nodenext). Neither sets `esModuleInterop` or `skipLibCheck`, and neither limits
   * `types`, so every declaration file the package pulls in is checked: one error in a dependency's .d.ts fails
   * the consumer's build.
   */
  const template = {
    strict: true,
    outDir: "bin",
    target: "es2020",
    sourceMap: true,
    experimentalDecorators: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  };
  const setups: { title: string; options: Record<string, unknown>; languages: ("ts" | "js")[] }[] = [
    {
      title: "TypeScript with Pulumi's aws-typescript template tsconfig (commonjs, moduleResolution node)",
      options: { ...template, module: "commonjs", moduleResolution: "node" },
      languages: ["ts"],
    },
    {
      // One program for both: a second tsc run would check the same dependency declarations again.
      title:
        "TypeScript with the template's current tsconfig (nodenext), and plain JavaScript type-checked as an editor does (allowJs, checkJs)",
      options: {
        ...template,
        module: "nodenext",
        moduleResolution: "nodenext",
        allowJs: true,
        checkJs: true,
      },
      languages: ["ts", "js"],
    },
  ];
  /** Where the wrong uses in bad.ts and bad.js must fail. */
  const BAD_ERRORS = { ts: ["bad.ts(4,14)", "bad.ts(5,33)"], js: ["bad.js(4,7)", "bad.js(5,26)"] };

  /** Writes good.<ext> (must compile) and bad.<ext> (wrong uses that must fail) for one language. */
  function writeSources(dir: string, language: "ts" | "js"): void {
    if (language === "ts") {
      fs.writeFileSync(
        path.join(dir, "good.ts"),
        [
          'import * as pulumi from "@pulumi/pulumi";',
          `import { platformOutputs, irsaAnnotations, type PlatformOutputValues } from "${manifest.name}";`,
          `import { CONTRACT_VERSION, checkOutputs, type PlatformOutputs } from "${manifest.name}/outputs";`,
          'const platform: PlatformOutputValues = platformOutputs("acme/eks-platform/dev");',
          "const cls: pulumi.Output<string> = platform.publicIngressClass;",
          "const zones: pulumi.Output<Record<string, string[]>> = platform.externalDnsZoneIds;",
          'const sa: pulumi.Output<Record<string, string>> = irsaAnnotations(platform, "orders-api");',
          'const tier: PlatformOutputs["tier"] = "prod";',
          "const problems: string[] = checkOutputs({});",
          "export const used = [cls, zones, sa, tier, CONTRACT_VERSION, problems];",
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
    } else {
      fs.writeFileSync(
        path.join(dir, "good.js"),
        [
          `const { platformOutputs, irsaAnnotations } = require("${manifest.name}");`,
          `const { checkOutputs } = require("${manifest.name}/outputs");`,
          'const platform = platformOutputs("acme/eks-platform/dev");',
          '/** @type {import("@pulumi/pulumi").Output<string>} */',
          "const cls = platform.publicIngressClass;",
          '/** @type {import("@pulumi/pulumi").Output<Record<string, string>>} */',
          'const sa = irsaAnnotations(platform, "orders-api");',
          "/** @type {string[]} */",
          "const problems = checkOutputs({});",
          "module.exports = { cls, sa, problems };",
        ].join("\n"),
      );
      fs.writeFileSync(
        path.join(dir, "bad.js"),
        [
          `const { platformOutputs } = require("${manifest.name}");`,
          'const platform = platformOutputs("acme/eks-platform/dev");',
          '/** @type {import("@pulumi/pulumi").Output<number>} */',
          "const n = platform.publicIngressClass;",
          "const missing = platform.ingressClassNames;",
          "module.exports = { n, missing };",
        ].join("\n"),
      );
    }
  }

  test("an editor strikes the deprecated outputs through (irsaRoleArns), from the shipped .d.ts", () => {
    const deprecated = Object.entries(outputContract)
      .filter(([, schema]) => /^Deprecated\b/.test(schema.description ?? ""))
      .map(([name]) => name);
    assert.ok(deprecated.includes("irsaRoleArns"));
    // What an editor shows: TypeScript's language service reports a use of a deprecated declaration as a
    // suggestion diagnostic with `reportsDeprecated` (the strike-through), here for a read of every output.
    const dir = path.join(app, "editor");
    fs.mkdirSync(dir);
    const file = path.join(dir, "use.ts");
    fs.writeFileSync(
      file,
      [
        `import { platformOutputs } from "${manifest.name}";`,
        'const platform = platformOutputs("acme/eks-platform/dev");',
        ...Object.keys(outputContract).map((name) => `export const ${name} = platform.${name};`),
      ].join("\n"),
    );
    const options = ts.convertCompilerOptionsFromJson(
      { ...template, module: "nodenext", moduleResolution: "nodenext", types: [], skipLibCheck: true },
      dir,
    ).options;
    const service = ts.createLanguageService({
      getScriptFileNames: () => [file],
      getScriptVersion: () => "1",
      getScriptSnapshot: (f) =>
        fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8")) : undefined,
      getCurrentDirectory: () => dir,
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => ts.sys.fileExists(f),
      readFile: (f) => ts.sys.readFile(f),
      readDirectory: (...a) => ts.sys.readDirectory(...a),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (f) => ts.sys.realpath?.(f) ?? f,
    });
    const source = fs.readFileSync(file, "utf8");
    const struck = service
      .getSuggestionDiagnostics(file)
      .filter((d) => d.reportsDeprecated)
      .map((d) => source.slice(d.start, (d.start ?? 0) + (d.length ?? 0)));
    assert.deepEqual(struck, deprecated);
    // In the shipped declarations as a JSDoc tag on the output's property.
    const declarations = packed.files
      .map((f) => f.path)
      .filter((f) => f.endsWith(".d.ts"))
      .map((f) => fs.readFileSync(path.join(app, "node_modules", manifest.name, f), "utf8"))
      .join("\n");
    for (const name of deprecated) {
      assert.match(declarations, new RegExp(`/\\*\\* @deprecated [^\\n]*\\*/\\n\\s*${name}:`), name);
    }
  });

  for (const setup of setups) {
    test(`${setup.title}: compiles against the shipped .d.ts, with no error in a dependency`, () => {
      const dir = path.join(app, `tsc-${String(setup.options.module)}`);
      fs.mkdirSync(dir);
      const files = setup.languages.flatMap((l) => [`good.${l}`, `bad.${l}`]);
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { ...setup.options, noEmit: true }, files }),
      );
      setup.languages.forEach((l) => writeSources(dir, l));
      const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
      const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], {
        cwd: dir,
        encoding: "utf8",
      });
      const errors = run.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
      assert.deepEqual(
        errors.filter((l) => !/^bad\.(ts|js)\(/.test(l)),
        [],
        "the good sources and every declaration file they load must type-check",
      );
      assert.deepEqual(
        errors.map((l) => l.replace(/:.*/, "")).sort(),
        setup.languages.flatMap((l) => BAD_ERRORS[l]).sort(),
        run.stdout,
      );
    });
  }
});
