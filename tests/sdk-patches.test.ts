/**
 * runtime/sdk-patches.ts: what it changes in @pulumi/pulumi, that it changes nothing of the plans, and that it
 * stops applying, and this file fails, the day the installed SDK is not the one it was written for.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { changedFiles, DIGESTS, PINNED_VERSION } from "../runtime/sdk-patches";
import { ROOT, runTool } from "./helpers/cli";

const SDK = path.join(ROOT, "node_modules", "@pulumi", "pulumi");

interface Probe {
  promiseStack: string;
  promiseLabel: string | null;
  loadedAtRequire: string[];
  serializedText: string;
  loadedAfterSerializing: string[];
  sessionsBeforeSerializing: number;
  sessionsAfterSerializing: number;
}

async function probe(env: NodeJS.ProcessEnv = {}): Promise<Probe> {
  const run = await runTool("tests/fixtures/sdk-probe.ts", [], env);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Probe;
}

let probed: Promise<{ patched: Probe; debugging: Probe; asIs: Probe }> | undefined;

/** The probe patched, with PULUMI_DEBUG_PROMISE_LEAKS and with the SDK as it is; run once for this file. */
function probes(): Promise<{ patched: Probe; debugging: Probe; asIs: Probe }> {
  probed ??= Promise.all([
    probe(),
    probe({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }),
    probe({ EKS_PLATFORM_SDK_AS_IS: "1" }),
  ]).then(([patched, debugging, asIs]) => ({ patched, debugging, asIs }));
  return probed;
}

test("the patches are written for the installed @pulumi/pulumi, file by file", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  assert.equal(manifest.dependencies["@pulumi/pulumi"], PINNED_VERSION, "package.json pins the SDK they fit");
  const installed = JSON.parse(fs.readFileSync(path.join(SDK, "package.json"), "utf8")) as {
    version: string;
  };
  assert.equal(installed.version, PINNED_VERSION);
  // A new SDK: read each changed file again, bring the patches up to it, then record its digest here.
  assert.deepEqual(changedFiles(SDK), {}, "SDK files changed under runtime/sdk-patches.ts");
  assert.deepEqual(Object.keys(DIGESTS).sort(), [
    "runtime/closure/codePaths.js",
    "runtime/closure/serializeClosure.js",
    "runtime/closure/v8Hooks.js",
    "runtime/debuggable.js",
    "runtime/index.js",
  ]);
  // What the patches rely on in those files: runtime/index.js copies the closure functions at load, and
  // debuggablePromise stores `new Error().stack`, read only for PULUMI_DEBUG_PROMISE_LEAKS.
  const index = fs.readFileSync(path.join(SDK, "runtime", "index.js"), "utf8");
  assert.match(index, /exports\.serializeFunction = serializeClosure_1\.serializeFunction;/);
  assert.match(index, /exports\.computeCodePaths = codePaths_1\.computeCodePaths;/);
  const debuggable = fs.readFileSync(path.join(SDK, "runtime", "debuggable.js"), "utf8");
  assert.match(debuggable, /"_debugStackTrace", \{ writable: true, value: new Error\(\)\.stack \}/);
  assert.equal(debuggable.match(/_debugStackTrace/g)?.length, 2, "stored once, read once");
  assert.equal(debuggable.match(/_debugCtx/g)?.length, 2, "stored once, read once");
  assert.match(
    debuggable,
    /return `CONTEXT\(\$\{p\._debugId\}\): \$\{p\._debugCtx\}\\n` \+ `STACK_TRACE:\\n`/,
  );
  assert.match(debuggable, /if \(exports\.debugPromiseLeaks\) \{[\s\S]*?promiseDebugString\(leak\)/);
  // v8Hooks.js: the session is the serializer's only (runtime/closure/v8.js asks getSessionAsync and getScriptUrl).
  const hooks = fs.readFileSync(path.join(SDK, "runtime", "closure", "v8Hooks.js"), "utf8");
  assert.match(
    hooks,
    /exports\.getSessionAsync = getSessionAsync;[\s\S]*exports\.getScriptUrl = getScriptUrl;/,
  );
  const users = ["runtime/closure/v8.js", "cmd/run/index.js"].map((f) =>
    fs.readFileSync(path.join(SDK, f), "utf8"),
  );
  assert.match(users[0], /v8Hooks\.getSessionAsync\(\)/);
  assert.match(users[1], /return v8Hooks\.isInitializedAsync\(\);/);
});

test("a changed SDK file is reported, and the patches then leave the SDK as it is", () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-copy-"));
  for (const file of Object.keys(DIGESTS)) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(SDK, file), path.join(copy, file));
  }
  assert.deepEqual(changedFiles(copy), {});
  fs.appendFileSync(path.join(copy, "runtime", "debuggable.js"), "\n");
  assert.deepEqual(Object.keys(changedFiles(copy)), ["runtime/debuggable.js"]);
});

test("runtime promises carry no stack trace and no label, unless PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
  const { patched, debugging, asIs } = await probes();
  // The bare error line (source-map-support, which formats stack traces, writes it `Error: `).
  assert.match(patched.promiseStack, /^Error:? ?$/);
  assert.equal(patched.promiseLabel, null);
  for (const p of [debugging, asIs]) {
    assert.equal(p.promiseLabel, "probe");
    assert.match(p.promiseStack, /^Error:? ?\n {4}at /);
    assert.ok(p.promiseStack.includes("sdk-probe.ts"), p.promiseStack);
  }
});

test("requiring @pulumi/pulumi loads neither TypeScript nor arborist; serializing a function still works", async () => {
  const { patched, asIs } = await probes();
  assert.deepEqual(patched.loadedAtRequire, []);
  assert.deepEqual(asIs.loadedAtRequire, ["@npmcli/arborist/lib/index", "@pulumi/pulumi/typescript-shim"]);
  assert.deepEqual(
    patched.loadedAfterSerializing,
    ["@pulumi/pulumi/typescript-shim"],
    "the serializer loads on its first call",
  );
  assert.equal(patched.serializedText, asIs.serializedText);
  assert.match(patched.serializedText, /6 \* 7/);
});

test("the closure serializer's inspector session opens on its first use, not before the program", async () => {
  const { patched, asIs } = await probes();
  assert.equal(asIs.sessionsBeforeSerializing, 1, "the SDK as it is opens it when cmd/run asks");
  assert.equal(patched.sessionsBeforeSerializing, 0);
  assert.equal(patched.sessionsAfterSerializing, 1);
  assert.equal(asIs.sessionsAfterSerializing, 1, "one session either way");
});

test("the plans are byte for byte the same with the SDK as it is", async () => {
  const out = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `sdk-plan-${name}-`));
  const dirs = { patched: out("patched"), asIs: out("as-is") };
  const runs = await Promise.all(
    ["dev", "prod"].flatMap((stack) => [
      runTool("commands/plan.ts", [stack, "--quiet", "--out", dirs.patched]),
      runTool("commands/plan.ts", [stack, "--quiet", "--out", dirs.asIs], { EKS_PLATFORM_SDK_AS_IS: "1" }),
    ]),
  );
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  for (const stack of ["dev", "prod"]) {
    const plan = fs.readFileSync(path.join(dirs.patched, `${stack}.json`), "utf8");
    assert.ok(plan.length > 1000);
    assert.equal(plan, fs.readFileSync(path.join(dirs.asIs, `${stack}.json`), "utf8"), stack);
  }
});
