/**
 * Three changes to how @pulumi/pulumi runs, each for work this program never uses, applied by runtime/transpile.ts
 * before the SDK loads: in the offline plan, the tests, and `pulumi preview`/`up` alike (Pulumi.yaml `nodeargs`
 * preloads runtime/transpile.ts), so the plan runs the SDK the CLI runs.
 *
 * - The closure serializer loads when it is first called, not when `@pulumi/pulumi` is required. The SDK's
 *   `runtime/index.js` requires `./closure/serializeClosure` (which loads the TypeScript compiler through
 *   `parseFunction.js`) and `./closure/codePaths` (which loads `@npmcli/arborist`) at its top, and copies three
 *   functions from them; they serialize JavaScript functions (dynamic providers, callback functions), which this
 *   program has none of. Each is replaced in Node's module cache by a module whose functions require the real one
 *   on their first call and call it, so a program that does serialize a function gets the real serializer.
 * - The SDK's promises carry no stack trace and no context label. `runtime/debuggable.js` `debuggablePromise`
 *   stores `new Error().stack` and a label on every promise the runtime makes (about 160 for each resource; a
 *   label of `runtime/rpc.js` `transferProperties` holds the property's whole value as text), and reads both only
 *   to print leaked promises when `PULUMI_DEBUG_PROMISE_LEAKS` is set: with that variable set, nothing changes
 *   here. Otherwise each call runs with `Error.stackTraceLimit` 0, so the stored trace is the bare `Error` line,
 *   and with no label (measured: 1000 team roles through the CLI path peak at about 590 instead of 700 MiB).
 * - The inspector session of the closure serializer opens when the serializer first needs it, not before every
 *   program (`sessionOnFirstUse` below).
 *
 * All are tied to the exact SDK files they were written against: they apply only when the project's
 * @pulumi/pulumi is version PINNED_VERSION and each file hashes to the digest recorded below (`sha256sum` of
 * the installed file); otherwise the SDK runs as it is, and tests/sdk-patches.test.ts fails until this file is
 * brought up to the new SDK. `EKS_PLATFORM_SDK_AS_IS=1` turns them all off (to compare runs).
 *
 * Loaded through runtime/transpile.ts (CommonJS, built-in modules only): it imports nothing of the project.
 */
const fs = process.getBuiltinModule("node:fs");
const path = process.getBuiltinModule("node:path");
const crypto = process.getBuiltinModule("node:crypto");
const nodeModule = process.getBuiltinModule("node:module");

/** The @pulumi/pulumi version the digests below are of; package.json pins it. */
export const PINNED_VERSION = "3.270.0";

/** sha256 of each SDK file a patch depends on, relative to the package's folder. */
export const DIGESTS: Readonly<Record<string, string>> = {
  "runtime/index.js": "f14f8b0d3b981aee6b7267e79eb991df212d1c1fe8a77bff403ec29908e4b0f8",
  "runtime/closure/serializeClosure.js": "2c31c60e64ee6bd3cad7e16876b5e3baa7235c386e7c0ce8e1e53be9fa51b402",
  "runtime/closure/codePaths.js": "f932e221ca8c00a3cb29c58601125853925c8129da7194c1a1a72bd7e2aa97e7",
  "runtime/debuggable.js": "f26952c40ce5e21cff94132e40a7b4c82b6f9360092d6b3932cd3ffa38cdbdbd",
  "runtime/closure/v8Hooks.js": "be88b549a7468cb175dbcc4ef03ae9b2f3a9dca23c2db05e6e5653ba6442fca6",
};

/** The functions runtime/index.js copies from each closure module (its `exports.X = module_1.X` lines). */
export const LAZY_EXPORTS: Readonly<Record<string, readonly string[]>> = {
  "runtime/closure/serializeClosure.js": ["serializeFunctionAsync", "serializeFunction"],
  "runtime/closure/codePaths.js": ["computeCodePaths"],
};

export interface PatchState {
  /** The SDK's folder, or undefined when the project has none. */
  sdkDir?: string;
  version?: string;
  /** Why the patches were not applied; undefined when they were. */
  skipped?: string;
  /** Whether promises keep their stack trace (PULUMI_DEBUG_PROMISE_LEAKS or a skip). */
  promiseStacks: boolean;
}

const sha256 = (file: string): string =>
  crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Each recorded file whose digest differs from the installed one, with the installed digest. */
export function changedFiles(sdkDir: string): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const [file, digest] of Object.entries(DIGESTS)) {
    const actual = fs.existsSync(path.join(sdkDir, file)) ? sha256(path.join(sdkDir, file)) : "(missing)";
    if (actual !== digest) {
      changed[file] = actual;
    }
  }
  return changed;
}

/** A module in Node's cache standing for `file`, whose functions load the real module when first called. */
function lazyModule(file: string, names: readonly string[]): void {
  let real: Record<string, (...args: unknown[]) => unknown> | undefined;
  const load = (): Record<string, (...args: unknown[]) => unknown> => {
    if (!real) {
      // The stand-in leaves the cache, so this require (and every later one) runs the real module.
      delete require.cache[file];
      real = nodeModule.createRequire(file)(file) as Record<string, (...args: unknown[]) => unknown>;
    }
    return real;
  };
  const exports: Record<string, unknown> = {};
  for (const name of names) {
    exports[name] = (...args: unknown[]) => load()[name](...args);
  }
  const stand = new nodeModule.Module(file);
  stand.filename = file;
  stand.loaded = true;
  stand.exports = exports;
  require.cache[file] = stand;
}

type JsLoader = (module: NodeJS.Module, file: string) => void;
type Patch = (exports: Record<string, unknown>) => void;

/** Runs each patch on its file's exports once Node has loaded that file (the files keyed by full path). */
function afterLoad(patches: Map<string, Patch>): void {
  const extensions = require.extensions as unknown as Record<string, JsLoader>;
  const js = extensions[".js"];
  extensions[".js"] = function (module: NodeJS.Module, filename: string): void {
    js(module, filename);
    const patch = patches.get(filename);
    if (patch) {
      patches.delete(filename);
      patch(module.exports as Record<string, unknown>);
      if (patches.size === 0) {
        extensions[".js"] = js;
      }
    }
  };
}

/** debuggablePromise (runtime/debuggable.js) with `Error.stackTraceLimit` 0 while it runs, and no label. */
const promisesWithoutStacks: Patch = (debuggable) => {
  const original = debuggable.debuggablePromise as (p: Promise<unknown>, ctx: unknown) => unknown;
  debuggable.debuggablePromise = function (p: Promise<unknown>) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(p, undefined);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
};

type Session = {
  connect(): void;
  post(method: string, callback: (err: Error | null) => void): void;
  on(event: string, listener: (message: { params: { scriptId: string; url: string } }) => void): void;
};

/**
 * runtime/closure/v8Hooks.js with its inspector session opened when the closure serializer first asks for it
 * (`getSessionAsync`), not by `isInitializedAsync`, which the SDK's `cmd/run/index.js` awaits before every
 * program. The session enables V8's debugger, which then reports and tracks every script the program loads;
 * only the serializer reads it (runtime/closure/v8.js). Opened late, the session is told of the scripts already
 * loaded while `Debugger.enable` runs, so the listener that maps script ids to URLs (`getScriptUrl`) is attached
 * before that call: it knows every script, where the SDK's own, attached after, knows those loaded later.
 */
const sessionOnFirstUse: Patch = (hooks) => {
  const urls = new Map<string, string>();
  let session: Promise<Session> | undefined;
  hooks.isInitializedAsync = () => Promise.resolve();
  hooks.getScriptUrl = (id: string) => urls.get(id);
  hooks.getSessionAsync = () => {
    session ??= new Promise((resolve, reject) => {
      const inspector = process.getBuiltinModule("node:inspector") as { Session: new () => Session };
      const opened = new inspector.Session();
      opened.connect();
      opened.on("Debugger.scriptParsed", (message) => urls.set(message.params.scriptId, message.params.url));
      opened.post("Debugger.enable", (err) => (err ? reject(err) : resolve(opened)));
    });
    return session;
  };
};

/** Applies the patches for the SDK installed under `root` (the project's folder); returns what it did. */
export function applySdkPatches(root: string, env: NodeJS.ProcessEnv = process.env): PatchState {
  let sdkDir: string;
  try {
    sdkDir = path.dirname(
      nodeModule.createRequire(path.join(root, "package.json")).resolve("@pulumi/pulumi/package.json"),
    );
  } catch {
    return { skipped: "@pulumi/pulumi is not installed", promiseStacks: true };
  }
  const version = (
    JSON.parse(fs.readFileSync(path.join(sdkDir, "package.json"), "utf8")) as { version: string }
  ).version;
  const state = { sdkDir, version, promiseStacks: true };
  if (env.EKS_PLATFORM_SDK_AS_IS) {
    return { ...state, skipped: "EKS_PLATFORM_SDK_AS_IS is set" };
  }
  if (version !== PINNED_VERSION) {
    return { ...state, skipped: `written for @pulumi/pulumi ${PINNED_VERSION}, found ${version}` };
  }
  const changed = Object.keys(changedFiles(sdkDir));
  if (changed.length) {
    return { ...state, skipped: `SDK files differ from the recorded ones: ${changed.join(", ")}` };
  }
  for (const [file, names] of Object.entries(LAZY_EXPORTS)) {
    lazyModule(path.join(sdkDir, file), names);
  }
  const patches = new Map([[path.join(sdkDir, "runtime", "closure", "v8Hooks.js"), sessionOnFirstUse]]);
  if (!env.PULUMI_DEBUG_PROMISE_LEAKS) {
    patches.set(path.join(sdkDir, "runtime", "debuggable.js"), promisesWithoutStacks);
  }
  afterLoad(patches);
  return { ...state, promiseStacks: !!env.PULUMI_DEBUG_PROMISE_LEAKS };
}
