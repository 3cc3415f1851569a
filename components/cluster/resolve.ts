/** Resolution of the `cluster` section. */
import type { ClusterConfig } from "../../model/config";
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
  return {
    mode: "new",
    name: input.name,
    version: input.version,
    vpcId: input.vpcId,
    subnetIds: input.subnetIds,
    instanceType: input.instanceType ?? defaults.newCluster.instanceType,
    nodes,
  };
}
