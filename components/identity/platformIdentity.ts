/**
 * Every workload role of the platform (model/config.ts `IdentityConfig.roles`: the add-ons' roles and the
 * teams' extra roles), and the EKS Pod Identity agent when the stack asks for it.
 */
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import type { IdentityConfig } from "../../model/config";
import type { ServiceAccountBinding } from "../addOn";
import { WorkloadRole } from "./workloadRole";

/** The EKS add-on that serves Pod Identity credentials on every node. */
export const POD_IDENTITY_AGENT_ADDON = "eks-pod-identity-agent";

export interface PlatformIdentityArgs {
  /** The resolved identity settings and role list. */
  identity: IdentityConfig;
  /** ARN of the cluster's IAM OIDC provider; undefined when no role uses IRSA. */
  oidcProviderArn?: pulumi.Input<string>;
  /** The cluster's name. */
  clusterName: pulumi.Input<string>;
  /** The cluster's Kubernetes version: the agent add-on's default version follows it. */
  kubernetesVersion: pulumi.Input<string>;
  /**
   * The cluster when this stack creates it (ClusterAccess.created): the agent and every association call the EKS
   * API for the cluster, so they wait for it. Empty for an existing cluster.
   */
  clusterResources: pulumi.Resource[];
  /** Tags for every AWS resource created here. */
  tags: Readonly<Record<string, string>>;
  /** Protect the roles from deletion (prod). */
  protect: boolean;
}

/** Whether a role list needs the cluster's OIDC provider (any IRSA trust). */
export function needsOidcProvider(identity: IdentityConfig): boolean {
  return identity.roles.some(
    (r) => r.binding === "irsa" || (r.binding === "pod-identity" && identity.keepIrsaTrust),
  );
}

/**
 * The agent add-on, with each of EKS's choices made explicit (CreateAddon / UpdateAddon API reference; the
 * inputs of @pulumi/aws 7.48.0 eks/addon.d.ts):
 * - `resolveConflictsOnCreate: OVERWRITE`: where a self-managed agent runs already, EKS takes it over and sets
 *   its fields to EKS's defaults (NONE would fail the create);
 * - `resolveConflictsOnUpdate: PRESERVE`: an update keeps fields someone changed in the cluster;
 * - `preserve: true`: removing the add-on from the stack (or the stack itself) leaves the agent running, since
 *   pods of other stacks in the cluster may get their credentials through it (DeleteAddon with `preserve`
 *   keeps the add-on's objects in the cluster);
 * - `addonVersion`: `iam.podIdentityAgentVersion`, or EKS's default version for the cluster's Kubernetes version
 *   (DescribeAddonVersions through `aws.eks.getAddonVersion`), so the add-on follows cluster upgrades.
 */
export function podIdentityAgentArgs(
  identity: IdentityConfig,
  args: Pick<PlatformIdentityArgs, "clusterName" | "kubernetesVersion" | "tags">,
): eks.AddonArgs {
  return {
    clusterName: args.clusterName,
    addonName: POD_IDENTITY_AGENT_ADDON,
    addonVersion:
      identity.podIdentityAgentVersion ??
      eks.getAddonVersionOutput({
        addonName: POD_IDENTITY_AGENT_ADDON,
        kubernetesVersion: args.kubernetesVersion,
      }).version,
    resolveConflictsOnCreate: "OVERWRITE",
    resolveConflictsOnUpdate: "PRESERVE",
    preserve: true,
    tags: { ...args.tags },
  };
}

export class PlatformIdentity extends pulumi.ComponentResource {
  /** The roles by key. */
  readonly roles: Record<string, WorkloadRole>;
  /** Role ARNs by key. */
  readonly roleArns: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PlatformIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    // Formerly `eks-platform:iam:PlatformIam`: the alias keeps the URNs of every role below it.
    super(
      "eks-platform:identity:PlatformIdentity",
      name,
      {},
      {
        ...opts,
        aliases: [...(opts?.aliases ?? []), { type: "eks-platform:iam:PlatformIam" }],
      },
    );
    const { identity } = args;
    const agent = identity.installPodIdentityAgent
      ? [
          new eks.Addon(POD_IDENTITY_AGENT_ADDON, podIdentityAgentArgs(identity, args), {
            parent: this,
            dependsOn: args.clusterResources,
          }),
        ]
      : [];
    this.roles = {};
    for (const spec of identity.roles) {
      this.roles[spec.key] = new WorkloadRole(
        spec.key,
        {
          spec,
          oidcProviderArn: args.oidcProviderArn,
          clusterName: args.clusterName,
          keepIrsaTrust: identity.keepIrsaTrust,
          keepPodIdentityTrust: identity.keepPodIdentityTrust.includes(spec.key),
          podIdentityPrerequisites: [...args.clusterResources, ...agent],
          permissionsBoundaryArn: identity.permissionsBoundaryArn,
          tags: args.tags,
          protect: args.protect,
        },
        { parent: this },
      );
    }
    this.roleArns = pulumi.output(
      Object.fromEntries(Object.entries(this.roles).map(([k, r]) => [k, r.roleArn])),
    );
    this.registerOutputs({ roleArns: this.roleArns });
  }

  /** The service account binding of a role, for an add-on's Helm values; undefined when there is no such role. */
  serviceAccount(key: string): ServiceAccountBinding | undefined {
    const role = this.roles[key];
    return (
      role && {
        name: role.serviceAccountName,
        annotations: role.serviceAccountAnnotations,
        podAnnotations: role.podAnnotations,
        roleArn: role.roleArn,
      }
    );
  }
}
