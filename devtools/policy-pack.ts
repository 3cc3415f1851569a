/**
 * The policy pack as `pulumi policy publish` ships it: policy/ alone, installed from its own package.json and
 * lockfile, with nothing of the repository around it.
 *
 * Two ways to check that it stands alone:
 *
 * - `npm run test:policy-pack` (this file run as a command, and a job of the pull-request workflow): copies policy/
 *   to a temporary folder, runs `npm ci` there from the pack's own lockfile and then the pack's own `npm test`,
 *   which is what a machine that receives the pack does. It needs the npm registry (or npm's cache).
 * - tests/policy.standalone.test.ts (part of `npm test`, offline) proves the same from what the root install
 *   already holds, with the functions below: both lockfiles resolve every package of the pack to the same version
 *   and tarball (compareLockfiles), the root's node_modules holds them (installedProblems), a copy of policy/
 *   whose node_modules links exactly those packages type-checks and passes its tests (linkNodeModules), and no
 *   pack file imports anything outside the folder or undeclared (importProblems).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { npmCommand } from "./npm";
import {
  PACK,
  packagesOf,
  readJson,
  REINSTALL_ROOT,
  ROOT,
  type Comparison,
  type LockEntry,
  type Lockfile,
  type Manifest,
} from "./policy-pack-lockfiles";

export * from "./policy-pack-lockfiles";

const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
] as const;

/**
 * npm ci refuses a lockfile whose project entry disagrees with package.json; this says so before it does, for the
 * pack's lockfile ("" entry) and for the root's (the workspace's entry).
 */
export function manifestProblems(
  manifest: Manifest,
  entry: LockEntry | undefined,
  lockName: string,
  fix: string,
) {
  const problems: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const want = manifest[field] ?? {};
    const have = entry?.[field] ?? {};
    for (const name of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
      if (want[name] !== have[name]) {
        problems.push(
          `policy/package.json's ${field} has ${name} ${want[name] ?? "(none)"}, ${lockName} records ` +
            `${have[name] ?? "(none)"}: run ${fix}`,
        );
      }
    }
  }
  return problems;
}

/** An optional package that npm skips on this platform (esbuild's binaries for other systems). */
function skippedHere(entry: LockEntry): boolean {
  const fits = (list: string[] | undefined, value: string) =>
    !list || (list.some((v) => !v.startsWith("!")) ? list.includes(value) : !list.includes(`!${value}`));
  return entry.optional === true && !(fits(entry.os, process.platform) && fits(entry.cpu, process.arch));
}

/**
 * The root's node_modules against its lockfile, at every place the pack's packages come from: a checkout whose
 * install is older than its lockfile would otherwise test other versions than both lockfiles say.
 */
export function installedProblems(
  comparison: Comparison,
  rootLock: Lockfile,
  rootDir: string = ROOT,
): string[] {
  const root = packagesOf(rootLock, "package-lock.json");
  const problems: string[] = [];
  for (const at of new Set(comparison.pairs.map((p) => p.root))) {
    const entry = root[at];
    if (!entry || skippedHere(entry)) {
      continue;
    }
    const file = path.join(rootDir, at, "package.json");
    const installed = fs.existsSync(file) ? readJson<{ version?: string }>(file).version : undefined;
    // npm normalises the version it records; the package's own file may keep a "v" (@pulumi/policy does).
    if (installed?.replace(/^v/, "") !== entry.version) {
      problems.push(
        `${at}: package-lock.json has ${entry.version ?? "?"}, node_modules ${installed ?? "nothing"}: run ` +
          REINSTALL_ROOT,
      );
    }
  }
  return problems;
}

/**
 * Gives a copy of the pack a node_modules with exactly the top-level packages of the pack's lockfile, each a link
 * to the root's installed copy of the same version. Node.js and TypeScript follow a link to its real path, so what
 * those packages load in turn comes from the root tree: compareLockfiles has shown that it is the same version
 * there as in the pack's tree, all the way down. The pack's own files see only these links. Returns the names
 * linked.
 */
export function linkNodeModules(
  copy: string,
  comparison: Comparison,
  packLock: Lockfile,
  rootDir: string = ROOT,
): string[] {
  const pack = packagesOf(packLock, "policy/package-lock.json");
  const linked: string[] = [];
  for (const [at, entry] of Object.entries(pack)) {
    const name = at.slice("node_modules/".length);
    if (!at.startsWith("node_modules/") || name.includes("/node_modules/")) {
      continue;
    }
    const target = comparison.rootPathOf.get(at);
    if (target === undefined) {
      throw new Error(`${at} of policy/package-lock.json has no counterpart in the root install`);
    }
    const real = path.join(rootDir, target);
    if (!fs.existsSync(real)) {
      if (skippedHere(entry)) {
        continue;
      }
      throw new Error(`${target} is not installed: run ${REINSTALL_ROOT}`);
    }
    const link = path.join(copy, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(real, link, "dir");
    linked.push(name);
  }
  return linked.sort();
}

/** Copies policy/ without any node_modules, as `pulumi policy publish` and the tests see it. */
export function copyPack(dest: string, source: string = PACK): void {
  fs.cpSync(source, dest, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
}

/** The pack's source files: TypeScript and JavaScript, outside node_modules. */
export function packSources(dir: string = PACK): string[] {
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") {
        walk(full);
      } else if (entry.isFile() && /\.[cm]?[jt]sx?$/.test(entry.name)) {
        files.push(full);
      }
    }
  };
  walk(dir);
  return files.sort();
}

/** The package a bare specifier names: "@scope/name" or "name", without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The @types package that holds the typings of `name`: "@types/node", "@types/scope__name". */
const typesPackage = (name: string) => `@types/${name.replace(/^@/, "").replace("/", "__")}`;

/**
 * Every reference of every pack file to another module, read without type checking (TypeScript's preProcessFile:
 * imports, `export ... from`, `import()`, `require()`, `import x = require()`, module augmentations,
 * `/// <reference path>` and `/// <reference types>`). A relative one must stay inside the pack's folder: the
 * program's files are not shipped with the pack. A bare one must be a Node.js built-in or a package that
 * policy/package.json declares: anything else is in the copy only if some declared package happens to bring it,
 * and in the repository only because the root install has it. `types` references may name a declared package or
 * its @types package. A `require()` of a computed name cannot be read and is not checked.
 */
export function importProblems(
  files: { file: string; source: string }[],
  declared: ReadonlySet<string>,
  packDir: string = PACK,
): string[] {
  const problems: string[] = [];
  for (const { file, source } of files) {
    const where = path.relative(path.dirname(packDir), file);
    const info = ts.preProcessFile(source, true, true);
    const local = (specifier: string, what: string) => {
      const target = path.resolve(path.dirname(file), specifier);
      const inside = path.relative(packDir, target);
      if (
        inside.startsWith("..") ||
        path.isAbsolute(inside) ||
        inside.split(path.sep).includes("node_modules")
      ) {
        problems.push(`${where}: ${what} "${specifier}" is outside policy/, which the pack does not ship`);
      }
    };
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith(".") || path.isAbsolute(fileName)) {
        local(fileName, "imports");
      } else if (!isBuiltin(fileName) && !declared.has(packageOf(fileName))) {
        problems.push(
          `${where}: imports "${fileName}", but policy/package.json does not declare ${packageOf(fileName)}`,
        );
      }
    }
    for (const { fileName } of info.referencedFiles) {
      local(fileName, "references");
    }
    for (const { fileName } of info.typeReferenceDirectives) {
      if (!declared.has(packageOf(fileName)) && !declared.has(typesPackage(packageOf(fileName)))) {
        problems.push(
          `${where}: references the types "${fileName}", but policy/package.json declares neither ` +
            `${packageOf(fileName)} nor ${typesPackage(packageOf(fileName))}`,
        );
      }
    }
  }
  return problems;
}

/** Every package that policy/package.json declares, of any kind. */
export function declaredPackages(manifest: Manifest): Set<string> {
  return new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})));
}

/**
 * The environment of a person in the copy: without the npm_* variables of the `npm run` that started this, so
 * that nothing of the repository's configuration reaches the copy's npm, and without NODE_TEST_CONTEXT, with which
 * node:test marks its child processes (a `node --test` that inherits it skips every file and passes).
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "NODE_TEST_CONTEXT"),
  );
}

function npm(args: string[], cwd: string): Promise<number> {
  const [command, prefix] = npmCommand();
  process.stdout.write(`\n$ npm ${args.join(" ")}    (in ${cwd})\n`);
  return new Promise((resolve) => {
    const child = execFile(command, [...prefix, ...args], { cwd, env: cleanEnv() }, (error) =>
      resolve(error ? (typeof error.code === "number" ? error.code : 1) : 0),
    );
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  });
}

/** `npm run test:policy-pack`: the real install from the pack's lockfile, then the pack's own tests. */
async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
  const copy = path.join(work, "policy");
  try {
    copyPack(copy);
    for (const args of [["ci"], ["test"]]) {
      const code = await npm(args, copy);
      if (code !== 0) {
        process.stderr.write(`\nnpm ${args.join(" ")} failed (exit code ${code}) in the copy of policy/.\n`);
        return code;
      }
    }
    process.stdout.write(
      "\nThe policy pack installs from its own lockfile and passes its tests on its own.\n",
    );
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
