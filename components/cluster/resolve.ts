/** Resolution of the `cluster` section. */
import type { ClusterAccessEntry, ClusterConfig } from "../../model/config";
import { TAGS_MAX } from "../../model/formats";
import { partitionOf } from "../../model/partition";
import type { TierDefaults } from "../../model/defaults";
import type { Problems } from "../../model/problems";
import type { ClusterInput } from "./schema";

export function resolveCluster(
  input: ClusterInput | undefined,
  defaults: TierDefaults,
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
  const nodes = input.nodes ?? defaults.newCluster.nodes;
  if (nodes.min > nodes.desired || nodes.desired > nodes.max) {
    problems.add("cluster.nodes", "min <= desired <= max", nodes);
  }
  const accessEntries = resolveAccessEntries(input.accessEntries ?? {}, region, problems);
  return {
    mode: "new",
    name: input.name,
    version: input.version,
    vpcId: input.vpcId,
    subnetIds: input.subnetIds,
    instanceType: input.instanceType ?? defaults.newCluster.instanceType,
    nodes,
    accessEntries,
    createOidcProvider: input.createOidcProvider ?? true,
  };
}

type AccessEntryInput = NonNullable<Extract<ClusterInput, { mode: "new" }>["accessEntries"]>[string];

/**
 * The access entries, with each policy's ARN in the cluster's partition
 * (`arn:<partition>:eks::aws:cluster-access-policy/<name>`: EKS user guide, "Review access policy permissions").
 * EKS keeps one access entry per principal, so a principal listed twice is refused here.
 */
function resolveAccessEntries(
  entries: Readonly<Record<string, AccessEntryInput>>,
  region: string | undefined,
  problems: Problems,
): ClusterAccessEntry[] {
  let partition = "aws";
  try {
    partition = region ? partitionOf(region) : "aws";
  } catch {
    // an unsupported partition is reported with aws:region
  }
  const seen = new Map<string, string>();
  return Object.entries(entries).map(([key, e]) => {
    const at = `cluster.accessEntries.${key}`;
    if (!e.accessPolicy && !e.kubernetesGroups) {
      problems.add(at, "an accessPolicy or kubernetesGroups (or both): an entry with neither grants nothing");
    }
    if (e.namespaces && !e.accessPolicy) {
      problems.add(
        `${at}.namespaces`,
        "an accessPolicy to scope: namespaces scope the entry's access policy",
      );
    }
    const other = seen.get(e.principalArn);
    if (other !== undefined) {
      problems.add(
        `${at}.principalArn`,
        `a principal not already in cluster.accessEntries.${other}: EKS keeps one access entry per principal`,
        e.principalArn,
      );
    }
    seen.set(e.principalArn, key);
    return {
      key,
      principalArn: e.principalArn,
      policyArn: e.accessPolicy && `arn:${partition}:eks::aws:cluster-access-policy/${e.accessPolicy}`,
      namespaces: e.namespaces,
      kubernetesGroups: e.kubernetesGroups,
    };
  });
}

/**
 * A cluster this stack creates carries one tag more than the stack's: @pulumi/eks v4.3.0 adds `Name` to the
 * cluster and its security group (nodejs/eks/cluster/cluster.ts, `Name: \`${name}-eksCluster\``, the stack's tags
 * after it), and AWS allows 50 tags per resource: with 50 tags of its own and no `Name`, creation fails.
 */
export function checkCreatedClusterTags(
  cluster: ClusterConfig | undefined,
  tags: Readonly<Record<string, string>>,
  problems: Problems,
): void {
  const count = Object.keys(tags).length + ("Name" in tags ? 0 : 1);
  if (cluster?.mode === "new" && count > TAGS_MAX) {
    problems.add(
      "tags",
      `at most ${TAGS_MAX - 1} tags besides Name with cluster.mode: new: @pulumi/eks adds a Name tag to the cluster, and AWS allows ${TAGS_MAX} per resource`,
    );
  }
}
