/**
 * How the program reaches its cluster: an existing cluster read by name (the usual case) or a new one created
 * with @pulumi/eks. Either way it yields the cluster's IAM OIDC provider ARN (when an IRSA role needs it) and one
 * explicit Kubernetes provider that every Kubernetes resource of the program uses.
 */
import * as awsEks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import type * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAccessEntry, ClusterConfig } from "../../model/config";
import { eksKubeconfig } from "./kubeconfig";
import {
  missingOidcProviderMessage,
  oidcProviderAudienceProblem,
  type OidcProviderFacts,
} from "./oidcProvider";

export interface ClusterAccessArgs {
  /** Existing or new cluster, from stack config. */
  cluster: ClusterConfig;
  /** AWS region of the cluster (for `aws eks get-token`). */
  region: string;
  /** Tags for AWS resources created here (the OIDC provider, a new cluster). */
  tags: Record<string, string>;
  /** Protect the cluster and the OIDC provider if this component creates them. */
  protect: boolean;
  /** Whether any role trusts the OIDC provider (IRSA). Without one, nothing about it is read or created. */
  needsOidcProvider: boolean;
}

export class ClusterAccess extends pulumi.ComponentResource {
  /** The cluster's name. */
  readonly clusterName: pulumi.Output<string>;
  /** The cluster's VPC (the AWS Load Balancer Controller is told it, so it needs no IMDS). */
  readonly vpcId: pulumi.Output<string>;
  /** ARN of the cluster's IAM OIDC provider, which IRSA roles trust; undefined when no role uses IRSA. */
  readonly oidcProviderArn?: pulumi.Output<string>;
  /** The Kubernetes provider for every Kubernetes resource of the program. */
  readonly provider: k8s.Provider;
  /** The cluster's AWS account (from its ARN): the account of every role the program creates. */
  readonly accountId: pulumi.Output<string>;
  /** The cluster's Kubernetes version (EKS add-on versions follow it). */
  readonly kubernetesVersion: pulumi.Output<string>;
  /**
   * What anything calling the EKS API for this cluster must wait for: the cluster (with its node group) when this
   * component creates it, nothing for an existing one.
   */
  readonly created: pulumi.Resource[];
  /** The kubeconfig that provider uses, for a provider with other settings (the NGINX CRDs' own). */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:cluster:ClusterAccess", name, {}, opts);
    const c = args.cluster;
    let kubeconfig: pulumi.Output<string>;
    if (c.mode === "new") {
      // Loaded only here: @pulumi/eks loads some 430 modules, all of @pulumi/aws among them, which would double the
      // start-up time of every stack that reaches an existing cluster (npm run bench, docs/contributing.md).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Cluster } = require("@pulumi/eks") as typeof eks;
      const cluster = new Cluster(
        c.name,
        {
          name: c.name,
          version: c.version,
          vpcId: c.vpcId,
          subnetIds: c.subnetIds ? [...c.subnetIds] : undefined,
          instanceType: c.instanceType,
          minSize: c.nodes.min,
          desiredCapacity: c.nodes.desired,
          maxSize: c.nodes.max,
          // On unless the stack turns it off (cluster.createOidcProvider): deciding it from this stack's roles would
          // delete the provider, and every IRSA role on the cluster with it, the day the last role here moves to Pod
          // Identity.
          createOidcProvider: c.createOidcProvider,
          // Access entries need API or API_AND_CONFIG_MAP (@pulumi/eks v4.3.0 nodejs/eks/cluster/authenticationMode.ts
          // refuses them otherwise). API_AND_CONFIG_MAP keeps aws-auth working, so a cluster created before (EKS's
          // default CONFIG_MAP) changes in place (terraform-provider-aws internal/service/eks/cluster.go: only
          // bootstrap_cluster_creator_admin_permissions forces a new cluster, and @pulumi/eks ignores its changes).
          // The mode can only move towards API: moving to API alone is a later, manual decision.
          authenticationMode: "API_AND_CONFIG_MAP",
          accessEntries: accessEntryArgs(c.accessEntries, args.tags),
          tags: args.tags,
        },
        { parent: this, protect: args.protect },
      );
      this.clusterName = pulumi.output(c.name);
      // A remote component as a dependency is its own URN (@pulumi/pulumi 3.270.0 runtime/dependsOn.js keeps
      // `__remote` resources), known once the engine has registered it: when its Construct call has returned with
      // its outputs (the cluster's kubeconfig among them).
      this.created = [cluster];
      this.accountId = cluster.eksCluster
        .apply((eksCluster) => eksCluster.arn)
        .apply((arn) => arn.split(":")[4]);
      this.kubernetesVersion = cluster.eksCluster.apply((eksCluster) => eksCluster.version);
      // The underlying aws.eks.Cluster knows the VPC even when config leaves it to the account's default VPC.
      this.vpcId = cluster.eksCluster.apply((eksCluster) => eksCluster.vpcConfig.vpcId);
      this.oidcProviderArn = c.createOidcProvider ? cluster.oidcProviderArn : undefined;
      // kubeconfigJson, not getKubeconfig(): the method never resolves under mocks and needs the provider plugin.
      kubeconfig = cluster.kubeconfigJson;
    } else {
      const found = awsEks.getClusterOutput({ name: c.name }, { parent: this });
      const issuerUrl = found.identities.apply((ids) => ids[0].oidcs[0].issuer);
      this.clusterName = found.name;
      this.vpcId = found.vpcConfig.vpcId;
      this.created = [];
      this.accountId = found.arn.apply((arn) => arn.split(":")[4]);
      this.kubernetesVersion = found.version;
      if (!args.needsOidcProvider) {
        this.oidcProviderArn = undefined;
      } else if (c.oidcProviderArn) {
        this.oidcProviderArn = pulumi.output(c.oidcProviderArn);
      } else if (c.createOidcProvider) {
        const provider = new iam.OpenIdConnectProvider(
          `${c.name}-oidc`,
          // No thumbprint: IAM no longer needs one for providers it can verify through its own CA store.
          { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags: args.tags },
          { parent: this, protect: args.protect },
        );
        this.oidcProviderArn = provider.arn;
      } else {
        // Looked up, not derived: a derived ARN would pass every preview and fail at CreateRole when the account
        // has no such provider. One more call (GetOpenIDConnectProvider after a list, in the account that holds
        // the roles: terraform-provider-aws internal/service/iam/openid_connect_provider_data_source.go matches
        // the URL with or without `https://`), and the preview fails with what to create.
        this.oidcProviderArn = pulumi
          .all([found.name, issuerUrl])
          .apply(([clusterName, url]) =>
            existingOidcProvider(
              { clusterName, region: args.region, issuerUrl: url },
              pulumi.getProject(),
              this,
            ),
          );
      }
      kubeconfig = pulumi
        .all([found.name, found.endpoint, found.certificateAuthorities])
        .apply(([clusterName, endpoint, cas]) =>
          JSON.stringify(
            eksKubeconfig({
              clusterName,
              endpoint,
              certificateAuthorityData: cas[0].data,
              region: args.region,
            }),
          ),
        );
    }
    // enableSecretMutable: a Secret's data then updates in place instead of replacing the Secret (the default,
    // pulumi-kubernetes provider/pkg/provider/diff.go), so the internal CA's secret is never briefly absent
    // when its certificate renews. Changing this setting updates the provider in place (DiffConfig).
    this.kubeconfig = kubeconfig;
    this.provider = new k8s.Provider(
      `${c.name}-k8s`,
      { kubeconfig, enableSecretMutable: true },
      { parent: this },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      vpcId: this.vpcId,
      oidcProviderArn: this.oidcProviderArn,
    });
  }
}

/**
 * The ARN of the cluster's IAM OIDC provider in the account that holds the roles. Fails the program, before any
 * role is created, with what to create when there is none or when it does not accept the STS audience.
 */
async function existingOidcProvider(
  facts: OidcProviderFacts,
  project: string,
  parent: pulumi.Resource,
): Promise<string> {
  let found: iam.GetOpenIdConnectProviderResult;
  try {
    found = await iam.getOpenIdConnectProvider({ url: facts.issuerUrl }, { parent });
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    throw asWritten(missingOidcProviderMessage(facts, project, cause));
  }
  const audience = oidcProviderAudienceProblem(facts, found.arn, found.clientIdLists);
  if (audience) {
    throw asWritten(audience);
  }
  return found.arn;
}

/**
 * A RunError whose message stays as written. Every resource input the failed value reaches rethrows the same
 * error with `error serializing property "<key>": ` prepended to its message (@pulumi/pulumi runtime/rpc.js
 * serializeAllProperties), and the language host prints a RunError's message once, when it first goes unhandled
 * (cmd/run/run.js uncaughtHandler, de-duplicated by identity): the message ignores those prefixes.
 */
function asWritten(message: string): pulumi.RunError {
  const err = new pulumi.RunError(message);
  Object.defineProperty(err, "message", { get: () => message, set: () => undefined, enumerable: false });
  return err;
}

/** @pulumi/eks `accessEntries`: one STANDARD entry per configured principal, with its policy and scope. */
export function accessEntryArgs(
  entries: readonly ClusterAccessEntry[],
  tags: Record<string, string>,
): Record<string, eks.types.input.AccessEntryArgs> {
  return Object.fromEntries(
    entries.map((e) => [
      e.key,
      {
        principalArn: e.principalArn,
        type: "STANDARD",
        ...(e.kubernetesGroups ? { kubernetesGroups: [...e.kubernetesGroups] } : {}),
        ...(e.policyArn
          ? {
              accessPolicies: {
                [e.policyArn.slice(e.policyArn.lastIndexOf("/") + 1)]: {
                  policyArn: e.policyArn,
                  accessScope: e.namespaces
                    ? { type: "namespace", namespaces: [...e.namespaces] }
                    : { type: "cluster" },
                },
              },
            }
          : {}),
        tags,
      },
    ]),
  );
}
