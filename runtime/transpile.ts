/**
 * The TypeScript loader of the program under the Pulumi CLI (Pulumi.yaml `typescript: false`, `nodeargs:
 * --require ./runtime/transpile.ts`), of the offline plan, the tests and the benchmarks:
 * `node --require ./runtime/transpile.ts commands/plan.ts dev`. It also applies runtime/sdk-patches.ts and
 * formats stack traces with `.ts` lines (mapStackTraces), the same in every one of those processes.
 *
 * It emits each `.ts` file with TypeScript's `transpileModule` and tsconfig.pulumi.json's options (`noCheck`),
 * as ts-node in transpile-only mode did when the CLI loaded the program through it (ts-node 10.9.2
 * `dist/index.js`, `createTranspileOnlyGetOutputFunction`; six files compared: identical but for the source-map
 * comment). Each output is kept on
 * disk under a hash of the TypeScript version, the compiler options and the source: a run whose files have not
 * changed never loads the compiler (~9 MB of JavaScript). Node's compile cache then keeps the V8 bytecode of
 * everything loaded, node_modules included. Type checking is `npm run typecheck`'s job, as it is in CI.
 *
 * Node loads this file itself (its built-in type stripping, on by default in the Node 22.23 the project uses),
 * before any loader exists: it may use only syntax that stripping removes, only Node's built-in modules at the
 * top level, and no import or export of values (that would make it an ES module).
 */
import type * as TypeScript from "typescript";

const fs = process.getBuiltinModule("node:fs");
const path = process.getBuiltinModule("node:path");
const crypto = process.getBuiltinModule("node:crypto");
const nodeModule = process.getBuiltinModule("node:module");

const ROOT = path.resolve(__dirname, "..");
/** The tsconfig the Pulumi CLI loads the program with (Pulumi.yaml `runtime.options.tsconfig`). */
const CLI_TSCONFIG = path.join(ROOT, "tsconfig.pulumi.json");
const CACHE = path.join(ROOT, "node_modules", ".cache", "eks-platform");
const fromRoot = nodeModule.createRequire(path.join(ROOT, "package.json"));

// Everything that changes the emitted JavaScript, apart from the source itself.
const salt = [
  (fromRoot("typescript/package.json") as { version: string }).version,
  fs.readFileSync(CLI_TSCONFIG, "utf8"),
  fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"),
].join("\0");

let compiler: { ts: typeof TypeScript; options: TypeScript.CompilerOptions } | undefined;

function transpile(source: string, fileName: string): string {
  if (!compiler) {
    const ts = fromRoot("typescript") as typeof TypeScript;
    const parsed = ts.getParsedCommandLineOfConfigFile(
      CLI_TSCONFIG,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    if (!parsed) {
      throw new Error(`cannot read ${CLI_TSCONFIG}`);
    }
    // Source maps inline: stack traces, and so the source positions the SDK records, map them (sourceMapOf).
    compiler = { ts, options: { ...parsed.options, inlineSourceMap: true, inlineSources: false } };
  }
  return compiler.ts.transpileModule(source, { compilerOptions: compiler.options, fileName }).outputText;
}

/** The JavaScript of one `.ts` file: from the disk cache, or transpiled and then cached. */
function emitted(fileName: string): string {
  const source = fs.readFileSync(fileName, "utf8");
  const key = crypto
    .createHash("sha256")
    .update(salt)
    .update("\0")
    // The base name, not the path: transpileModule's output depends on the file only through it (the inline
    // source map names the base name), so a copy of the project (npm run plan:diff's worktree) shares the cache.
    .update(path.basename(fileName))
    .update("\0")
    .update(source);
  const cached = path.join(CACHE, "ts", `${key.digest("hex")}.js`);
  let output: string;
  try {
    output = fs.readFileSync(cached, "utf8");
  } catch {
    output = transpile(source, fileName);
    // Written under a unique name, then renamed: test processes running side by side may race on one file. A
    // cache that cannot be written (a read-only install) only costs the next run the compiler.
    try {
      fs.mkdirSync(path.dirname(cached), { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(partial, output);
      fs.renameSync(partial, cached);
    } catch {
      // keep `output`
    }
  }
  return output;
}

/** The JavaScript of each `.ts` file this process loaded, for their source maps. */
const loaded = new Map<string, string>();

function load(module: NodeJS.Module, fileName: string): void {
  const output = emitted(fileName);
  loaded.set(fileName, output);
  (module as NodeJS.Module & { _compile(code: string, file: string): void })._compile(output, fileName);
}

const INLINE_MAP = "//# sourceMappingURL=data:application/json;base64,";

/** Each loaded `.ts` file's source map, parsed on the first stack trace that passes through it. */
const maps = new Map<string, InstanceType<typeof nodeModule.SourceMap> | null>();

function sourceMapOf(file: string): InstanceType<typeof nodeModule.SourceMap> | null {
  let map = maps.get(file);
  if (map === undefined) {
    const output = loaded.get(file);
    const at = output?.lastIndexOf(INLINE_MAP) ?? -1;
    map =
      output && at >= 0
        ? new nodeModule.SourceMap(
            JSON.parse(
              Buffer.from(output.slice(at + INLINE_MAP.length).trim(), "base64").toString("utf8"),
            ) as ConstructorParameters<typeof nodeModule.SourceMap>[0],
          )
        : null;
    maps.set(file, map);
  }
  return map;
}

/** One frame as V8 writes it, with a position in a loaded `.ts` file moved to its TypeScript line and column. */
function frameText(frame: NodeJS.CallSite): string {
  // V8's CallSite has its own toString (the frame as V8 writes it); its typings do not say so.
  const text = (frame as NodeJS.CallSite & { toString(): string }).toString();
  const file = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  const map = file && loaded.has(file) ? sourceMapOf(file) : null;
  if (!map || line === null || column === null) {
    return text;
  }
  const entry = map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
  if (entry.originalLine === undefined || entry.originalColumn === undefined) {
    return text;
  }
  const at = text.lastIndexOf(`${file}:${line}:${column}`);
  return at < 0
    ? text
    : `${text.slice(0, at)}${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}${text.slice(at + `${file}:${line}:${column}`.length)}`;
}

/** V8's own stack format (the error's string, then `    at <frame>` lines), frames mapped by frameText. */
function prepareStackTrace(error: Error, frames: NodeJS.CallSite[]): string {
  let header: string;
  try {
    header = String(error);
  } catch {
    header = "<error>";
  }
  return header + frames.map((f) => `\n    at ${frameText(f)}`).join("");
}

/**
 * Stack traces name `.ts` lines and columns, and so do the source positions the SDK records for each resource,
 * which it parses from `new Error().stack` (@pulumi/pulumi 3.270 `resource.js` `Resource.callsites`). Frames in
 * other files are written as V8 writes them (a dependency's own `.js.map` is not read).
 *
 * Under the Pulumi CLI, the SDK's `cmd/run/index.js` requires `source-map-support/register`, whose
 * `Error.prepareStackTrace` would take this one's place (and Node's own `--enable-source-maps` with it), and
 * which maps a file from the source on disk, TypeScript here, and copies every frame into closures. That copy
 * of source-map-support sets its formatter only once per process: installed here first (without its handler of
 * uncaught exceptions, which `register` adds), it is then replaced by this one, and `register` keeps it. The
 * offline plan and the tests format stacks the same way, so a failing test points at its TypeScript line.
 */
function mapStackTraces(): void {
  // Only the CLI's entry requires source-map-support: elsewhere nothing would replace this formatter.
  if (/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run(?:[\\/]index\.js)?$/.test(process.argv[1] ?? "")) {
    try {
      const sdkRequire = nodeModule.createRequire(fromRoot.resolve("@pulumi/pulumi/cmd/run/index.js"));
      (sdkRequire("source-map-support") as { install(options: Record<string, unknown>): void }).install({
        environment: "node",
        handleUncaughtExceptions: false,
      });
    } catch {
      // No SDK installed: cmd/run cannot have started either.
    }
  }
  Error.prepareStackTrace = prepareStackTrace;
}

/**
 * `node runtime/transpile.ts --warm`: fills the cache with every `.ts` file of the project in one process. Test
 * files run in processes of their own, two at a time; on a fresh checkout each would otherwise load the compiler
 * for its own files (measured: 117 against 91 CPU s for `npm run test:unit`, cold cache against warm).
 */
function warm(): number {
  const skip = new Set(["node_modules", ".git", "plan", "bin", "dist"]);
  let files = 0;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !skip.has(entry.name)) {
        walk(full);
      } else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        emitted(full);
        files++;
      }
    }
  };
  walk(ROOT);
  return files;
}

if (!require.extensions[".ts"]) {
  require.extensions[".ts"] = load;
  mapStackTraces();
  // runtime/sdk-patches.ts, through the loader just registered.
  const patches = nodeModule.createRequire(__filename)("./sdk-patches.ts") as {
    applySdkPatches(root: string): unknown;
  };
  patches.applySdkPatches(ROOT);
}

nodeModule.enableCompileCache?.(path.join(CACHE, "v8"));

if (require.main === module && process.argv.includes("--warm")) {
  const started = Date.now();
  const files = warm();
  if (!process.argv.includes("--quiet")) {
    process.stdout.write(`transpile cache: ${files} files in ${Date.now() - started} ms\n`);
  }
}
