/**
 * Reads a stack's configuration, applies the tier defaults and checks everything, returning one typed object.
 *
 * Every problem is collected and reported together (key, value, what is expected) before the program creates
 * a single resource: `loadPlatformConfig` either returns a complete `PlatformConfig` or throws `ConfigError`.
 * The order: the stack-wide keys, the cluster and the zones, then each add-on of components/addOns.ts (which
 * may read those before it), then the one list of workload roles that the add-ons and teams ask for.
 */
import type { ResolveContext, RoleRequest } from "../components/addOn";
import { addOns, builtInRoleKeys } from "../components/addOns";
import { checkCreatedClusterTags, resolveCluster } from "../components/cluster/resolve";
import type { ClusterInput } from "../components/cluster/schema";
import { resolveDns } from "../components/dns/resolve";
import type { DnsInput } from "../components/dns/schema";
import { checkIamLimits } from "../components/identity/limits";
import { extraRoleRequests, resolveIdentity } from "../components/identity/resolve";
import type { IamInput } from "../components/identity/schema";
import { resolveCharts, resolveImages } from "../components/sources/resolve";
import type { ChartsInput, ImagesInput } from "../components/sources/schema";
import type { AddOnConfigs, CoreConfig, PlatformConfig } from "../model/config";
import { commonDefaults, tierDefaults } from "../model/defaults";
import type { Tier } from "../model/enums";
import { awsRegion } from "../model/formats";
import { PARTITIONS, type Partition } from "../model/enums";
import { awsPartitionOf, isSupportedPartition, partitionOfArn } from "../model/partition";
import { ConfigError, Problems } from "../model/problems";
import { splitRawConfig, type ConfigSource } from "./load";
import { distance, parseSections, pathsRelated } from "./report";
import { PROJECT, sections } from "./schema";

export { ConfigError, formatProblems, type Problem } from "../model/problems";
export type { ConfigSource } from "./load";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function loadPlatformConfig(source: ConfigSource): PlatformConfig {
  const project = source.project ?? PROJECT;
  const problems = new Problems(project);
  const { values, region } = splitRawConfig(source.all, project);
  checkNamespaces(source.all, project, problems);
  const { parsed: raw, salvaged } = parseSections(values, problems);
  const parsed = (key: string) => raw[key] !== undefined;
  // A section is clean when it parsed and its resolution reported nothing.
  const broken = new Set(Object.keys(values).filter((k) => !parsed(k)));

  const regionCheck = awsRegion.safeParse(region);
  if (!regionCheck.success) {
    problems.addFull(
      "aws:region",
      region === undefined
        ? "required: the AWS region of the cluster, such as eu-west-1"
        : "an AWS region such as eu-west-1",
      region,
    );
  }
  // The ISO partitions match the region format but are not supported: named here, never mistaken for `aws`.
  const regionPartition = regionCheck.success ? awsPartitionOf(regionCheck.data) : undefined;
  const partitionSupported = regionPartition === undefined || isSupportedPartition(regionPartition.name);
  if (regionPartition && !partitionSupported) {
    problems.addFull(
      "aws:region",
      `a region of partition ${PARTITIONS.join(", ")}: ${region} is in partition ${regionPartition.name} (endpoints under ${regionPartition.dnsSuffix}), which this program does not support`,
      region,
    );
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

  const tier = (raw.tier as Tier | undefined) ?? "dev";
  const defaults = tierDefaults[tier];
  const core: CoreConfig = {
    project,
    stack: source.stack,
    environment: (raw.environment as string | undefined) ?? source.stack,
    tier,
    region: region ?? "",
    partition: regionPartition && isSupportedPartition(regionPartition.name) ? regionPartition.name : "aws",
    namespace: (raw.namespace as string | undefined) ?? commonDefaults.namespace,
    protect: (raw.protect as boolean | undefined) ?? defaults.protect,
    tags: { ...((raw.tags as Record<string, string> | undefined) ?? {}) },
  };

  const track = <T>(key: string, resolve: () => T): T => {
    let result: T | undefined;
    if (!problems.clean(() => (result = resolve()))) {
      broken.add(key);
    }
    return result as T;
  };
  // A section that failed its schema still gets its own cross-key checks on what parsed (report.ts `salvage`),
  // so fixing one typo does not reveal the next problem: only problems of its own keys that the schema's
  // findings do not already explain are kept. Later sections see it as missing, as before.
  const crossCheck = (key: string, check: (input: never, scratch: Problems) => void): void => {
    const rest = salvaged[key];
    if (!rest) {
      return;
    }
    const scratch = new Problems(project);
    try {
      check(rest.value as never, scratch);
    } catch {
      return; // what is left is too broken to check; its schema problems stand alone
    }
    const prefix = `${project}:`;
    for (const p of scratch.list) {
      const path = p.key.startsWith(prefix) ? p.key.slice(prefix.length) : p.key;
      const own = pathsRelated(path, key);
      const explained = rest.noisy.some((n) => pathsRelated(path, n));
      const known = problems.list.some((q) => q.key === p.key && q.expected === p.expected);
      if (own && !explained && !known) {
        problems.list.push(p);
      }
    }
  };

  if (regionCheck.success && partitionSupported) {
    checkArnPartitions(values, core.partition, region, problems);
  }
  const dns = track("dns", () => resolveDns(raw.dns as DnsInput | undefined, problems, core.partition));
  crossCheck("dns", (input: DnsInput, scratch) => resolveDns(input, scratch, core.partition));
  const cluster = track("cluster", () =>
    resolveCluster(
      raw.cluster as ClusterInput | undefined,
      defaults,
      regionCheck.success ? region : undefined,
      problems,
    ),
  );
  checkCreatedClusterTags(cluster, core.tags, problems);
  crossCheck("cluster", (input: ClusterInput, scratch) =>
    resolveCluster(input, defaults, regionCheck.success ? region : undefined, scratch),
  );

  const resolved: Partial<Mutable<AddOnConfigs>> = {};
  const ctx: ResolveContext = {
    core,
    defaults,
    cluster,
    dns,
    resolved,
    clean: (key) => !broken.has(key),
    parsed,
    input: (key) => raw[key],
    problems,
  };
  const requests: RoleRequest[] = [];
  for (const addOn of addOns) {
    const section = track(addOn.key, () => addOn.resolve(raw[addOn.key], ctx));
    crossCheck(addOn.key, (input, scratch) => addOn.resolve(input, { ...ctx, problems: scratch }));
    if (section !== undefined) {
      // The list is typed by its common shape; each add-on resolves exactly its own key.
      (resolved as Record<string, unknown>)[addOn.key] = section;
      requests.push(...checkedRoles(addOn.key, addOn.roleKeys, addOn.roles(section, core)));
    }
  }
  const iam = raw.iam as IamInput | undefined;
  requests.push(...extraRoleRequests(iam, core, problems, builtInRoleKeys));
  const identity = resolveIdentity(iam, requests, core, problems, cluster);
  const certManagerInput = raw.certManager as { dns01Zones?: unknown } | undefined;
  checkIamLimits(
    identity,
    problems,
    certManagerInput?.dns01Zones === undefined ? "dns.publicZones" : "certManager.dns01Zones",
  );
  // A created cluster without its OIDC provider cannot serve an IRSA role (nor an IRSA trust kept during a move).
  const irsa = identity.roles.some((r) => r.binding === "irsa" || identity.keepIrsaTrust);
  if (cluster?.mode === "new" && !cluster.createOidcProvider && irsa) {
    problems.add(
      "cluster.createOidcProvider",
      "true while a role uses IRSA (iam.binding, iam.roleBindings or iam.keepIrsaTrust): IRSA trusts the cluster's OIDC provider",
      false,
    );
  }
  crossCheck("iam", (input: IamInput, scratch) => {
    const teams = extraRoleRequests(input, core, scratch, builtInRoleKeys);
    resolveIdentity(
      input,
      [...requests.filter((r) => !r.configKey.startsWith("iam.")), ...teams],
      core,
      scratch,
      cluster,
    );
  });

  const charts = track("charts", () => resolveCharts(raw.charts as ChartsInput | undefined, problems));
  const images = track("images", () => resolveImages(raw.images as ImagesInput | undefined, problems));
  // Every add-on that must resolve (its section is required, or its defaults make it present) did: an add-on is
  // never skipped because this function forgot it. Optional add-ons stay absent when their section is.
  const unresolved = addOns.filter((a) => resolved[a.key] === undefined && (a.required || parsed(a.key)));
  if (problems.list.length > 0 || !cluster || !raw.tier || unresolved.length > 0) {
    if (problems.list.length === 0) {
      problems.add("(config)", `incomplete configuration: ${unresolved.map((a) => a.key).join(", ")}`);
    }
    throw new ConfigError(source.stack, problems.list);
  }
  return { ...core, cluster, dns, identity, charts, images, ...(resolved as AddOnConfigs) };
}

/** An add-on's role requests, each with one of the keys it declares (a key outside them is a bug in the add-on). */
function checkedRoles(addOn: string, keys: readonly string[], requests: RoleRequest[]): RoleRequest[] {
  const undeclared = requests.filter((r) => !keys.includes(r.key));
  if (undeclared.length > 0) {
    throw new Error(
      `add-on ${addOn} asks for role ${undeclared.map((r) => r.key).join(", ")}, which its roleKeys do not list`,
    );
  }
  return requests;
}

/**
 * A key whose namespace is one letter off the project's (`eks-plaform:tier`) is a typo that would otherwise
 * only show as the project's keys being "required". Other namespaces (`aws:`, `kubernetes:`) are providers'.
 */
function checkNamespaces(all: Readonly<Record<string, string>>, project: string, problems: Problems): void {
  const seen = new Set<string>();
  for (const key of Object.keys(all)) {
    const namespace = key.split(":")[0];
    if (namespace === project || seen.has(namespace)) {
      continue;
    }
    seen.add(namespace);
    if (distance(namespace, project) <= Math.max(2, Math.floor(project.length / 4))) {
      problems.addFull(
        key,
        `unknown namespace "${namespace}". Did you mean "${project}"? (This project's keys are ${project}:<key>.)`,
      );
    }
  }
}

/**
 * Every ARN a stack file gives (roles, the OIDC provider, the boundary, ECR repositories, a team's resources) is in
 * the partition of `aws:region`: IAM refuses a policy naming another partition, and a trust across partitions
 * never matches.
 */
function checkArnPartitions(
  values: Readonly<Record<string, unknown>>,
  partition: Partition,
  region: string,
  problems: Problems,
): void {
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      const found = partitionOfArn(value);
      if (found !== undefined && found !== partition) {
        problems.add(
          path,
          `an ARN of partition ${partition} (arn:${partition}:...), the partition of aws:region ${region}`,
          value,
        );
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        walk(v, `${path}.${k}`);
      }
    }
  };
  for (const [key, value] of Object.entries(values)) {
    walk(value, key);
  }
}
