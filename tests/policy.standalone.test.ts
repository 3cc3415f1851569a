/**
 * `pulumi policy publish` ships policy/ by itself, and the machine that runs the pack installs it from its own
 * package.json and lockfile. These tests prove, offline and from what the root install already holds, that the
 * pack stands alone:
 *
 * 1. the pack's lockfile resolves every package to the version and tarball the root install resolves it to, at
 *    every place a package of the pack loads it from (so the root's node_modules is what the pack's own install
 *    would be), and the root's node_modules holds those versions;
 * 2. no pack file imports a file outside policy/ or a package policy/package.json does not declare;
 * 3. a copy of policy/ whose node_modules holds nothing but the packages of the pack's lockfile type-checks (one
 *    TypeScript run) and passes its own tests with its own test command.
 *
 * The real install from the pack's lockfile (`npm ci` in a copy, then its `npm test`) needs the registry and about
 * 25 CPU seconds: it is `npm run test:policy-pack` (devtools/policy-pack.ts), a job of the pull-request workflow. Every
 * check here has a case that shows it fails.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type * as TypeScript from "typescript";
import {
  FIX_PACK,
  FIX_ROOT,
  PACK,
  REINSTALL_ROOT,
  ROOT,
  cleanEnv,
  compareLockfiles,
  copyPack,
  declaredPackages,
  importProblems,
  installedProblems,
  linkNodeModules,
  manifestProblems,
  packSources,
  readJson,
  type LockEntry,
  type Lockfile,
  type Manifest,
} from "../devtools/policy-pack";

const packLock = readJson<Lockfile>(path.join(PACK, "package-lock.json"));
const rootLock = readJson<Lockfile>(path.join(ROOT, "package-lock.json"));
const manifest = readJson<Manifest>(path.join(PACK, "package.json"));
const pins = { ...manifest.dependencies, ...manifest.devDependencies };
const real = compareLockfiles(packLock, rootLock, pins);

const clone = <T>(value: T): T => structuredClone(value);

describe("the pack's lockfile against the root install", () => {
  test("every package of policy/package-lock.json is where the pack loads it in the root install", () => {
    assert.deepEqual(real.problems, []);
    const listed = Object.keys(packLock.packages ?? {}).filter((at) => at !== "");
    assert.ok(listed.length > 100, `${listed.length} packages`);
    assert.deepEqual([...real.rootPathOf.keys()].sort(), listed.sort(), "every listed package was compared");
  });

  test("each package of the pack is paired with a place of the root tree that holds the same version", () => {
    // Where the root hoists another version (which 1.3.1 where the pack keeps which 6.0.1, as these lockfiles
    // stand), the pair is the nested copy that the pack's dependents load in the root tree.
    const pack = packLock.packages ?? {};
    const root = rootLock.packages ?? {};
    for (const { pack: at, root: there } of real.pairs) {
      assert.equal(root[there]?.version, pack[at]?.version, `${at} and ${there}`);
    }
  });

  test("policy/package.json agrees with the pack's entry in both lockfiles (npm ci refuses it otherwise)", () => {
    assert.deepEqual(
      manifestProblems(manifest, packLock.packages?.[""], "policy/package-lock.json", FIX_PACK),
      [],
    );
    assert.deepEqual(
      manifestProblems(manifest, rootLock.packages?.policy, "package-lock.json", FIX_ROOT),
      [],
    );
    const edited: Manifest = {
      ...manifest,
      devDependencies: { ...manifest.devDependencies, typescript: "5.9.2" },
    };
    assert.deepEqual(
      manifestProblems(edited, packLock.packages?.[""], "policy/package-lock.json", FIX_PACK),
      [
        "policy/package.json's devDependencies has typescript 5.9.2, policy/package-lock.json records 5.9.3: run " +
          FIX_PACK,
      ],
    );
  });

  test("the root's node_modules holds what package-lock.json says, at every place the pack's packages come from", () => {
    assert.deepEqual(installedProblems(real, rootLock), []);
    // A lockfile newer than the install: the check reads node_modules, not the lockfile again.
    const newer = clone(rootLock);
    const typescript = real.rootPathOf.get("node_modules/typescript") ?? "";
    (newer.packages ?? {})[typescript] = { ...(newer.packages ?? {})[typescript], version: "5.9.2" };
    assert.deepEqual(installedProblems(real, newer), [
      `${typescript}: package-lock.json has 5.9.2, node_modules 5.9.3: run ${REINSTALL_ROOT}`,
    ]);
  });
});

/**
 * A small pair of trees. The pack needs a 1.0.0, which needs b ^2 and c 1, and c needs b ^1; the pack hoists b 2
 * and nests b 1 under c. The root's own dependency b 1.5.0 takes the top, so its b 2 is nested under a instead.
 */
function trees(): { pack: Lockfile; root: Lockfile } {
  const a: LockEntry = { version: "1.0.0", integrity: "sha512-a", dependencies: { b: "^2.0.0", c: "1.0.0" } };
  const c: LockEntry = { version: "1.0.0", integrity: "sha512-c", dependencies: { b: "^1.0.0" } };
  const b1: LockEntry = { version: "1.5.0", integrity: "sha512-b1" };
  const b2: LockEntry = { version: "2.1.0", integrity: "sha512-b2" };
  const t: LockEntry = { version: "3.0.0", integrity: "sha512-t" };
  const project = { dependencies: { a: "1.0.0" }, devDependencies: { t: "3.0.0" } };
  return {
    pack: {
      lockfileVersion: 3,
      packages: {
        "": project,
        "node_modules/a": a,
        "node_modules/b": b2,
        "node_modules/c": c,
        "node_modules/c/node_modules/b": b1,
        "node_modules/t": t,
      },
    },
    root: {
      lockfileVersion: 3,
      packages: {
        "": { dependencies: { b: "1.5.0", other: "1.0.0" } },
        "node_modules/a": a,
        "node_modules/a/node_modules/b": b2,
        "node_modules/b": b1,
        "node_modules/c": c,
        "node_modules/other": { version: "1.0.0", dependencies: { b: "^2.0.0" } },
        "node_modules/other/node_modules/b": b2,
        "node_modules/eks-platform-policy": { resolved: "policy", link: true },
        "node_modules/t": t,
        policy: project,
      },
    },
  };
}

describe("compareLockfiles on small trees", () => {
  const pinned = { a: "1.0.0", t: "3.0.0" };
  const entries = (lock: Lockfile) => lock.packages ?? {};

  test("trees hoisted differently with the same lookups agree, each package paired with its place", () => {
    const { pack, root } = trees();
    const result = compareLockfiles(pack, root, pinned);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(Object.fromEntries(result.rootPathOf), {
      "node_modules/a": "node_modules/a",
      "node_modules/t": "node_modules/t",
      "node_modules/b": "node_modules/a/node_modules/b",
      "node_modules/c": "node_modules/c",
      "node_modules/c/node_modules/b": "node_modules/b",
    });
  });

  test("a nested version missing where the package loads it fails, even with the same version elsewhere", () => {
    const { pack, root } = trees();
    // The root still has b 2.1.0 under other, but a now finds the top-level b 1.5.0.
    delete entries(root)["node_modules/a/node_modules/b"];
    assert.deepEqual(compareLockfiles(pack, root, pinned).problems, [
      "b: policy/package-lock.json has 2.1.0 (node_modules/b), the root install has 1.5.0 (node_modules/b in " +
        "package-lock.json), for a 1.0.0 (node_modules/a); the root's is older: run `npm update b` at the " +
        "repository root",
    ]);
  });

  test("a transitive dependency newer in the root names the pack's lockfile to update", () => {
    const { pack, root } = trees();
    entries(root)["node_modules/b"] = { version: "1.6.0", integrity: "sha512-b16" };
    assert.deepEqual(compareLockfiles(pack, root, pinned).problems, [
      "b: policy/package-lock.json has 1.5.0 (node_modules/c/node_modules/b), the root install has 1.6.0 " +
        "(node_modules/b in package-lock.json), for c 1.0.0 (node_modules/c); policy/package-lock.json's is " +
        "older: run `npm update b --package-lock-only --workspaces=false` in policy/",
    ]);
  });

  test("a pinned dependency names the lockfile that does not hold the pin", () => {
    const { pack, root } = trees();
    entries(root)["node_modules/t"] = { version: "3.0.1", integrity: "sha512-t301" };
    entries(root).policy = { dependencies: { a: "1.0.0" }, devDependencies: { t: "3.0.1" } };
    const problem = (fix: string) =>
      "t: policy/package-lock.json has 3.0.0 (node_modules/t), the root install has 3.0.1 (node_modules/t in " +
      `package-lock.json), for policy/package.json; policy/package.json pins ${fix}`;
    // policy/package.json was changed to 3.0.1 and the root installed it: the pack's lockfile is behind.
    assert.deepEqual(compareLockfiles(pack, root, { ...pinned, t: "3.0.1" }).problems, [
      problem(`3.0.1: run ${FIX_PACK}`),
    ]);
    // The pin is 3.0.0 and the pack's lockfile has it: the root's install is behind.
    assert.deepEqual(compareLockfiles(pack, root, pinned).problems, [problem(`3.0.0: run ${FIX_ROOT}`)]);
  });

  test("the same version from another tarball fails", () => {
    const { pack, root } = trees();
    entries(root)["node_modules/c"] = { ...entries(root)["node_modules/c"], integrity: "sha512-other" };
    const [problem, ...rest] = compareLockfiles(pack, root, pinned).problems;
    assert.deepEqual(rest, []);
    assert.match(problem, /^c 1\.0\.0: .*different tarballs \(integrity sha512-c against sha512-other\)/);
  });

  test("a package the root does not have where the pack loads it fails", () => {
    const { pack, root } = trees();
    delete entries(root)["node_modules/c"];
    assert.deepEqual(compareLockfiles(pack, root, pinned).problems, [
      "c: policy/package-lock.json has 1.0.0 (node_modules/c) for a 1.0.0 (node_modules/a), the root install has " +
        `no c where that package loads it from: run ${FIX_ROOT}`,
    ]);
  });

  test("a dependency missing from the pack's lockfile, and an entry nothing loads, fail", () => {
    const { pack, root } = trees();
    entries(pack)["node_modules/orphan"] = { version: "0.1.0" };
    entries(pack)["node_modules/c"] = {
      ...entries(pack)["node_modules/c"],
      dependencies: { b: "^1.0.0", d: "1" },
    };
    assert.deepEqual(compareLockfiles(pack, root, pinned).problems, [
      `policy/package-lock.json has no d for c 1.0.0 (node_modules/c): run ${FIX_PACK}`,
      "policy/package-lock.json lists orphan 0.1.0 (node_modules/orphan), which nothing the pack depends on " +
        `loads: run ${FIX_PACK}`,
    ]);
  });

  test("an optional dependency only the root tree has fails: the copy would load it, the pack's install not", () => {
    const { pack, root } = trees();
    for (const lock of [pack, root]) {
      entries(lock)["node_modules/c"] = {
        ...entries(lock)["node_modules/c"],
        optionalDependencies: { e: "1.0.0" },
      };
    }
    assert.deepEqual(compareLockfiles(pack, root, pinned).problems, []);
    entries(root)["node_modules/e"] = { version: "1.0.0", optional: true };
    const [problem, ...rest] = compareLockfiles(pack, root, pinned).problems;
    assert.deepEqual(rest, []);
    assert.match(problem, /^e: the root install gives c 1\.0\.0 \(node_modules\/c\) the optional e 1\.0\.0/);
  });

  test("a pack lockfile that links a local folder fails: the folder is not shipped", () => {
    const { pack, root } = trees();
    entries(pack)["node_modules/local"] = { resolved: "../packages/contract", link: true };
    assert.match(
      compareLockfiles(pack, root, pinned).problems.join("\n"),
      /links node_modules\/local to the folder/,
    );
  });
});

describe("what the pack's files import", () => {
  const declared = declaredPackages(manifest);
  const sources = packSources();
  const read = (file: string) => ({ file, source: fs.readFileSync(file, "utf8") });

  test("every pack file imports only files of policy/, built-ins and declared packages", () => {
    for (const file of ["index.ts", "pack.ts", "facts.ts", "rules/iam.ts", "tests/rules.test.ts"]) {
      assert.ok(sources.includes(path.join(PACK, file)), file);
    }
    assert.deepEqual(importProblems(sources.map(read), declared), []);
  });

  test("the check catches the program's files, undeclared packages and every form of reference", () => {
    const file = (name: string, source: string) => ({ file: path.join(PACK, name), source });
    const problems = importProblems(
      [
        file(
          "escape.ts",
          [
            'import { isReadOnlyAction } from "../components/iamActions";',
            'import { parse } from "yaml";',
            'export * from "../model/config";',
            'const late = import("../stacks/consumer");',
            'const old = require("../offline/harness");',
            'import fc = require("fast-check");',
            'import { PolicyPack } from "@pulumi/policy";',
            'import type { Resource } from "@pulumi/pulumi/resource";',
            'import * as fs from "node:fs";',
            'import * as path from "path";',
            'import { TIER_LABEL } from "./facts";',
          ].join("\n"),
        ),
        file(
          "rules/escape.ts",
          [
            '/// <reference path="../../index.ts" />',
            '/// <reference types="dns-packet" />',
            '/// <reference types="node" />',
            'import { TYPES } from "../rules/data";',
            'import { LETSENCRYPT } from "../../model/letsEncrypt";',
            'import "./node_modules/vendored";',
          ].join("\n"),
        ),
      ],
      declared,
    );
    assert.deepEqual(problems, [
      'policy/escape.ts: imports "../components/iamActions" is outside policy/, which the pack does not ship',
      'policy/escape.ts: imports "yaml", but policy/package.json does not declare yaml',
      'policy/escape.ts: imports "../model/config" is outside policy/, which the pack does not ship',
      'policy/escape.ts: imports "../stacks/consumer" is outside policy/, which the pack does not ship',
      'policy/escape.ts: imports "../offline/harness" is outside policy/, which the pack does not ship',
      'policy/escape.ts: imports "fast-check", but policy/package.json does not declare fast-check',
      'policy/rules/escape.ts: imports "../../model/letsEncrypt" is outside policy/, which the pack does not ship',
      'policy/rules/escape.ts: imports "./node_modules/vendored" is outside policy/, which the pack does not ship',
      'policy/rules/escape.ts: references "../../index.ts" is outside policy/, which the pack does not ship',
      'policy/rules/escape.ts: references the types "dns-packet", but policy/package.json declares neither ' +
        "dns-packet nor @types/dns-packet",
    ]);
  });
});

describe("a copy of policy/ with only the pack's packages", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "policy-standalone-"));
  const copy = path.join(work, "policy");
  /** A folder inside the copy whose tests/ holds one test that loads a package only the root installs. */
  const negative = path.join(copy, "negative");
  let linked: string[] = [];
  let runs: Promise<[Run, Run]> | undefined;

  const scripts = manifest.scripts ?? {};
  // The pack's `npm test` is its type-check, then its test command. The type-check runs here once, in this
  // process, with the copy's own TypeScript (what its `tsc --noEmit -p tsconfig.json` does), so the test
  // command runs without it.
  const [first, ...rest] = (scripts.test ?? "").split(" && ");
  const testCommand = rest.join(" && ");

  before(() => {
    copyPack(copy);
    linked = linkNodeModules(copy, real, packLock);
    fs.mkdirSync(path.join(negative, "tests"), { recursive: true });
    fs.writeFileSync(
      path.join(negative, "tests", "root-only.test.ts"),
      'import { test } from "node:test";\nimport fc from "fast-check";\n\n' +
        'test("fast-check loads", () => fc.assert(fc.property(fc.integer(), (n) => n === n)));\n',
    );
    // Started now, so that the two test runs overlap the type-check below.
    runs = Promise.all([runIn(copy, testCommand), runIn(negative, testCommand)]);
  });

  after(async () => {
    await runs?.catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("the copy holds the pack's files and a node_modules of exactly the pack's lockfile's top level", () => {
    const files = fs.readdirSync(copy);
    for (const file of [
      "PulumiPolicy.yaml",
      "index.ts",
      "package.json",
      "package-lock.json",
      "tsconfig.json",
    ]) {
      assert.ok(files.includes(file), file);
    }
    const topLevel = Object.keys(packLock.packages ?? {})
      .filter((at) => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(at))
      .map((at) => at.slice("node_modules/".length));
    // Nothing else is there: the links are all of node_modules.
    const present = fs
      .readdirSync(path.join(copy, "node_modules"))
      .flatMap((name) =>
        name.startsWith("@")
          ? fs.readdirSync(path.join(copy, "node_modules", name)).map((inner) => `${name}/${inner}`)
          : [name],
      );
    assert.deepEqual(present.sort(), linked);
    assert.deepEqual(
      linked.filter((name) => !topLevel.includes(name)),
      [],
    );
    // Each link leads to the version the pack's lockfile lists there, wherever the root keeps it.
    for (const name of linked) {
      const installed = readJson<{ version: string }>(path.join(copy, "node_modules", name, "package.json"));
      assert.equal(
        installed.version.replace(/^v/, ""),
        packLock.packages?.[`node_modules/${name}`]?.version,
        name,
      );
    }
    // And to the root's place of that package that compareLockfiles paired with it, nested ones included.
    for (const name of linked) {
      assert.equal(
        fs.realpathSync(path.join(copy, "node_modules", name)),
        path.join(ROOT, real.rootPathOf.get(`node_modules/${name}`) ?? "?"),
        name,
      );
    }
    // What is not linked is an optional package for another platform (esbuild's binaries).
    for (const name of topLevel.filter((n) => !linked.includes(n))) {
      assert.equal(packLock.packages?.[`node_modules/${name}`]?.optional, true, name);
      assert.ok(!fs.existsSync(path.join(ROOT, real.rootPathOf.get(`node_modules/${name}`) ?? "?")), name);
    }
    for (const name of ["@pulumi/policy", "@pulumi/pulumi", "typescript", "tsx", "@types/node"]) {
      assert.ok(linked.includes(name), name);
    }
    // Packages of the program that the pack does not declare are not there.
    for (const name of ["yaml", "fast-check", "@pulumi/aws", "zod"]) {
      assert.ok(!fs.existsSync(path.join(copy, "node_modules", name)), name);
    }
  });

  test("one TypeScript run over the copy finds only the error planted in it: an import of the program", () => {
    assert.equal(first, "npm run typecheck", "the pack's npm test starts with its type-check");
    assert.equal(
      scripts.typecheck,
      "tsc --noEmit -p tsconfig.json",
      "the type-check this test runs in-process",
    );
    // A pack file that imports a program file: the copy has nothing at ../components, the repository has.
    fs.writeFileSync(
      path.join(copy, "escape.ts"),
      'import { isReadOnlyAction } from "../components/iamActions";\n' +
        'export const read = isReadOnlyAction("s3:GetObject");\n',
    );
    try {
      const ts = createRequire(path.join(copy, "package.json"))("typescript") as typeof TypeScript;
      const parsed = ts.getParsedCommandLineOfConfigFile(
        path.join(copy, "tsconfig.json"),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (d) =>
            assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
        },
      );
      assert.ok(parsed);
      assert.deepEqual(parsed.errors, []);
      const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ({
        file: d.file ? path.relative(copy, d.file.fileName) : undefined,
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      }));
      assert.deepEqual(diagnostics, [
        {
          file: "escape.ts",
          message: "Cannot find module '../components/iamActions' or its corresponding type declarations.",
        },
      ]);

      const files = program.getSourceFiles().map((f) => f.fileName);
      for (const file of ["index.ts", "rules/iam.ts", "tests/rules.test.ts"]) {
        assert.ok(files.includes(path.join(copy, file)), file);
      }
      // Through the links, every other file comes from a root folder that stands for a package of the pack's
      // lockfile: none from the program, none from a package only the root installs.
      const packageFolders = new Set(real.pairs.map((p) => path.join(ROOT, p.root)));
      const outside = files.filter((f) => !f.startsWith(`${copy}${path.sep}`));
      assert.ok(outside.length > 0);
      for (const file of outside) {
        const inner = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
        assert.ok(inner !== undefined && packageFolders.has(inner), file);
      }
    } finally {
      fs.rmSync(path.join(copy, "escape.ts"));
    }
  });

  test("the copy passes its own tests with its own test command", async () => {
    assert.match(testCommand, /^node --import tsx --test\b/, "the pack's tests run under the pack's own tsx");
    const [run] = await (runs ?? Promise.reject(new Error("not started")));
    assert.equal(run.code, 0, run.output);
    assert.ok(count(run.output, "pass") > 0, run.output);
    assert.equal(count(run.output, "fail"), 0, run.output);
  });

  test("in the copy, a test that loads a package only the root installs fails", async () => {
    // In the repository the pack's folder reaches fast-check through the root's node_modules; the copy must not.
    assert.ok(require.resolve("fast-check", { paths: [PACK] }).startsWith(ROOT));
    assert.equal(packLock.packages?.["node_modules/fast-check"], undefined);
    const [, run] = await (runs ?? Promise.reject(new Error("not started")));
    assert.notEqual(run.code, 0, run.output);
    assert.equal(count(run.output, "fail"), 1, run.output);
    assert.match(run.output, /Cannot find (module|package) 'fast-check'/);
  });
});

interface Run {
  code: number;
  output: string;
}

/** The count on the spec reporter's summary line `ℹ <name> <n>`. */
const count = (output: string, name: string) =>
  Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(output)?.[1] ?? NaN);

/**
 * Runs a command of the pack's package.json as npm would, through sh in the given folder, with this Node.js first
 * on PATH (npm runs scripts under the Node.js that runs npm) and without the variables of the repository's own
 * test run (devtools/policy-pack.ts cleanEnv).
 */
function runIn(cwd: string, command: string): Promise<Run> {
  const env = cleanEnv();
  env.PATH = [path.dirname(process.execPath), env.PATH].filter(Boolean).join(path.delimiter);
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", command],
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}
