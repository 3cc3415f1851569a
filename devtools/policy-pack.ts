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
import * as semver from "semver";
import * as ts from "typescript";
import { npmCommand } from "./npm";

export const ROOT = path.resolve(__dirname, "..");
export const PACK = path.join(ROOT, "policy");
/** The pack's folder relative to the root, as the root lockfile names the workspace. */
export const WORKSPACE = "policy";

/** The commands that rewrite each lockfile; the messages below name them. */
export const FIX_PACK = "`npm install --package-lock-only --workspaces=false` in policy/";
export const FIX_ROOT = "`npm install` at the repository root";
export const REINSTALL_ROOT = "`npm ci` at the repository root";
const updatePack = (name: string) =>
  `\`npm update ${name} --package-lock-only --workspaces=false\` in policy/`;
const updateRoot = (name: string) => `\`npm update ${name}\` at the repository root`;

type Deps = Record<string, string>;

/** The fields of a package-lock.json (lockfileVersion 2 or 3) `packages` entry that these checks read. */
export interface LockEntry {
  name?: string;
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  dependencies?: Deps;
  devDependencies?: Deps;
  optionalDependencies?: Deps;
  peerDependencies?: Deps;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

export interface Manifest {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Deps;
  devDependencies?: Deps;
  optionalDependencies?: Deps;
  peerDependencies?: Deps;
}

export const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;

type Packages = Record<string, LockEntry>;

function packagesOf(lock: Lockfile, file: string): Packages {
  if (!lock.packages || (lock.lockfileVersion ?? 0) < 2) {
    throw new Error(`${file}: lockfileVersion 2 or 3 expected (with "packages"); npm 7 or newer writes them`);
  }
  return lock.packages;
}

/** The package name an entry installs: its own `name` (an alias installs under another) or its folder's. */
function nameAt(packages: Packages, at: string): string {
  return packages[at]?.name ?? at.slice(at.lastIndexOf("node_modules/") + "node_modules/".length);
}

/**
 * Where Node.js finds `name` when it is required from the package installed at `from` (a lockfile key: "" for the
 * project, "node_modules/a/node_modules/b", or a workspace folder such as "policy"): `<dir>/node_modules/<name>`
 * for `from` and each folder above it, nearest first, skipping folders that are themselves called node_modules,
 * as Node's own lookup does. A link (a workspace) stands for its target, and lookups from it start there, as
 * Node resolves the real path. Undefined when nothing on the way has it.
 */
export function resolveFrom(packages: Packages, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    if (path.posix.basename(dir) !== "node_modules") {
      const at = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      const entry = packages[at];
      if (entry) {
        return entry.link && entry.resolved !== undefined ? entry.resolved : at;
      }
    }
    if (dir === "") {
      return undefined;
    }
    const up = path.posix.dirname(dir);
    dir = up === "." ? "" : up;
  }
}

/** Every dependency an installed package loads, with whether its absence is allowed. Dev ones only for a project. */
function dependenciesOf(entry: LockEntry, project: boolean): Map<string, { optional: boolean }> {
  const deps = new Map<string, { optional: boolean }>();
  const add = (names: Deps | undefined, optional: (name: string) => boolean) => {
    for (const name of Object.keys(names ?? {})) {
      deps.set(name, { optional: optional(name) });
    }
  };
  add(entry.dependencies, () => false);
  if (project) {
    add(entry.devDependencies, () => false);
  }
  add(entry.peerDependencies, (name) => entry.peerDependenciesMeta?.[name]?.optional === true);
  add(entry.optionalDependencies, () => true);
  return deps;
}

/** Which lockfile to rewrite, and how, when they hold different versions of `name`. */
function versionFix(name: string, pinned: string | undefined, inPack: string, inRoot: string): string {
  if (pinned !== undefined && semver.valid(pinned)) {
    // policy/package.json pins it: whichever lockfile holds another version missed the last install.
    if (inPack !== pinned.replace(/^v/, "")) {
      return `policy/package.json pins ${pinned}: run ${FIX_PACK}`;
    }
    return `policy/package.json pins ${pinned}: run ${FIX_ROOT}`;
  }
  // A transitive dependency: both versions satisfy their dependent's range, so the older lockfile is the stale one.
  return semver.compare(inPack, inRoot, { loose: true }) < 0
    ? `policy/package-lock.json's is older: run ${updatePack(name)}`
    : `the root's is older: run ${updateRoot(name)}`;
}

export interface Comparison {
  /** Empty when every package of the pack's lockfile is where the copy can use it. */
  problems: string[];
  /**
   * For each package path of the pack's lockfile, a package path of the root lockfile with the same package,
   * version and tarball whose dependencies resolve, in the root tree, to the same versions as in the pack's tree,
   * and so on all the way down.
   */
  rootPathOf: Map<string, string>;
  /** Every pair of paths visited: each root path stands for its pack path. */
  pairs: { pack: string; root: string }[];
}

/**
 * Compares the pack's lockfile with the root's as installed trees, not entry by entry: the two hoist differently
 * (the root has more packages competing for `node_modules/<name>`), so which 6.0.1, which the pack keeps at
 * `node_modules/which`, is `node_modules/@npmcli/git/node_modules/which` (among others) in the root, whose
 * `node_modules/which` is which 1.3.1.
 *
 * What has to agree is what each package loads. Starting from the pack's own dependencies (resolved from `policy/`
 * in the root tree, where the workspace lives), it resolves every dependency of every reached package in both trees
 * with Node's lookup and requires the same package, version and integrity (where both lockfiles record one), then
 * walks on from the pair of places it found. A package the pack's lockfile lists but that nothing reaches is a
 * problem too (npm ci would install it, and nothing here checked it), as is an optional dependency that only the
 * root tree has: the copy would load it through the root's folders, an install of the pack would not.
 */
export function compareLockfiles(
  packLock: Lockfile,
  rootLock: Lockfile,
  pinned: Deps = {},
  workspace: string = WORKSPACE,
): Comparison {
  const pack = packagesOf(packLock, "policy/package-lock.json");
  const root = packagesOf(rootLock, "package-lock.json");
  const problems = new Set<string>();
  const rootPathOf = new Map<string, string>();
  const pairs: { pack: string; root: string }[] = [];
  if (!root[workspace]) {
    problems.add(`package-lock.json has no workspace "${workspace}": run ${FIX_ROOT}`);
    return { problems: [...problems], rootPathOf, pairs };
  }
  for (const [at, entry] of Object.entries(pack)) {
    if (entry.link) {
      problems.add(
        `policy/package-lock.json links ${at} to the folder ${entry.resolved ?? "?"}, which \`pulumi policy ` +
          `publish\` does not ship: depend on a published version instead`,
      );
    }
  }

  const seen = new Set<string>();
  const queue: { pack: string; root: string }[] = [{ pack: "", root: workspace }];
  const describe = (at: string) =>
    at === "" ? "policy/package.json" : `${nameAt(pack, at)} ${pack[at]?.version ?? "?"} (${at})`;
  while (queue.length > 0) {
    const pair = queue.shift();
    if (!pair) {
      break;
    }
    const entry = pack[pair.pack] ?? {};
    for (const [name, { optional }] of dependenciesOf(entry, pair.pack === "")) {
      const inPack = resolveFrom(pack, pair.pack, name);
      const inRoot = resolveFrom(root, pair.root, name);
      const packEntry = inPack === undefined ? undefined : pack[inPack];
      const rootEntry = inRoot === undefined ? undefined : root[inRoot];
      if (inPack === undefined || !packEntry) {
        if (!optional) {
          problems.add(`policy/package-lock.json has no ${name} for ${describe(pair.pack)}: run ${FIX_PACK}`);
        } else if (inRoot !== undefined && rootEntry) {
          problems.add(
            `${name}: the root install gives ${describe(pair.pack)} the optional ${name} ` +
              `${rootEntry.version ?? "?"} (${inRoot} in package-lock.json), policy/package-lock.json has none, ` +
              `so the pack would load it here and not when installed on its own: run ${FIX_PACK}, and if that ` +
              "does not add it (an optional peer that the root has for another package), check the pack with " +
              "`npm run test:policy-pack`",
          );
        }
        continue;
      }
      const wanted = `${name} ${packEntry.version ?? "?"}`;
      if (inRoot === undefined || !rootEntry) {
        problems.add(
          `${name}: policy/package-lock.json has ${packEntry.version ?? "?"} (${inPack}) for ` +
            `${describe(pair.pack)}, the root install has no ${name} where that package loads it from: run ` +
            `${FIX_ROOT}`,
        );
        continue;
      }
      const fromRoot = nameAt(root, inRoot);
      if (fromRoot !== nameAt(pack, inPack)) {
        problems.add(
          `${name}: policy/package-lock.json installs ${nameAt(pack, inPack)} under that name for ` +
            `${describe(pair.pack)}, the root install ${fromRoot}: run ${FIX_PACK}`,
        );
        continue;
      }
      if (packEntry.version !== rootEntry.version) {
        problems.add(
          `${name}: policy/package-lock.json has ${packEntry.version ?? "?"} (${inPack}), the root install has ` +
            `${rootEntry.version ?? "?"} (${inRoot} in package-lock.json), for ${describe(pair.pack)}; ` +
            versionFix(
              name,
              pair.pack === "" ? pinned[name] : undefined,
              packEntry.version ?? "",
              rootEntry.version ?? "",
            ),
        );
        continue;
      }
      if (packEntry.integrity && rootEntry.integrity && packEntry.integrity !== rootEntry.integrity) {
        problems.add(
          `${wanted}: policy/package-lock.json (${inPack}) and package-lock.json (${inRoot}) record different ` +
            `tarballs (integrity ${packEntry.integrity} against ${rootEntry.integrity}); one of them was resolved ` +
            `from another registry: check both lockfiles' "resolved" and run ${FIX_PACK}`,
        );
        continue;
      }
      const key = `${inPack}\0${inRoot}`;
      if (!seen.has(key)) {
        seen.add(key);
        pairs.push({ pack: inPack, root: inRoot });
        if (!rootPathOf.has(inPack)) {
          rootPathOf.set(inPack, inRoot);
        }
        queue.push({ pack: inPack, root: inRoot });
      }
    }
  }

  const loaded = reachable(pack);
  for (const [at, entry] of Object.entries(pack)) {
    if (at !== "" && !entry.link && !loaded.has(at)) {
      problems.add(
        `policy/package-lock.json lists ${nameAt(pack, at)} ${entry.version ?? "?"} (${at}), which nothing the ` +
          `pack depends on loads: run ${FIX_PACK}`,
      );
    }
  }
  return { problems: [...problems], rootPathOf, pairs };
}

/** The package paths a tree's project loads, directly or through other packages, by Node's lookup. */
function reachable(packages: Packages): Set<string> {
  const found = new Set<string>();
  const queue = [""];
  for (let from = queue.shift(); from !== undefined; from = queue.shift()) {
    for (const name of dependenciesOf(packages[from] ?? {}, from === "").keys()) {
      const at = resolveFrom(packages, from, name);
      if (at !== undefined && !found.has(at)) {
        found.add(at);
        queue.push(at);
      }
    }
  }
  return found;
}

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
