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
import { dnsSuffixOf, partitionOf } from "../model/partition";
import type { CrdReader } from "../components/ingress/crds";
import { projectName, readStackConfig, ROOT, SECRET } from "./stackFile";

// Reading stack files lives in offline/stackFile.ts; the tests and tools that plan take it from here too.
export { configMap, projectName, readStackConfig, ROOT, SECRET, type StackConfig } from "./stackFile";

export interface CapturedResource {
  /** `<type>::<name>`, unique in one program run. */
  id: string;
  type: string;
  name: string;
  /** id of the parent resource, or undefined for the stack's direct children. */
  parent?: string;
  /** id of the explicit provider resource, if any. */
  provider?: string;
  /** true for custom resources, false for components. */
  custom: boolean;
  /** true when the program reads an existing object (`Resource.get`) instead of creating one. */
  read: boolean;
  protect: boolean;
  /** Explicit `dependsOn`, as ids. */
  dependsOn: string[];
  /** Resources whose outputs flow into this one's inputs, as ids. */
  inputsFrom: string[];
  /** Resolved inputs; secrets replaced by `[secret]`. */
  inputs: Record<string, unknown>;
  /**
   * Resource options that decide how a change is carried out (offline/transitions reads them); present only when
   * one is set. Aliases as `<type>::<name>` with the resource's own type or name where the alias keeps it.
   */
  options?: CapturedOptions;
}

export interface CapturedOptions {
  deleteBeforeReplace?: boolean;
  retainOnDelete?: boolean;
  aliases?: string[];
  replaceOnChanges?: string[];
  ignoreChanges?: string[];
}

export interface CapturedInvoke {
  token: string;
  inputs: Record<string, unknown>;
}

export interface Capture {
  project: string;
  stack: string;
  resources: CapturedResource[];
  invokes: CapturedInvoke[];
  outputs: Record<string, unknown>;
  /** Names of the outputs that are secrets. */
  secretOutputs: string[];
  /** What the program warned about (`pulumi.log.warn`, shown by `pulumi preview` too); absent when nothing. */
  warnings?: string[];
}

// ---- mocks ---------------------------------------------------------------------------------------------------

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces the runtime's wrapped secrets with `[secret]`, recursively. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(maskSecrets);
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      return SECRET;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

const computed = (type: string, name: string, attr: string) => `<known after apply: ${type} ${name} ${attr}>`;

/** Outputs the cloud (or a provider) computes, per resource type, as placeholders. Inputs echo back as state. */
function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  const c = (attr: string) => computed(type, name, attr);
  // Names the cloud makes follow the region's partition, as AWS's would (model/partition.ts).
  const partition = partitionOf(region);
  const dnsSuffix = dnsSuffixOf(partition);
  switch (type) {
    case "aws:iam/role:Role":
    case "aws:iam/policy:Policy":
      return { arn: c("arn"), name: inputs.name ?? name };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      // IAM derives this ARN from the issuer URL; only the account is the cloud's to know.
      return {
        arn: `arn:${partition}:iam::(account-id):oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
      };
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPem: { [SIG_KEY]: SECRET_SIG, value: c("privateKeyPem") },
        publicKeyPem: c("publicKeyPem"),
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: c("certPem"), validityEndTime: c("validityEndTime") };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: c("certRequestPem") };
    case "kubernetes:helm.sh/v3:Release":
      return {
        status: {
          name: inputs.name ?? name,
          namespace: inputs.namespace,
          status: "deployed",
          version: inputs.version,
        },
      };
    case "kubernetes:core/v1:Service":
      return {
        status: { loadBalancer: { ingress: [{ hostname: c("status.loadBalancer.ingress[0].hostname") }] } },
      };
    case "eks:index:Cluster": {
      // @pulumi/eks creates the provider for the cluster's issuer: an ARN of that shape.
      const issuer = `oidc.eks.${region}.${dnsSuffix}/id/(cluster-oidc-id)`;
      return {
        kubeconfigJson: c("kubeconfigJson"),
        oidcProviderArn: `arn:${partition}:iam::(account-id):oidc-provider/${issuer}`,
        oidcIssuer: issuer,
        // The underlying aws.eks.Cluster: its VPC is the configured one, or the account's default VPC.
        eksCluster: {
          vpcConfig: { vpcId: inputs.vpcId ?? c("eksCluster.vpcConfig.vpcId") },
          // EKS names a cluster's ARN after the region, account and name; the version is the configured one.
          arn: `arn:${partition}:eks:${region}:(account-id):cluster/${typeof inputs.name === "string" ? inputs.name : name}`,
          version: inputs.version ?? c("eksCluster.version"),
        },
      };
    }
    default:
      return {};
  }
}

/** Look-ups of existing infrastructure. Anything else is a new data source the mocks must learn about. */
function invokeResult(
  token: string,
  inputs: Record<string, unknown>,
  region: string,
  missing: readonly string[],
): Record<string, unknown> {
  const partition = partitionOf(region);
  const dnsSuffix = dnsSuffixOf(partition);
  switch (token) {
    case "aws:eks/getCluster:getCluster": {
      const name = String(inputs.name);
      return {
        id: name,
        name,
        arn: `arn:${partition}:eks:${region}:(account-id):cluster/${name}`,
        endpoint: `https://(api-server-of-${name}).${region}.eks.${dnsSuffix}`,
        certificateAuthorities: [{ data: "(cluster-ca-data)" }],
        vpcConfig: { vpcId: `(vpc-of-${name})` },
        version: "(kubernetes-version)",
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.${dnsSuffix}/id/(cluster-oidc-id)` }] }],
      };
    }
    case "aws:eks/getAddonVersion:getAddonVersion":
      // EKS answers DescribeAddonVersions with a version per add-on and Kubernetes version.
      return {
        id: String(inputs.addonName),
        addonName: inputs.addonName,
        kubernetesVersion: inputs.kubernetesVersion,
        mostRecent: inputs.mostRecent ?? false,
        region,
        version: `(${String(inputs.mostRecent ? "latest" : "default")} ${String(inputs.addonName)} for ${String(inputs.kubernetesVersion)})`,
      };
    case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": {
      // Looked up by URL (with or without https://) or ARN; the provider answers a missing one with
      // NotFound ("couldn't find resource"): terraform-provider-aws openid_connect_provider_data_source.go.
      const url = (typeof inputs.url === "string" ? inputs.url : "").replace(/^https:\/\//, "");
      if (missing.includes(token)) {
        throw new Error(
          `reading IAM OIDC Provider (${String(inputs.url ?? inputs.arn)}): couldn't find resource`,
        );
      }
      return {
        arn: inputs.arn ?? `arn:${partition}:iam::(account-id):oidc-provider/${url}`,
        url,
        clientIdLists: ["sts.amazonaws.com"],
      };
    }
    default:
      throw new Error(
        `unexpected invoke ${token} (${JSON.stringify(inputs)}): teach offline/harness.ts what it returns`,
      );
  }
}

/**
 * The runtime turns a failed invoke into `new Error(err.details)`, the gRPC status text the engine would send
 * (@pulumi/pulumi runtime/invoke.js), so a mock's plain Error arrives with a blank message. Give it `details`.
 */
function asRpcError(err: unknown): Error & { details: string } {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { details: message });
}

/**
 * The mocks alone, recording nothing: what devtools/cli-engine.ts gives the SDK when the program runs as the
 * Pulumi CLI starts it (the language host's `cmd/run` entry), so that path answers as runProgram does.
 */
export function plainMocks(region: string): pulumi.runtime.Mocks {
  return {
    newResource: (args) => {
      const inputs = args.inputs as Record<string, unknown>;
      return {
        id: args.id || `${args.name}-id`,
        state: { ...inputs, ...computedState(args.type, args.name, inputs, region) },
      };
    },
    call: (args) => {
      try {
        return invokeResult(args.token, args.inputs as Record<string, unknown>, region, []);
      } catch (err) {
        throw asRpcError(err);
      }
    },
  };
}

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

/** What the program sent for one registration, before the mocks' decoding: `req.getObject()` of the RPC. */
type RegisterRequest = {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
};
type Monitor = { registerResource(req: RegisterRequest, callback: unknown): Promise<void> };

/** Signatures of the SDK's special values other than a secret (assets, archives, resource references, outputs). */
const OTHER_SIGS = new Set([
  "c44067f5952c0a294b673a41bacd8c17",
  "0def7320c3a5731c473e5ecbe6d01bc7",
  "5cf8f73096256a8f31e491e813e4eb8e",
  "d0e6a833031e9bbcd3f4e8bde6ca49a4",
]);

/**
 * A value as the program sent it, with each secret inside it masked where it sits. The engine keeps a secret
 * nested in a map (a Helm release's `values` holding one key) where it is; the mocks' decoding raises it to the
 * whole top-level property (@pulumi/pulumi runtime/rpc.js deserializeProperty), which would hide every other
 * value from the plan. Undefined when the value holds another special value, left to the mocks' decoding.
 */
export function maskNestedSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(maskNestedSecrets);
    return items.includes(undefined) ? undefined : items;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      return SECRET;
    }
    if (typeof obj[SIG_KEY] === "string" && OTHER_SIGS.has(obj[SIG_KEY])) {
      return undefined;
    }
    const entries = Object.entries(obj).map(([k, v]) => [k, maskNestedSecrets(v)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
  }
  return value;
}

/**
 * Inputs as recorded: the mocks' decoding, except that a secret nested in a property stays nested. The request is
 * read again only for a property the decoding made secret whole (rare: reading every request costs time at scale).
 */
function recordedInputs(
  decoded: Record<string, unknown>,
  req: RegisterRequest | undefined,
): Record<string, unknown> {
  let raw: Record<string, unknown> | undefined;
  return Object.fromEntries(
    Object.entries(decoded).map(([key, value]) => {
      const masked = maskSecrets(value);
      if (masked !== SECRET || !req) {
        return [key, masked];
      }
      raw ??= (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const nested = maskNestedSecrets(raw[key]);
      return [key, nested === undefined ? masked : nested];
    }),
  );
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

/** The offline stand-in of a verified manifest: each pinned CRD, its spec naming the URL and the digest. */
export const offlineManifests: CrdReader = (url, pin) =>
  Promise.resolve(
    pin.names.map((name) => ({
      metadata: { name },
      spec: { "(read at deploy time)": `${url} (sha256 ${pin.sha256})` },
    })),
  );

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
        return {
          id: args.id || `${args.name}-id`,
          state: { ...inputs, ...computedState(args.type, args.name, inputs, region) },
        };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        invokes.push({ token: args.token, inputs: maskSecrets(args.inputs) as Record<string, unknown> });
        try {
          return invokeResult(args.token, args.inputs as Record<string, unknown>, region, opts.missing ?? []);
        } catch (err) {
          throw asRpcError(err);
        }
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
  (globalThis as Record<symbol, unknown>)[Symbol.for("eks-platform.offline-manifests")] = offlineManifests;
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

// ---- queries used by the plan and the tests ------------------------------------------------------------------

export function resourcesOfType(capture: Capture, type: string): CapturedResource[] {
  return capture.resources.filter((r) => r.type === type);
}

export function resource(capture: Capture, type: string, name: string): CapturedResource {
  const found = capture.resources.find((r) => r.type === type && r.name === name);
  if (!found) {
    const names = resourcesOfType(capture, type).map((r) => r.name);
    throw new Error(`no ${type} named ${name}; there are: ${names.join(", ") || "none"}`);
  }
  return found;
}
