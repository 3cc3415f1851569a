/**
 * Runs the real program (index.ts and its components) under Pulumi's mocks and records what it would create:
 * every resource with its type, name, parent, provider, inputs, dependencies and protection, every invoke, and
 * the stack outputs. The offline plan and the tests both use it; it is the one place the mocks live.
 *
 * Values only the cloud knows (ARNs, load balancer names, generated keys) come back as readable placeholders
 * `<known after apply: …>`; values of cluster look-ups as `(account-id)`-style placeholders; secrets as
 * `[secret]`. A mock that is asked for an invoke it does not know throws, so a new data-source call cannot pass
 * unnoticed.
 *
 * The Pulumi runtime is process-global, so one process runs one program at a time: `runProgram` queues its
 * callers, resets the runtime (setMocks) and loads the program's own modules afresh for each run, so every run
 * sees what a new process would (tests/plan.test.ts compares the two byte for byte).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Capture, CapturedInvoke, CapturedOptions, CapturedResource } from "./capture";
import { OFFLINE_MANIFESTS } from "../components/ingress/crds";
import { offlineManifests, plainMocks } from "./mockAnswers";
import { maskSecrets, recordedInputs, type Monitor, type RegisterRequest } from "./secretMasks";
import { projectName, readStackConfig, ROOT, SECRET } from "./stackFile";

// Reading stack files lives in offline/stackFile.ts, what a run records in capture.ts, the mocks' answers in
// mockAnswers.ts; the tests and tools that plan take them from here.
export { configMap, projectName, readStackConfig, ROOT, SECRET, type StackConfig } from "./stackFile";
export * from "./capture";
export { maskNestedSecrets, maskSecrets } from "./secretMasks";
export { offlineManifests, plainMocks } from "./mockAnswers";

// ---- running the program -------------------------------------------------------------------------------------

/** The program threw (bad config, a bug): carries the error and how many resources were registered before. */
export class ProgramFailed extends Error {
  constructor(
    readonly error: unknown,
    readonly resourcesRegistered: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = "ProgramFailed";
  }
}

export interface RunOptions {
  stack: string;
  /** Full config map; default: the stack file's. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /**
   * Stack file to read instead of `Pulumi.<stack>.yaml` in the project; with `config`, the file whose `secure:`
   * positions the program reads (stacks/secrets.ts).
   */
  stackFile?: string;
  /** Outputs of the stacks the program references (`StackReference` name -> outputs). */
  stackReferences?: Record<string, Record<string, unknown>>;
  /** Program to load; default: the project's index.ts. */
  program?: string;
  /**
   * Invoke tokens whose look-up finds nothing in the account, answered as the provider answers a missing object
   * (e.g. `aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider`: the cluster has no IAM OIDC provider).
   * Default: none; every look-up finds its object.
   */
  missing?: readonly string[];
  project?: string;
}

/** Internal members of @pulumi/pulumi's Output (output.js OutputImpl) that the stack's outputs are read by. */
type StackOutputs = { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };

type InternalOutput = { allResources?: () => Promise<Set<pulumi.Resource>> };

async function resourcesIn(value: unknown, seen = new Set<unknown>()): Promise<pulumi.Resource[]> {
  if (value === null || typeof value !== "object" || seen.has(value)) {
    return [];
  }
  seen.add(value);
  if (pulumi.Output.isInstance(value)) {
    // Internal API of @pulumi/pulumi: the resources an Output was computed from.
    const all = await (value as unknown as InternalOutput).allResources?.();
    return all ? [...all] : [];
  }
  if (pulumi.Resource.isInstance(value)) {
    return [];
  }
  const nested = await Promise.all(
    Object.values(value as Record<string, unknown>).map((v) => resourcesIn(v, seen)),
  );
  return nested.flat();
}

async function resolveAll(value: unknown): Promise<unknown> {
  const v: unknown = await Promise.resolve(value);
  if (pulumi.Output.isInstance(v)) {
    return new Promise((resolve) => v.apply((inner) => resolve(resolveAll(inner))));
  }
  if (Array.isArray(v)) {
    return Promise.all(v.map(resolveAll));
  }
  if (v !== null && typeof v === "object" && !pulumi.Resource.isInstance(v)) {
    const entries = await Promise.all(
      Object.entries(v).map(async ([k, x]) => [k, await resolveAll(x)] as const),
    );
    return Object.fromEntries(entries);
  }
  return v;
}

/** The options of a registration that offline/transitions needs, or undefined when none is set. */
function capturedOptions(
  type: string,
  name: string,
  opts: pulumi.CustomResourceOptions | pulumi.ComponentResourceOptions,
): CapturedOptions | undefined {
  const custom = opts as pulumi.CustomResourceOptions;
  const out: CapturedOptions = {};
  if (custom.deleteBeforeReplace !== undefined) out.deleteBeforeReplace = custom.deleteBeforeReplace;
  if (opts.retainOnDelete !== undefined) out.retainOnDelete = opts.retainOnDelete;
  if (opts.replaceOnChanges?.length) out.replaceOnChanges = [...opts.replaceOnChanges];
  if (opts.ignoreChanges?.length) out.ignoreChanges = [...opts.ignoreChanges];
  const aliases = (opts.aliases ?? []).flatMap((a): string[] => {
    if (typeof a === "string") {
      return [a];
    }
    // Only plain values are recorded: an alias computed from outputs cannot be known before the program runs.
    const alias = a as { type?: unknown; name?: unknown };
    const aliasType = typeof alias.type === "string" ? alias.type : type;
    const aliasName = typeof alias.name === "string" ? alias.name : name;
    return [`${aliasType}::${aliasName}`];
  });
  if (aliases.length) out.aliases = aliases;
  return Object.keys(out).length ? out : undefined;
}

/** The folders and files of the program itself, loaded afresh for every run. */
const PROGRAM_SOURCES = ["index.ts", "components", "stacks", "model"].map((p) => path.join(ROOT, p));

/**
 * Drops the program's modules from Node's module cache, so the next `require` runs them (and any module-level
 * state they keep) from the start, as in a new process. Dependencies in node_modules stay loaded: the SDKs keep
 * no state of a run outside what `setMocks` resets.
 */
function forgetProgramModules(program: string): void {
  for (const file of Object.keys(require.cache)) {
    const own = PROGRAM_SOURCES.some((p) => file === p || file.startsWith(`${p}${path.sep}`));
    if ((own && !file.includes(`${path.sep}node_modules${path.sep}`)) || file === program) {
      delete require.cache[file];
    }
  }
}

/** How the SDK prints a warning when no engine is attached. */
const RUNTIME_WARNING = "warning: [runtime] ";

/** The end of the last queued run: the Pulumi runtime can run one program at a time in a process. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program under mocks and records what it would create. Concurrent calls in one process run one after
 * the other.
 */
export function runProgram(opts: RunOptions): Promise<Capture> {
  const run = queue.then(() => runProgramNow(opts));
  queue = run.catch(() => undefined);
  return run;
}

async function runProgramNow(opts: RunOptions): Promise<Capture> {
  const project = opts.project ?? projectName();
  const fromFile = opts.config ? undefined : readStackConfig(opts.stack, ROOT, opts.stackFile);
  const config = opts.config ?? fromFile!.config;
  const secretKeys = opts.secretKeys ?? fromFile?.secretKeys ?? [];
  const region = config["aws:region"] ?? "(region)";

  const records = new Map<string, CapturedResource>();
  const ids = new WeakMap<pulumi.Resource, string>();
  const pending: Promise<void>[] = [];
  const registered: Promise<unknown>[] = [];
  const invokes: CapturedInvoke[] = [];
  const warnings: string[] = [];

  const answers = plainMocks(region, opts.missing ?? []);
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const id = `${args.type}::${args.name}`;
        const rec = records.get(id);
        const inputs = args.inputs as Record<string, unknown>;
        if (rec) {
          rec.inputs = recordedInputs(inputs, sent.get(id));
          rec.read = args.id !== undefined && args.id !== "";
          rec.custom = args.custom === true;
        }
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(inputs.name);
          const referenced = opts.stackReferences?.[name];
          if (!referenced) {
            throw new Error(`unexpected stack reference ${name}: pass its outputs in stackReferences`);
          }
          return { id: name, state: { name, outputs: referenced, secretOutputNames: [] } };
        }
        return answers.newResource(args);
      },
      call(args: pulumi.runtime.MockCallArgs) {
        invokes.push({ token: args.token, inputs: maskSecrets(args.inputs) as Record<string, unknown> });
        return answers.call(args);
      },
    },
    project,
    opts.stack,
    false,
  );
  pulumi.runtime.setAllConfig(config, secretKeys);
  // The stack file whose `secure:` positions say which values are secret (index.ts reads it; under the CLI, and
  // here when the caller gives the config and no file, that is Pulumi.<stack>.yaml in the working directory).
  const stackFile =
    opts.stackFile ?? (opts.config ? undefined : path.join(ROOT, `Pulumi.${opts.stack}.yaml`));
  if (stackFile) process.env.EKS_PLATFORM_STACK_FILE = stackFile;
  else delete process.env.EKS_PLATFORM_STACK_FILE;
  // No network offline: manifests the program fetches at deploy time (components/ingress/crds.ts) come back as
  // stand-ins that name their source and pinned digest, so the plan shows where they would come from.
  (globalThis as Record<symbol, unknown>)[OFFLINE_MANIFESTS] = offlineManifests;
  // Each registration as sent, before the mocks decode it (see recordedInputs).
  const sent = new Map<string, RegisterRequest>();
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    sent.set(`${req.getType()}::${req.getName()}`, req);
    return register(req, callback);
  };

  let exported: Record<string, unknown> = {};
  let outputs: unknown;
  let root: pulumi.runtime.Stack | undefined;
  try {
    // What runInPulumiStack does, keeping the stack resource: after a failure its outputs are settled below.
    root = new pulumi.runtime.Stack(() => {
      pulumi.runtime.registerStackTransformation((t) => {
        const id = `${t.type}::${t.name}`;
        ids.set(t.resource, id);
        const rec: CapturedResource = {
          id,
          type: t.type,
          name: t.name,
          custom: false,
          read: false,
          protect: t.opts.protect === true,
          dependsOn: [],
          inputsFrom: [],
          inputs: {},
        };
        const options = capturedOptions(t.type, t.name, t.opts);
        if (options) {
          rec.options = options;
        }
        records.set(id, rec);
        const parent = t.opts.parent;
        const provider = (t.opts as pulumi.CustomResourceOptions).provider;
        pending.push(
          (async () => {
            rec.parent = parent && ids.get(parent);
            rec.provider = provider && ids.get(provider);
            const deps = await resolveAll(t.opts.dependsOn);
            const depList = (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[];
            rec.dependsOn = [...new Set(depList.map((d) => ids.get(d) ?? "?"))].sort();
            const from = await resourcesIn(t.props);
            rec.inputsFrom = [...new Set(from.flatMap((r) => (ids.get(r) ? [ids.get(r)!] : [])))]
              .filter((d) => d !== id)
              .sort();
          })(),
        );
        // The constructor sets `urn` after the transformations run: read it once the constructor has returned.
        registered.push(
          Promise.resolve().then(() => new Promise((resolve) => t.resource.urn.apply(resolve))),
        );
        return undefined;
      });
      const program = opts.program ?? path.join(ROOT, "index.ts");
      forgetProgramModules(program);
      // Without an engine the SDK prints a warning to the console (@pulumi/pulumi log/index.js): keep the
      // program's own in the capture instead, so the plan shows them wherever it is run.
      const consoleWarn = console.warn;
      console.warn = (...args: unknown[]) => {
        const text = String(args[0]);
        if (args.length === 1 && text.startsWith(RUNTIME_WARNING))
          warnings.push(text.slice(RUNTIME_WARNING.length));
        else consoleWarn(...args);
      };
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        exported = require(program) as Record<string, unknown>;
      } finally {
        console.warn = consoleWarn;
      }
      return Promise.resolve(exported);
    });
    outputs = await (root.outputs as unknown as StackOutputs).promise();
  } catch (err) {
    // The stack's outputs carry the program's error into promises nobody awaits; in a process of its own that
    // ends with the process, here it would surface as an unhandled rejection during a later run.
    if (root) {
      const internals = root.outputs as unknown as StackOutputs;
      internals.isKnown.catch(() => undefined);
      internals.isSecret.catch(() => undefined);
    }
    // Let the failed run's outstanding calls (the stack's outputs, registrations already under way) reach this
    // run's mocks before a later run resets them; a call that fails now belongs to the failure reported here.
    await pulumi.runtime.disconnect().catch(() => undefined);
    throw new ProgramFailed(err, records.size);
  }

  // Wait until every resource is registered (registration can start more resources, so loop to a fixed point).
  for (let seen = -1; seen !== registered.length;) {
    seen = registered.length;
    await Promise.all([...registered, ...pending]);
  }

  const resolvedOutputs = ((await resolveAll(outputs)) ?? {}) as Record<string, unknown>;
  // Let the runtime finish its own bookkeeping (stack outputs) so the process exits without leaked promises.
  await pulumi.runtime.disconnect();
  const secretOutputs: string[] = [];
  for (const [name, value] of Object.entries(exported)) {
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) {
      secretOutputs.push(name);
      resolvedOutputs[name] = SECRET;
    }
  }
  return {
    project,
    stack: opts.stack,
    resources: [...records.values()].sort((a, b) => a.id.localeCompare(b.id)),
    invokes,
    outputs: maskSecrets(resolvedOutputs) as Record<string, unknown>,
    secretOutputs,
    ...(warnings.length ? { warnings } : {}),
  };
}
