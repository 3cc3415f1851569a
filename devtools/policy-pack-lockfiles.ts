/**
 * The two lockfiles of the policy pack, compared as trees: policy/package-lock.json (what a published pack
 * installs from) against the root's package-lock.json (what `npm ci` installed here), package by package, with
 * the command that mends each difference. Used by devtools/policy-pack.ts and tests/policy.standalone.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";

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

export type Packages = Record<string, LockEntry>;

export function packagesOf(lock: Lockfile, file: string): Packages {
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
