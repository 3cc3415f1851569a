/**
 * Reads a stack's configuration, applies the tier defaults and checks everything, returning one typed object.
 *
 * Every problem is collected and reported together (key, value, what is expected) before the program creates
 * a single resource: `loadPlatformConfig` either returns a complete `PlatformConfig` or throws `ConfigError`.
 */
import { z } from "zod";
import {
  IAM_ROLE_NAME_MAX,
  domainsOverlap,
  externalDnsOwnerId,
  externalDnsReleaseName,
  irsaRoleName,
} from "../components/naming";
import { isReadOnlyAction, isServiceWildcardAction, isWildcardResource } from "../components/iamActions";
import { commonDefaults, tierDefaults, type Tier } from "./defaults";
import {
  PROJECT,
  awsRegion,
  requiredSections,
  sections,
  type ClusterInput,
  type ExternalDnsInstanceInput,
  type IngressInstanceInput,
  type RawConfig,
  type SectionKey,
  type StatementInput,
} from "./schema";

// ---- the resolved configuration ------------------------------------------------------------------------------

export interface Zone {
  readonly name: string;
  readonly zoneId: string;
}

export interface IngressInstanceConfig {
  /** Instance key (`public`, `internal`, ...). */
  readonly key: string;
  readonly className: string;
  readonly scheme: "internet-facing" | "internal";
  readonly isDefaultClass: boolean;
  readonly sourceRanges: readonly string[];
  readonly replicas: number;
  readonly highAvailability: boolean;
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly enableCustomResources: boolean;
}

export type ExternalDnsInstanceName = "private" | "central";

export interface ExternalDnsInstanceConfig {
  readonly name: ExternalDnsInstanceName;
  readonly zoneType: "private" | "public";
  readonly ownerId: string;
  readonly zoneIds: readonly string[];
  readonly domainFilters: readonly string[];
  readonly ingressClass: string;
  readonly policy: "sync" | "upsert-only";
  readonly txtPrefix: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Cross-account: the DNS account's role to assume, and the optional external ID. */
  readonly assumeRole?: { readonly roleArn: string; readonly externalId?: string };
}

export interface Dns01Zone extends Zone {
  /** Role in the central DNS account that the solver assumes; undefined when the zone is in this account. */
  readonly roleArn?: string;
}

export interface CertManagerConfig {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly email: string;
  readonly defaultIssuer: "letsencrypt-staging" | "letsencrypt-prod" | "internal-ca";
  readonly dns01Zones: readonly Dns01Zone[];
  /** IngressClass of the HTTP-01 solver; undefined when HTTP-01 is off. */
  readonly http01IngressClass?: string;
  readonly recursiveNameservers: readonly string[];
  readonly replicas: { readonly controller: number; readonly webhook: number; readonly cainjector: number };
  readonly podDisruptionBudgets: boolean;
  readonly internalCa: {
    readonly commonName: string;
    readonly organization: string;
    readonly validityHours: number;
  };
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface ExtraRoleConfig {
  readonly key: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly description: string;
  readonly statements: readonly PolicyStatement[];
}

export interface EcrConfig {
  readonly repositoryArns: readonly string[];
  readonly namespace: string;
  readonly serviceAccount: string;
}

export type ClusterConfig =
  | {
      readonly mode: "existing";
      readonly name: string;
      readonly oidcProviderArn?: string;
      readonly createOidcProvider: boolean;
    }
  | {
      readonly mode: "new";
      readonly name: string;
      readonly version?: string;
      readonly vpcId?: string;
      readonly subnetIds?: readonly string[];
      readonly instanceType: string;
      readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
    };

export interface PlatformConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: string;
  readonly tier: Tier;
  readonly region: string;
  readonly namespace: string;
  readonly protect: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly cluster: ClusterConfig;
  readonly dns: {
    readonly privateZones: readonly Zone[];
    readonly publicZones: readonly Zone[];
    readonly centralDnsAccount?: {
      readonly externalDnsRoleArn: string;
      readonly externalId?: string;
      readonly certManagerRoleArn: string;
    };
  };
  readonly ingress: {
    readonly loadBalancer: "aws-load-balancer-controller" | "in-tree";
    readonly instances: readonly IngressInstanceConfig[];
  };
  readonly externalDns: readonly ExternalDnsInstanceConfig[];
  readonly certManager: CertManagerConfig;
  readonly iam: {
    readonly permissionsBoundaryArn?: string;
    readonly extraRoles: readonly ExtraRoleConfig[];
  };
  readonly ecr?: EcrConfig;
}

// ---- errors --------------------------------------------------------------------------------------------------

export interface Problem {
  /** Full config key, e.g. `eks-platform:dns.publicZones[0].zoneId`. */
  readonly key: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
  /** What is expected instead. */
  readonly expected: string;
}

export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(stack, problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(stack: string, problems: readonly Problem[]): string {
  const lines = problems.map((p) => {
    const got = p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`;
    return `  - ${p.key}${got}: ${p.expected}`;
  });
  const noun = problems.length === 1 ? "problem" : "problems";
  return [
    `Stack '${stack}' configuration has ${problems.length} ${noun}; nothing was created:`,
    ...lines,
  ].join("\n");
}

// ---- reading raw config --------------------------------------------------------------------------------------

/**
 * Turns Pulumi's flat config map (`"<ns>:<key>" -> string`, structured values as JSON) into the project's keys,
 * plus the `aws:region` the program also needs.
 */
export function splitRawConfig(all: Readonly<Record<string, string>>, project = PROJECT) {
  const values: Record<string, unknown> = {};
  const prefix = `${project}:`;
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) {
      continue;
    }
    values[fullKey.slice(prefix.length)] = decodeConfigValue(raw);
  }
  return { values, region: all["aws:region"] };
}

/** Pulumi hands structured values as JSON strings and scalars as their text. */
function decodeConfigValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || trimmed === "true" || trimmed === "false") {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

// ---- the checks ----------------------------------------------------------------------------------------------

class Problems {
  readonly list: Problem[] = [];
  constructor(private readonly project: string) {}
  add(path: string, expected: string, value?: unknown): void {
    this.list.push({ key: `${this.project}:${path}`, expected, value });
  }
}

function issuePath(section: string, path: readonly PropertyKey[]): string {
  let out = section;
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") {
      return undefined;
    }
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** Edit distance, for "did you mean" hints on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      prev = keep;
    }
  }
  return row[b.length];
}

function suggestion(key: string, known: readonly string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(key, k) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(c.k.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return best ? ` Did you mean "${best.k}"?` : "";
}

/** Known keys of the object schema at a path, for the "did you mean" hint. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): string[] {
  let cur: z.ZodType | undefined = schema;
  const walk = (s: z.ZodType, v: unknown): z.ZodType | undefined => {
    let t: z.ZodType = s;
    while (t instanceof z.ZodOptional || t instanceof z.ZodDefault) {
      t = t.unwrap() as z.ZodType;
    }
    if (t instanceof z.ZodDiscriminatedUnion) {
      const options = t.options as z.ZodType[];
      const mode = (v as Record<string, unknown> | undefined)?.mode;
      return (
        options.find(
          (o) =>
            o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>).mode?.safeParse(mode).success,
        ) ?? options[0]
      );
    }
    return t;
  };
  let v: unknown = value;
  for (const part of path) {
    cur = cur && walk(cur, v);
    if (cur instanceof z.ZodObject) {
      cur = (cur.shape as Record<string, z.ZodType>)[String(part)];
    } else if (cur instanceof z.ZodRecord) {
      cur = cur.valueType as z.ZodType;
    } else if (cur instanceof z.ZodArray) {
      cur = cur.element as z.ZodType;
    } else {
      return [];
    }
    v = (v as Record<PropertyKey, unknown> | undefined)?.[part];
  }
  const last = cur && walk(cur, v);
  return last instanceof z.ZodObject ? Object.keys(last.shape) : [];
}

function describeIssue(issue: z.core.$ZodIssue, known: () => string[]): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key.${suggestion(issue.keys[0], known())} Known keys: ${known().join(", ")}`;
    case "invalid_type":
      return issue.input === undefined ? `required (${issue.expected})` : `expected ${issue.expected}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return "expected `mode: existing` or `mode: new` with that mode's keys";
    default:
      return issue.message;
  }
}

function parseSections(values: Record<string, unknown>, problems: Problems): RawConfig {
  const parsed: Record<string, unknown> = {};
  const sectionKeys = Object.keys(sections) as SectionKey[];
  for (const key of Object.keys(values)) {
    if (!(sectionKeys as string[]).includes(key)) {
      problems.add(
        key,
        `unknown key.${suggestion(key, sectionKeys)} Known keys: ${sectionKeys.join(", ")}`,
        values[key],
      );
    }
  }
  for (const key of sectionKeys) {
    const value = values[key];
    if (value === undefined) {
      if (requiredSections.includes(key)) {
        problems.add(key, `required: ${sections[key].description ?? ""}`.trim());
      }
      continue;
    }
    const schema = sections[key] as z.ZodType;
    const result = schema.safeParse(value);
    if (result.success) {
      parsed[key] = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const extra of issue.keys) {
          const path = [...issue.path, extra];
          const known = () => knownKeysAt(schema, issue.path, value);
          problems.add(
            issuePath(key, path),
            describeIssue({ ...issue, keys: [extra] }, known),
            valueAt(value, path),
          );
        }
        continue;
      }
      problems.add(
        issuePath(key, issue.path),
        describeIssue(issue, () => []),
        valueAt(value, issue.path),
      );
    }
  }
  return parsed;
}

function duplicates<T>(items: readonly T[]): T[] {
  return items.filter((item, i) => items.indexOf(item) !== i);
}

// ---- resolution ----------------------------------------------------------------------------------------------

export interface ConfigSource {
  /** Pulumi's config map: `pulumi.runtime.allConfig()`. */
  readonly all: Readonly<Record<string, string>>;
  /** Stack name: the default environment name. */
  readonly stack: string;
  readonly project?: string;
}

export function loadPlatformConfig(source: ConfigSource): PlatformConfig {
  const project = source.project ?? PROJECT;
  const problems = new Problems(project);
  const { values, region } = splitRawConfig(source.all, project);
  const raw = parseSections(values, problems);

  const regionCheck = awsRegion.safeParse(region);
  if (!regionCheck.success) {
    problems.list.push({
      key: "aws:region",
      value: region,
      expected:
        region === undefined
          ? "required: the AWS region of the cluster, such as eu-west-1"
          : "an AWS region such as eu-west-1",
    });
  }
  if (raw.environment === undefined && values.environment === undefined) {
    const fromStack = sections.environment.safeParse(source.stack);
    if (!fromStack.success) {
      problems.add(
        "environment",
        `the stack name '${source.stack}' is not a valid environment name; set environment explicitly (${fromStack.error.issues[0].message})`,
      );
    }
  }

  const tier: Tier = raw.tier ?? "dev";
  const defaults = tierDefaults[tier];
  const environment = raw.environment ?? source.stack;
  const namespace = raw.namespace ?? commonDefaults.namespace;

  // Sections that failed to parse are left out of the cross-key checks below (their problems are already listed),
  // so every check guards on the parts it reads.
  const dns = {
    privateZones: raw.dns?.privateZones ?? [],
    publicZones: raw.dns?.publicZones ?? [],
    central: raw.dns?.centralDnsAccount,
  };
  const before = problems.list.length;
  checkDns(raw, dns, problems);
  const dnsConsistent = problems.list.length === before;

  const beforeIngress = problems.list.length;
  const ingress = resolveIngress(raw, tier, problems);
  const ingressConsistent = problems.list.length === beforeIngress;
  const cluster = resolveCluster(raw.cluster, tier, regionCheck.success ? region : undefined, problems);
  const externalDns =
    raw.dns && cluster
      ? resolveExternalDns(raw, dns, ingress, environment, cluster.name, tier, namespace, problems, {
          dnsConsistent,
          ingressConsistent,
        })
      : [];
  const certManager =
    raw.certManager && raw.dns
      ? resolveCertManager(raw, dns, ingress, environment, namespace, tier, problems)
      : undefined;

  const extraRoles = Object.entries(raw.iam?.extraRoles ?? {}).map(([key, role]) => ({
    key,
    namespace: role.namespace ?? namespace,
    serviceAccount: role.serviceAccount,
    description: role.description,
    statements: role.statements.map(toStatement),
  }));
  checkExtraRoles(extraRoles, problems);
  const ecr = raw.ecr && {
    repositoryArns: raw.ecr.repositoryArns,
    namespace: raw.ecr.namespace ?? namespace,
    serviceAccount: raw.ecr.serviceAccount ?? commonDefaults.serviceAccounts.ecrOperator,
  };
  checkRoleNames(environment, namespace, externalDns, ecr, extraRoles, problems);

  if (problems.list.length > 0 || !cluster || !certManager || !raw.tier) {
    if (problems.list.length === 0) {
      problems.add("(config)", "incomplete configuration");
    }
    throw new ConfigError(source.stack, problems.list);
  }

  return {
    project,
    stack: source.stack,
    environment,
    tier,
    region: region,
    namespace,
    protect: raw.protect ?? defaults.protect,
    tags: { ...(raw.tags ?? {}) },
    cluster,
    dns: {
      privateZones: dns.privateZones,
      publicZones: dns.publicZones,
      centralDnsAccount: dns.central && {
        externalDnsRoleArn: dns.central.externalDnsRoleArn,
        externalId: dns.central.externalId,
        certManagerRoleArn: dns.central.certManagerRoleArn ?? dns.central.externalDnsRoleArn,
      },
    },
    ingress,
    externalDns,
    certManager,
    iam: { permissionsBoundaryArn: raw.iam?.permissionsBoundaryArn, extraRoles },
    ecr,
  };
}

type DnsParts = {
  privateZones: readonly Zone[];
  publicZones: readonly Zone[];
  central?: { externalDnsRoleArn: string; externalId?: string; certManagerRoleArn?: string };
};

function checkDns(raw: RawConfig, dns: DnsParts, problems: Problems): void {
  if (!raw.dns) {
    return;
  }
  if (dns.privateZones.length + dns.publicZones.length === 0) {
    problems.add("dns", "at least one zone in privateZones or publicZones");
  }
  const all = [
    ...dns.privateZones.map((z, i) => ({ ...z, path: `dns.privateZones[${i}]` })),
    ...dns.publicZones.map((z, i) => ({ ...z, path: `dns.publicZones[${i}]` })),
  ];
  all.forEach((zone, i) => {
    const first = all.findIndex((other) => other.zoneId === zone.zoneId);
    if (first !== i) {
      problems.add(
        `${zone.path}.zoneId`,
        `each zone ID once; ${all[first].path} has it already`,
        zone.zoneId,
      );
    }
  });
  for (const [list, label] of [
    [dns.privateZones, "privateZones"],
    [dns.publicZones, "publicZones"],
  ] as const) {
    list.forEach((zone, i) => {
      if (list.findIndex((other) => other.name === zone.name) !== i) {
        problems.add(`dns.${label}[${i}].name`, `each ${label} name once`, zone.name);
      }
    });
  }
  if (dns.central) {
    if (dns.publicZones.length === 0) {
      problems.add(
        "dns.centralDnsAccount",
        "publicZones to go with it: the central DNS account holds the public zones",
      );
    }
    const certRole = dns.central.certManagerRoleArn ?? dns.central.externalDnsRoleArn;
    if (dns.central.externalId !== undefined && certRole === dns.central.externalDnsRoleArn) {
      problems.add(
        "dns.centralDnsAccount.certManagerRoleArn",
        "a role of its own: externalId is set, and cert-manager's Route53 solver cannot send an external ID, so it cannot assume externalDnsRoleArn",
        dns.central.certManagerRoleArn,
      );
    }
  }
}

function resolveCluster(
  input: ClusterInput | undefined,
  tier: Tier,
  region: string | undefined,
  problems: Problems,
): ClusterConfig | undefined {
  if (!input) {
    return undefined;
  }
  if (input.mode === "existing") {
    if (input.oidcProviderArn && input.createOidcProvider) {
      problems.add(
        "cluster.createOidcProvider",
        "either oidcProviderArn or createOidcProvider: true, not both",
        true,
      );
    }
    const arnRegion = input.oidcProviderArn?.match(/oidc\.eks\.([a-z0-9-]+)\.amazonaws/)?.[1];
    if (arnRegion && region && arnRegion !== region) {
      problems.add(
        "cluster.oidcProviderArn",
        `an OIDC provider of a cluster in aws:region ${region}, not ${arnRegion}`,
        input.oidcProviderArn,
      );
    }
    return {
      mode: "existing",
      name: input.name,
      oidcProviderArn: input.oidcProviderArn,
      createOidcProvider: input.createOidcProvider ?? false,
    };
  }
  const nodes = input.nodes ?? tierDefaults[tier].newCluster.nodes;
  if (nodes.min > nodes.desired || nodes.desired > nodes.max) {
    problems.add("cluster.nodes", "min <= desired <= max", nodes);
  }
  return {
    mode: "new",
    name: input.name,
    version: input.version,
    vpcId: input.vpcId,
    subnetIds: input.subnetIds,
    instanceType: input.instanceType ?? tierDefaults[tier].newCluster.instanceType,
    nodes,
  };
}

function resolveIngress(raw: RawConfig, tier: Tier, problems: Problems): PlatformConfig["ingress"] {
  const d = tierDefaults[tier];
  const given: Record<string, IngressInstanceInput> = raw.ingress?.instances ?? {
    ...commonDefaults.ingressInstances,
  };
  const instances = Object.entries(given).map(([key, inst]): IngressInstanceConfig => ({
    key,
    className: inst.className,
    scheme: inst.scheme,
    isDefaultClass: inst.default ?? false,
    sourceRanges: inst.sourceRanges ?? [],
    replicas: inst.replicas ?? d.ingressReplicas,
    highAvailability: d.ingressHighAvailability,
    requests: d.ingressRequests,
    enableCustomResources: inst.enableCustomResources ?? false,
  }));
  if (instances.length === 0) {
    problems.add("ingress.instances", "at least one instance", {});
  }
  instances.forEach((inst, i) => {
    const first = instances.findIndex((o) => o.className === inst.className);
    if (first !== i) {
      problems.add(
        `ingress.instances.${inst.key}.className`,
        `a class name of its own; instance '${instances[first].key}' uses it already, and two controllers on one class would both serve its Ingresses`,
        inst.className,
      );
    }
    if (tier === "prod" && inst.replicas < 2) {
      problems.add(
        `ingress.instances.${inst.key}.replicas`,
        "at least 2 in a prod tier (a single pod is a single point of failure)",
        inst.replicas,
      );
    }
  });
  const defaults = instances.filter((i) => i.isDefaultClass);
  if (defaults.length > 1) {
    problems.add(
      "ingress.instances",
      `at most one instance with default: true; ${defaults.map((i) => i.key).join(" and ")} both set it`,
    );
  }
  return { loadBalancer: raw.ingress?.loadBalancer ?? commonDefaults.loadBalancer, instances };
}

function singleClass(
  ingress: PlatformConfig["ingress"],
  scheme: IngressInstanceConfig["scheme"],
): { className?: string; count: number } {
  const matching = ingress.instances.filter((i) => i.scheme === scheme);
  return { className: matching.length === 1 ? matching[0].className : undefined, count: matching.length };
}

function resolveExternalDns(
  raw: RawConfig,
  dns: DnsParts,
  ingress: PlatformConfig["ingress"],
  environment: string,
  clusterName: string,
  tier: Tier,
  namespace: string,
  problems: Problems,
  // Cross-instance checks are skipped where dns or ingress is already reported broken: the root cause is
  // listed once instead of again through its consequences.
  consistent: { dnsConsistent: boolean; ingressConsistent: boolean },
): ExternalDnsInstanceConfig[] {
  const cfg = raw.externalDns ?? {};
  const policy = cfg.policy ?? tierDefaults[tier].externalDnsPolicy;
  const txtPrefix = cfg.txtPrefix ?? commonDefaults.txtPrefix;
  const classNames = ingress.instances.map((i) => i.className);
  const plan: [
    ExternalDnsInstanceName,
    readonly Zone[],
    readonly Zone[],
    ExternalDnsInstanceInput | undefined,
  ][] = [
    ["private", dns.privateZones, dns.publicZones, cfg.private],
    ["central", dns.publicZones, dns.privateZones, cfg.central],
  ];
  const out: ExternalDnsInstanceConfig[] = [];
  for (const [name, own, others, given] of plan) {
    const key = `externalDns.${name}`;
    const kind = name === "private" ? "privateZones" : "publicZones";
    if (own.length === 0) {
      if (given) {
        problems.add(key, `dns.${kind} to manage: this instance exists only when dns.${kind} is not empty`);
      }
      continue;
    }
    const zoneIds = given?.zoneIds ?? own.map((z) => z.zoneId);
    zoneIds.forEach((id, i) => {
      if (!own.some((z) => z.zoneId === id)) {
        const wrongKind = others.some((z) => z.zoneId === id);
        problems.add(
          `${key}.zoneIds[${i}]`,
          wrongKind
            ? `a zone of dns.${kind}; this one is a ${name === "private" ? "public" : "private"} zone, which the other instance manages`
            : `one of the zone IDs in dns.${kind}`,
          id,
        );
      }
    });
    const domainFilters =
      given?.domainFilters ?? own.filter((z) => zoneIds.includes(z.zoneId)).map((z) => z.name);
    const scheme = name === "private" ? "internal" : "internet-facing";
    const found = singleClass(ingress, scheme);
    const ingressClass = given?.ingressClass ?? found.className;
    if (ingressClass === undefined) {
      problems.add(
        `${key}.ingressClass`,
        `set: ${found.count === 0 ? "no" : "more than one"} ingress instance has scheme ${scheme}, so the class to watch cannot be chosen`,
      );
    } else if (!classNames.includes(ingressClass)) {
      problems.add(
        `${key}.ingressClass`,
        `one of the ingress classes (${classNames.join(", ")})`,
        ingressClass,
      );
    }
    const assumeRole =
      name === "central" && dns.central
        ? { roleArn: dns.central.externalDnsRoleArn, externalId: dns.central.externalId }
        : undefined;
    out.push({
      name,
      zoneType: name === "private" ? "private" : "public",
      ownerId: given?.ownerId ?? externalDnsOwnerId(environment, clusterName, name),
      zoneIds,
      domainFilters,
      ingressClass: ingressClass ?? "",
      policy: given?.policy ?? policy,
      txtPrefix,
      namespace,
      serviceAccount: externalDnsReleaseName(name),
      assumeRole,
    });
  }
  const [a, b] = out;
  if (a && b) {
    const shared = a.zoneIds.filter((id) => b.zoneIds.includes(id));
    if (shared.length > 0 && consistent.dnsConsistent) {
      problems.add(
        "externalDns.central.zoneIds",
        `no zone shared with externalDns.private.zoneIds (both list ${shared.join(", ")})`,
        b.zoneIds,
      );
    }
    for (const fa of a.domainFilters) {
      for (const fb of b.domainFilters) {
        if (domainsOverlap(fa, fb)) {
          problems.add(
            "externalDns.central.domainFilters",
            `domains disjoint from externalDns.private.domainFilters: "${fb}" and "${fa}" overlap, so under sync one instance would delete the other's records`,
            b.domainFilters,
          );
        }
      }
    }
    if (a.ownerId === b.ownerId) {
      problems.add(
        "externalDns.central.ownerId",
        "an owner ID different from externalDns.private.ownerId",
        b.ownerId,
      );
    }
    if (a.ingressClass !== "" && a.ingressClass === b.ingressClass && consistent.ingressConsistent) {
      problems.add(
        "externalDns.central.ingressClass",
        "an ingress class different from externalDns.private.ingressClass",
        b.ingressClass,
      );
    }
  }
  return out;
}

function resolveCertManager(
  raw: RawConfig,
  dns: DnsParts,
  ingress: PlatformConfig["ingress"],
  environment: string,
  namespace: string,
  tier: Tier,
  problems: Problems,
): CertManagerConfig | undefined {
  const cfg = raw.certManager;
  if (!cfg) {
    return undefined;
  }
  const d = tierDefaults[tier];
  const names = cfg.dns01Zones ?? dns.publicZones.map((z) => z.name);
  const dns01Zones: Dns01Zone[] = [];
  names.forEach((name, i) => {
    const zone = dns.publicZones.find((z) => z.name === name);
    if (zone) {
      dns01Zones.push({
        ...zone,
        roleArn: dns.central ? (dns.central.certManagerRoleArn ?? dns.central.externalDnsRoleArn) : undefined,
      });
    } else if (dns.privateZones.some((z) => z.name === name)) {
      problems.add(
        `certManager.dns01Zones[${i}]`,
        "a public zone: this is a private zone, and Let's Encrypt validates DNS-01 against public DNS, so it can never see the TXT record",
        name,
      );
    } else {
      problems.add(
        `certManager.dns01Zones[${i}]`,
        `one of dns.publicZones (${dns.publicZones.map((z) => z.name).join(", ") || "none configured"})`,
        name,
      );
    }
  });
  let http01IngressClass: string | undefined;
  if (cfg.http01 ?? commonDefaults.http01) {
    const found = singleClass(ingress, "internet-facing");
    http01IngressClass = cfg.http01IngressClass ?? found.className;
    if (http01IngressClass === undefined) {
      problems.add(
        "certManager.http01IngressClass",
        found.count === 0
          ? "a public ingress class for HTTP-01: no ingress instance is internet-facing (set certManager.http01: false to use DNS-01 only)"
          : "set: more than one ingress instance is internet-facing",
      );
    } else {
      const inst = ingress.instances.find((i) => i.className === http01IngressClass);
      if (!inst) {
        problems.add(
          "certManager.http01IngressClass",
          `one of the ingress classes (${ingress.instances.map((i) => i.className).join(", ")})`,
          http01IngressClass,
        );
      } else if (inst.scheme !== "internet-facing") {
        problems.add(
          "certManager.http01IngressClass",
          "an internet-facing ingress class: Let's Encrypt must reach the HTTP-01 solver",
          http01IngressClass,
        );
      }
    }
  }
  if (dns01Zones.length === 0 && http01IngressClass === undefined) {
    problems.add(
      "certManager",
      "at least one ACME solver: a public zone for DNS-01 or an internet-facing ingress class for HTTP-01",
    );
  }
  // A private zone attached to the VPC answers for its names inside the cluster: when it contains a DNS-01 zone,
  // or sits inside one, some `_acme-challenge` names resolve privately and cert-manager's self-check never passes.
  const shadowed = dns01Zones.some((pub) =>
    dns.privateZones.some((priv) => domainsOverlap(pub.name, priv.name)),
  );
  const recursiveNameservers =
    cfg.recursiveNameservers ?? (shadowed ? [...commonDefaults.recursiveNameservers] : []);
  return {
    namespace,
    serviceAccount: commonDefaults.serviceAccounts.certManager,
    email: cfg.email,
    defaultIssuer: cfg.defaultIssuer ?? d.defaultIssuer,
    dns01Zones,
    http01IngressClass,
    recursiveNameservers,
    replicas: d.certManagerReplicas,
    podDisruptionBudgets: d.certManagerPdb,
    internalCa: {
      commonName: cfg.internalCa?.commonName ?? `${environment} internal CA`,
      organization: cfg.internalCa?.organization ?? commonDefaults.caOrganization,
      validityHours: cfg.internalCa?.validityHours ?? d.caValidityHours,
    },
  };
}

function toStatement(s: StatementInput): PolicyStatement {
  return {
    sid: s.sid,
    effect: s.effect,
    actions: s.actions,
    resources: s.resources,
    conditions: s.conditions,
  };
}

function checkExtraRoles(roles: readonly ExtraRoleConfig[], problems: Problems): void {
  for (const role of roles) {
    role.statements.forEach((st, i) => {
      const at = `iam.extraRoles.${role.key}.statements[${i}]`;
      st.actions.forEach((action, j) => {
        if (isServiceWildcardAction(action)) {
          problems.add(
            `${at}.actions[${j}]`,
            "named actions, not a whole service: list the actions the workload calls",
            action,
          );
        }
      });
      if (st.effect === "Allow") {
        const writes = st.actions.filter((a) => !isReadOnlyAction(a));
        st.resources.forEach((resource, j) => {
          if (writes.length > 0 && isWildcardResource(resource)) {
            problems.add(
              `${at}.resources[${j}]`,
              `specific resource ARNs: ${writes.join(", ")} may write, and an Allow of a write on a wildcard resource is not least privilege`,
              resource,
            );
          }
        });
      }
    });
  }
}

const BUILT_IN_ROLE_KEYS = ["cert-manager", "external-dns-private", "external-dns-central", "ecr-operator"];

function checkRoleNames(
  environment: string,
  namespace: string,
  externalDns: readonly ExternalDnsInstanceConfig[],
  ecr: EcrConfig | undefined,
  extraRoles: readonly ExtraRoleConfig[],
  problems: Problems,
): void {
  const roles: { key: string; namespace: string; path: string }[] = [
    { key: "cert-manager", namespace, path: "namespace" },
    ...externalDns.map((e) => ({ key: `external-dns-${e.name}`, namespace, path: "namespace" })),
    ...(ecr ? [{ key: "ecr-operator", namespace: ecr.namespace, path: "ecr.namespace" }] : []),
    ...extraRoles.map((r) => ({ key: r.key, namespace: r.namespace, path: `iam.extraRoles.${r.key}` })),
  ];
  for (const role of roles) {
    const name = irsaRoleName(environment, role.key, role.namespace);
    // The managed policy has the same name; IAM allows policies 128 characters, so the role's 64 is the limit.
    if (name.length > IAM_ROLE_NAME_MAX) {
      problems.add(
        role.path,
        `a shorter environment, key or namespace: the IAM role name "${name}" has ${name.length} characters and IAM allows ${IAM_ROLE_NAME_MAX}`,
      );
    }
  }
  for (const role of extraRoles) {
    if (BUILT_IN_ROLE_KEYS.includes(role.key)) {
      problems.add(
        `iam.extraRoles.${role.key}`,
        `a key other than the built-in roles (${BUILT_IN_ROLE_KEYS.join(", ")})`,
      );
    }
  }
  for (const dup of duplicates(roles.map((r) => irsaRoleName(environment, r.key, r.namespace)))) {
    problems.add("iam.extraRoles", `unique role names; "${dup}" would be created twice`);
  }
}
