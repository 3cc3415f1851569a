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
import type { ClusterConfig } from "../../model/config";
import { oidcProviderArnOf } from "../../model/naming";
import { eksKubeconfig } from "./kubeconfig";

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
          createOidcProvider: true,
          tags: args.tags,
        },
        { parent: this, protect: args.protect },
      );
      this.clusterName = pulumi.output(c.name);
      // The underlying aws.eks.Cluster knows the VPC even when config leaves it to the account's default VPC.
      this.vpcId = cluster.eksCluster.apply((eksCluster) => eksCluster.vpcConfig.vpcId);
      this.oidcProviderArn = args.needsOidcProvider ? cluster.oidcProviderArn : undefined;
      // kubeconfigJson, not getKubeconfig(): the method never resolves under mocks and needs the provider plugin.
      kubeconfig = cluster.kubeconfigJson;
    } else {
      const found = awsEks.getClusterOutput({ name: c.name }, { parent: this });
      const issuerUrl = found.identities.apply((ids) => ids[0].oidcs[0].issuer);
      this.clusterName = found.name;
      this.vpcId = found.vpcConfig.vpcId;
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
        // IAM names an OIDC provider after its issuer, in the cluster's account and partition: the ARN follows
        // from the cluster look-up, so a preview makes no second AWS call.
        this.oidcProviderArn = pulumi
          .all([found.arn, issuerUrl])
          .apply(([arn, url]) => oidcProviderArnOf(arn, url));
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
