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
 * The Pulumi runtime is process-global: call `runProgram` once per process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

export const SECRET = "[secret]";
export const ROOT = path.resolve(__dirname, "..");

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
}

// ---- stack files ---------------------------------------------------------------------------------------------

/** The project name from Pulumi.yaml. */
export function projectName(dir = ROOT): string {
  const doc = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name: string };
  return doc.name;
}

/**
 * A stack file's `config:` as Pulumi hands it to a program: `"<ns>:<key>" -> string`, structured values as
 * JSON, keys without a namespace put in the project's. `secure:` values (ciphertext we cannot decrypt offline)
 * become `[secret]` and are listed in `secretKeys`.
 */
export function readStackConfig(
  stack: string,
  dir = ROOT,
  file = path.join(dir, `Pulumi.${stack}.yaml`),
): { config: Record<string, string>; secretKeys: string[] } {
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(dir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.slice(1, 2) ?? []);
    throw new Error(
      `no stack file ${path.relative(process.cwd(), file)}; stacks here: ${known.join(", ") || "none"}`,
    );
  }
  const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const project = projectName();
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      config[key] = SECRET;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
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
  switch (type) {
    case "aws:iam/role:Role":
    case "aws:iam/policy:Policy":
      return { arn: c("arn"), name: inputs.name ?? name };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      // IAM derives this ARN from the issuer URL; only the account is the cloud's to know.
      return {
        arn: `arn:aws:iam::(account-id):oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
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
      const issuer = `oidc.eks.${region}.amazonaws.com/id/(cluster-oidc-id)`;
      return {
        kubeconfigJson: c("kubeconfigJson"),
        oidcProviderArn: `arn:aws:iam::(account-id):oidc-provider/${issuer}`,
        oidcIssuer: issuer,
        // The underlying aws.eks.Cluster: its VPC is the configured one, or the account's default VPC.
        eksCluster: { vpcConfig: { vpcId: inputs.vpcId ?? c("eksCluster.vpcConfig.vpcId") } },
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
): Record<string, unknown> {
  switch (token) {
    case "aws:eks/getCluster:getCluster": {
      const name = String(inputs.name);
      return {
        id: name,
        name,
        arn: `arn:aws:eks:${region}:(account-id):cluster/${name}`,
        endpoint: `https://(api-server-of-${name}).eks.amazonaws.com`,
        certificateAuthorities: [{ data: "(cluster-ca-data)" }],
        vpcConfig: { vpcId: `(vpc-of-${name})` },
        identities: [
          { oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/(cluster-oidc-id)` }] },
        ],
      };
    }
    case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
      return { arn: `arn:aws:iam::(account-id):oidc-provider/${String(inputs.url)}`, url: inputs.url };
    default:
      throw new Error(
        `unexpected invoke ${token} (${JSON.stringify(inputs)}): teach tools/harness.ts what it returns`,
      );
  }
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
  /** Stack file to read instead of `Pulumi.<stack>.yaml` in the project. */
  stackFile?: string;
  /** Outputs of the stacks the program references (`StackReference` name -> outputs). */
  stackReferences?: Record<string, Record<string, unknown>>;
  /** Program to load; default: the project's index.ts. */
  program?: string;
  project?: string;
}

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

export async function runProgram(opts: RunOptions): Promise<Capture> {
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

  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const id = `${args.type}::${args.name}`;
        const rec = records.get(id);
        const inputs = args.inputs as Record<string, unknown>;
        if (rec) {
          rec.inputs = maskSecrets(inputs) as Record<string, unknown>;
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
        return invokeResult(args.token, args.inputs as Record<string, unknown>, region);
      },
    },
    project,
    opts.stack,
    false,
  );
  pulumi.runtime.setAllConfig(config, secretKeys);

  let exported: Record<string, unknown> = {};
  let outputs: unknown;
  try {
    outputs = await pulumi.runtime.runInPulumiStack(() => {
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
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(program) as Record<string, unknown>;
      return Promise.resolve(exported);
    });
  } catch (err) {
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
