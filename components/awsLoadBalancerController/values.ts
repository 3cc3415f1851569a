/**
 * Helm values of the AWS Load Balancer Controller (chart aws-load-balancer-controller, see versions.ts). Pure.
 * Every key exists in the chart's values.yaml at the pinned version (tests/alb-controller.test.ts checks them
 * against tests/fixtures/alb-chart-values.keys.json). The chart has no values schema: it would ignore a misspelt
 * key silently.
 *
 * The builder is generic in how a value is held (`S` for strings, `M` for maps) so that the component can pass
 * Pulumi outputs through unchanged: the webhook's private key then stays a secret on its own, nested where it
 * sits (the engine keeps nested secrets), instead of making every value of the release secret.
 */
import type { ImagesConfig, LoadBalancerControllerConfig } from "../../model/config";
import { mirroredRepository, pullSecretRefs } from "../sources/images";

/** Name prefix of the chart's webhook objects (`namePrefix` in its _helpers.tpl: the chart name minus `-controller`). */
const NAME_PREFIX = "aws-load-balancer";

/** The chart's webhook Service (`<namePrefix>-webhook-service`), which the webhook certificate must name. */
export const WEBHOOK_SERVICE = `${NAME_PREFIX}-webhook-service`;

/**
 * The names the API server may use to reach the webhook Service: the chart's own list for its generated
 * certificate (`aws-load-balancer-controller.webhookCerts` in _helpers.tpl), with the default cluster domain.
 */
export function webhookDnsNames(namespace: string): string[] {
  const svc = `${WEBHOOK_SERVICE}.${namespace}`;
  return [svc, `${svc}.svc`, `${svc}.svc.cluster.local`];
}

/** The webhook's PEMs: all three given, the chart uses them instead of generating its own. */
export interface WebhookTls<S = string> {
  caCert: S;
  cert: S;
  key: S;
}

/** What the controller must be told about the cluster, so it needs neither IMDS nor a VPC look-up by tag. */
export interface ClusterFacts<S = string> {
  clusterName: S;
  region: string;
  vpcId: S;
}

export interface ServiceAccountInputs<M = Record<string, string>> {
  name: string;
  annotations: M;
  podAnnotations: M;
}

export interface LoadBalancerControllerValues<S = string, M = Record<string, string>> {
  /** Set under an image mirror only; the chart's default tag (the controller's version) stays. */
  image?: { repository: string };
  imagePullSecrets?: { name: string }[];
  clusterName: S;
  region: string;
  vpcId: S;
  replicaCount: number;
  podDisruptionBudget?: { minAvailable: number };
  serviceAccount: { create: true; name: string; annotations: M };
  podAnnotations: M;
  enableServiceMutatorWebhook: false;
  webhookTLS: WebhookTls<S>;
}

export function loadBalancerControllerValues<S = string, M = Record<string, string>>(
  config: LoadBalancerControllerConfig,
  cluster: ClusterFacts<S>,
  serviceAccount: ServiceAccountInputs<M>,
  webhookTLS: WebhookTls<S>,
  images?: ImagesConfig,
): LoadBalancerControllerValues<S, M> {
  const repository = mirroredRepository(images, "awsLoadBalancerController");
  const pullSecrets = pullSecretRefs(images);
  return {
    ...(repository ? { image: { repository } } : {}),
    ...(pullSecrets ? { imagePullSecrets: pullSecrets } : {}),
    // Required by the chart (`--cluster-name`); the controller tags what it creates with it.
    clusterName: cluster.clusterName,
    // Region and VPC given explicitly: otherwise the controller asks IMDS, which pods cannot reach when the node
    // requires IMDSv2 with a hop limit of 1 (the EKS default for new node groups).
    region: cluster.region,
    vpcId: cluster.vpcId,
    // Leader-elected: one replica works, a second keeps the webhooks serving while the first restarts.
    replicaCount: config.replicas,
    // The chart renders the PDB only with replicaCount > 1 and copies this map into its spec.
    ...(config.podDisruptionBudget ? { podDisruptionBudget: { minAvailable: 1 } } : {}),
    serviceAccount: { create: true, name: serviceAccount.name, annotations: serviceAccount.annotations },
    podAnnotations: serviceAccount.podAnnotations,
    // Chart default true: the webhook would set the controller's loadBalancerClass on every new LoadBalancer
    // Service in the cluster, taking them from the in-tree provider and from any other controller. The ingress
    // Services ask for the controller themselves (`aws-load-balancer-type: external`), so nothing needs it.
    enableServiceMutatorWebhook: false,
    // Without these the chart generates a new CA and certificate at every render (genCA in _helpers.tpl), which
    // under Pulumi is a change to the release at every preview. The component makes them with @pulumi/tls once;
    // the alternative, `enableCertManager`, would put the cert-manager release in series before this one and so
    // before the ingress releases (docs/architecture.md, "Order of the deploy").
    webhookTLS,
  };
}
