/**
 * Offline plan: `npm run plan -- <stack> [--verbose] [--out DIR] [--quiet] [--stack-file FILE] [--config-file FILE]...
 * [--set KEY=VALUE]...`.
 *
 * `secure:` values, nested ones included, cannot be decrypted offline: they show as `[secret]` and are not
 * checked against their formats. Pulumi ESC imports (`environment:`) are not resolved; the plan says so, and
 * `--config-file` / `--set` supply the values they would give.
 *
 * Runs the real program with `Pulumi.<stack>.yaml` under Pulumi's mocks (no credentials, no Pulumi CLI, no
 * network), prints what the stack would create and writes a stable, sorted JSON plan to `plan/<stack>.json`
 * that two revisions can diff. By default the printout is a summary (what each component creates, the IAM role
 * ARNs, the outputs); `--verbose` prints every setting, dependency and look-up. Bad configuration exits 1 with the
 * same report `pulumi up` prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import {
  configMap,
  ProgramFailed,
  projectName,
  readStackConfig,
  ROOT,
  runProgram,
  type Capture,
  type CapturedResource,
  type StackConfig,
} from "../offline/harness";

/** Recursively sorts object keys so the JSON is byte-stable. Arrays keep their order (it is meaningful). */
const toYaml = (value: unknown): string => stringify(value, { lineWidth: 0 });

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function planJson(capture: Capture): string {
  return `${JSON.stringify(sortKeys({ ...capture, invokes: [...capture.invokes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }), null, 2)}\n`;
}

function parseJsonField(value: unknown): unknown {
  if (typeof value !== "string") {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

function tree(capture: Capture): string[] {
  const children = new Map<string | undefined, CapturedResource[]>();
  for (const r of capture.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const flags = [r.protect ? "protected" : "", r.read ? "read" : "", r.custom ? "" : "component"].filter(
        Boolean,
      );
      lines.push(
        `${"  ".repeat(depth + 1)}${r.type}  ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`,
      );
      walk(r.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

function settings(capture: Capture): string[] {
  const out: string[] = [];
  for (const r of capture.resources) {
    let body: unknown;
    switch (r.type) {
      case "aws:iam/role:Role":
        body = {
          assumeRolePolicy: parseJsonField(r.inputs.assumeRolePolicy),
          description: r.inputs.description,
          permissionsBoundary: r.inputs.permissionsBoundary,
        };
        break;
      case "aws:iam/policy:Policy":
        body = { policy: parseJsonField(r.inputs.policy) };
        break;
      case "kubernetes:helm.sh/v3:Release":
        body = {
          chart: r.inputs.chart,
          repositoryOpts: r.inputs.repositoryOpts,
          version: r.inputs.version,
          namespace: r.inputs.namespace,
          skipCrds: r.inputs.skipCrds,
          values: r.inputs.values,
        };
        break;
      case "tls:index/selfSignedCert:SelfSignedCert":
        body = {
          subject: r.inputs.subject,
          validityPeriodHours: r.inputs.validityPeriodHours,
          isCaCertificate: r.inputs.isCaCertificate,
        };
        break;
      default:
        if (r.type.startsWith("kubernetes:") && r.type.includes("ClusterIssuer")) {
          body = { spec: r.inputs.spec };
        } else if (r.type === "kubernetes:core/v1:Secret") {
          body = { type: r.inputs.type, stringData: r.inputs.stringData };
        }
    }
    if (body !== undefined) {
      out.push(`  ${r.type}  ${r.name}`, indent(toYaml(body), "      "));
    }
  }
  return out;
}

function edges(capture: Capture): string[] {
  const out: string[] = [];
  for (const r of capture.resources) {
    for (const d of r.dependsOn) out.push(`  ${r.id}  --dependsOn-->  ${d}`);
    for (const d of r.inputsFrom) out.push(`  ${r.id}  --uses-output-of-->  ${d}`);
    if (r.provider) out.push(`  ${r.id}  --provider-->  ${r.provider}`);
  }
  return out;
}

/**
 * The central DNS account's roles, as their owners apply them: each role's trust and permissions policy, in full.
 * Nothing when the stack has no central DNS account.
 */
function centralDnsSection(capture: Capture): string[] {
  const roles = (capture.outputs.centralDnsRoles ?? {}) as Record<string, Record<string, string>>;
  const arns = Object.keys(roles);
  if (arns.length === 0) {
    return [];
  }
  const lines = [
    "",
    "Central DNS account: create these roles there, with these documents as they are (output centralDnsRoles):",
  ];
  for (const arn of arns) {
    lines.push(`  ${arn}`);
    for (const doc of ["trustPolicy", "permissionsPolicy"]) {
      lines.push(`    ${doc}:`, indent(JSON.stringify(parseJsonField(roles[arn][doc]), null, 2), "      "));
    }
  }
  return lines;
}

export function renderPlan(capture: Capture): string {
  const custom = capture.resources.filter((r) => r.custom);
  const lines = [
    `Offline plan of stack '${capture.stack}' (project ${capture.project}): the real program under mocks; no cloud or cluster was contacted.`,
    `Values in <known after apply: ...> and (...) are known only to the cloud; [secret] marks secrets.`,
    "",
    `Resources: ${custom.length} resources (${custom.filter((r) => r.read).length} read), ${capture.resources.length - custom.length} components`,
    ...tree(capture),
    "",
    "Key settings:",
    ...settings(capture),
    "",
    "Dependencies:",
    ...edges(capture),
    "",
    "Look-ups (invokes):",
    ...capture.invokes.map((i) => `  ${i.token} ${JSON.stringify(i.inputs)}`),
    ...centralDnsSection(capture),
    "",
    "Stack outputs:",
    indent(toYaml(sortKeys(capture.outputs)), "  "),
  ];
  return `${lines.join("\n")}\n`;
}

/** The last part of a type token, `aws:iam/role:Role` -> `Role`; providers read as `kubernetes provider`. */
function shortType(type: string): string {
  const provider = /^pulumi:providers:(.+)$/.exec(type);
  return provider ? `${provider[1]} provider` : type.slice(type.lastIndexOf(":") + 1);
}

/** A role's IAM name and ARN (`arn:<partition>:iam::<account>:role/<path><name>`). */
export interface PredictedRole {
  key: string;
  name: string;
  arn: string;
  /** Where the account came from, or why it is not known. */
  account: "known" | "unknown";
}

/**
 * The ARN each IAM role will get. IAM builds it from the partition, the account, the path and the name, all of
 * which the plan knows except, sometimes, the account: an IRSA role trusts the OIDC provider of its own account, so
 * the account is taken from the provider's ARN in the trust policy when that ARN is literal (given in the stack
 * file), and shown as `<account>` when it comes from the cluster look-up at deploy time (or the role uses Pod
 * Identity, whose trust names no account).
 */
export function predictRoleArns(capture: Capture): PredictedRole[] {
  return capture.resources
    .filter((r) => r.type === "aws:iam/role:Role")
    .map((r) => {
      const name = typeof r.inputs.name === "string" ? r.inputs.name : r.name;
      const rolePath = typeof r.inputs.path === "string" ? r.inputs.path.replace(/^\/+/, "") : "";
      const trust = JSON.stringify(parseJsonField(r.inputs.assumeRolePolicy) ?? "");
      const federated = /"Federated":"arn:([\w-]+):iam::([^:]*):oidc-provider\//.exec(trust);
      const partition = federated?.[1] ?? "aws";
      const account = federated && /^\d{12}$/.test(federated[2]) ? federated[2] : undefined;
      const owner = "eks-platform:identity:WorkloadRole::";
      const key = r.parent?.startsWith(owner) ? r.parent.slice(owner.length) : name;
      return {
        key,
        name,
        arn: `arn:${partition}:iam::${account ?? "<account>"}:role/${rolePath}${name}`,
        account: account ? ("known" as const) : ("unknown" as const),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** What each component would create: its own resources by type, a Helm release with its chart and version. */
function byComponent(capture: Capture): string[] {
  const lines: string[] = [];
  const owners = [undefined, ...capture.resources.filter((r) => !r.custom).map((r) => r.id)];
  for (const owner of owners) {
    const own = capture.resources.filter((r) => r.custom && r.parent === owner);
    if (!own.length) continue;
    const component = capture.resources.find((r) => r.id === owner);
    const groups = new Map<string, string[]>();
    for (const r of own) {
      const label = `${r.read ? "reads " : ""}${shortType(r.type)}${r.protect ? " [protected]" : ""}`;
      const chart =
        r.type === "kubernetes:helm.sh/v3:Release"
          ? ` (${String(r.inputs.chart)} ${String(r.inputs.version)})`
          : "";
      groups.set(label, [...(groups.get(label) ?? []), `${r.name}${chart}`]);
    }
    const entries = [...groups];
    // An IRSA role's Role, Policy and attachment share one name: say it once.
    const oneName = entries.every(([, names]) => names.length === 1 && names[0] === entries[0][1][0]);
    const what = oneName
      ? `${entries.map(([label]) => label).join(" + ")} ${entries[0][1][0]}`
      : entries.map(([label, names]) => `${label} ${names.join(", ")}`).join("; ");
    lines.push(`  ${component ? `${shortType(component.type)} ${component.name}` : "(stack)"}: ${what}`);
  }
  return lines;
}

/** The default printout: what would be created per component, the role ARNs, the outputs. */
export function renderSummary(capture: Capture): string {
  const custom = capture.resources.filter((r) => r.custom);
  const read = custom.filter((r) => r.read).length;
  const roles = predictRoleArns(capture);
  // Outputs show the predicted ARN in place of the mocks' placeholder for it.
  const placeholders = new Map(
    roles.map((r) => [`<known after apply: aws:iam/role:Role ${r.name} arn>`, r.arn]),
  );
  const outputs = JSON.parse(JSON.stringify(sortKeys(capture.outputs)), (_k, v: unknown) =>
    typeof v === "string" ? (placeholders.get(v) ?? v) : v,
  ) as unknown;
  const width = Math.max(0, ...roles.map((r) => r.key.length));
  const lines = [
    `Offline plan of stack '${capture.stack}' (project ${capture.project}): the real program under mocks; no cloud or cluster was contacted.`,
    "",
    `Would create ${custom.length - read} resources${read ? ` and read ${read}` : ""}, by component:`,
    ...byComponent(capture),
    "",
    `IAM roles (${roles.length}):`,
    ...roles.map((r) => `  ${r.key.padEnd(width)}  ${r.arn}`),
    ...(roles.some((r) => r.account === "unknown")
      ? [
          "  <account>: the cluster's account, which the cluster look-up gives at deploy time (with IRSA, set cluster.oidcProviderArn to see it here).",
        ]
      : []),
    "",
    "Stack outputs:",
    indent(toYaml(outputs), "  "),
    // The central DNS account's owners act on these documents: they belong in the summary too.
    ...centralDnsSection(capture),
    "",
    "Everything (IAM documents, Helm values, ClusterIssuers, dependencies, look-ups): add --verbose.",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The stack's config as the plan runs it: the stack file, then `--config-file` files (a `config:` map as in a
 * stack file), then `--set key=value` (a JSON object or array for a structured key), each over the one before.
 * A key that is a secret in the stack file stays one whatever supplies its value.
 */
export function planConfig(
  stack: string,
  stackFile: string | undefined,
  configFiles: readonly string[],
  sets: readonly string[],
): StackConfig {
  const base = readStackConfig(stack, ROOT, stackFile);
  const config = { ...base.config };
  const secretKeys = new Set(base.secretKeys);
  for (const file of configFiles) {
    const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const extra = configMap(doc.config ?? {});
    Object.assign(config, extra.config);
    extra.secretKeys.forEach((k) => secretKeys.add(k));
  }
  const project = projectName();
  for (const set of sets) {
    const at = set.indexOf("=");
    if (at <= 0) {
      throw new Error(`--set ${set}: expected key=value, such as --set certManager.email=ops@acme-corp.com`);
    }
    const key = set.slice(0, at);
    config[key.includes(":") ? key : `${project}:${key}`] = set.slice(at + 1);
  }
  return { config, secretKeys: [...secretKeys], environments: base.environments };
}

/** What the plan says about ESC imports: it cannot open them, and how to supply their values instead. */
export function environmentsNote(environments: readonly string[]): string {
  if (environments.length === 0) {
    return "";
  }
  return [
    `Note: this stack imports Pulumi ESC environment(s) ${environments.join(", ")}. The offline plan does not resolve`,
    "ESC imports (that needs Pulumi Cloud), so keys they provide are missing here unless you supply them:",
    "--config-file FILE (a config: map, as in a stack file) or --set key=value (JSON for structured keys).",
  ].join("\n");
}

/** Where the plan command writes: the process's streams, or a buffer when a test runs it in-process. */
export interface PlanIo {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_IO: PlanIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `npm run plan -- <argv>`: returns the exit code. The command line calls it once; tests call it in their own
 * process (runProgram queues concurrent runs), which prints and writes exactly what the command would.
 */
export async function plan(argv: readonly string[], io: PlanIo = PROCESS_IO): Promise<number> {
  const option = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const repeated = (name: string): string[] => argv.flatMap((a, i) => (argv[i - 1] === name ? [a] : []));
  const withValue = ["--out", "--stack-file", "--config-file", "--set"];
  const outDir = option("--out") ?? path.join(ROOT, "plan");
  const stackFile = option("--stack-file");
  const quiet = argv.includes("--quiet");
  const verbose = argv.includes("--verbose");
  const stack = argv.find((a, i) => !a.startsWith("--") && !withValue.includes(argv[i - 1]));
  if (!stack) {
    io.err(
      "usage: npm run plan -- <stack> [--verbose] [--out DIR] [--quiet] [--stack-file FILE] [--config-file FILE]... [--set KEY=VALUE]...\n",
    );
    return 2;
  }
  let capture: Capture;
  let note = "";
  try {
    const given = planConfig(
      stack,
      stackFile && path.resolve(stackFile),
      repeated("--config-file").map((f) => path.resolve(f)),
      repeated("--set"),
    );
    note = environmentsNote(given.environments);
    capture = await runProgram({ stack, config: given.config, secretKeys: given.secretKeys });
  } catch (err) {
    const cause = err instanceof ProgramFailed ? err.error : err;
    const registered = err instanceof ProgramFailed ? err.resourcesRegistered : 0;
    // The program reports bad configuration as a RunError (index.ts), which the CLI prints as its message alone.
    if (pulumi.RunError.isInstance(cause)) {
      io.err(`${cause.message}\n(${registered} resources registered)\n${note && `${note}\n`}`);
      return 1;
    }
    // A failure inside the program is a bug: show where. Anything else (no such stack file) needs only the message.
    const detail =
      err instanceof ProgramFailed && cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    io.err(`${detail.replace(/^Error: /, "")}\n`);
    return 1;
  }
  if (note) {
    io.err(`${note}\n`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${stack}.json`);
  fs.writeFileSync(file, planJson(capture));
  if (!quiet) {
    io.out(verbose ? renderPlan(capture) : renderSummary(capture));
  }
  for (const warning of capture.warnings ?? []) io.err(`warning: ${warning}\n`);
  io.out(`Wrote ${path.relative(process.cwd(), file)}\n`);
  return 0;
}

if (require.main === module) {
  plan(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
