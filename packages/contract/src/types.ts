// Generated from stacks/outputs.ts by `npm run contract:types`: do not edit.
import type * as pulumi from "@pulumi/pulumi";

/** Every output of a platform stack, resolved: name, type and meaning. */
export interface PlatformOutputs {
  /** Version of this contract, `<major>.<minor>`. */
  contractVersion: string;
  /** Environment name (prefix of every IAM role name). */
  environment: string;
  /** `dev` or `prod`: which defaults the environment runs with. */
  tier: "dev" | "prod";
  /** Name of the EKS cluster. */
  clusterName: string;
  /** Namespace of the ingress controllers, external-dns and cert-manager. */
  platformNamespace: string;
  /** IngressClass name by ingress instance (`public`, `internal`, ...). */
  ingressClasses: Record<string, string>;
  /** The cluster's default IngressClass, or "" when none is default. */
  defaultIngressClass: string;
  /** Class of the internet-facing instance, or "" when there is none. */
  publicIngressClass: string;
  /** Class of the internal instance, or "" when there is none. */
  internalIngressClass: string;
  /** DNS name of each instance's NLB, by ingress instance. */
  loadBalancerHostnames: Record<string, string>;
  /** `txtOwnerId` by external-dns instance (`private`, `central`). */
  externalDnsOwnerIds: Record<string, string>;
  /** Hosted zone IDs each external-dns instance writes. */
  externalDnsZoneIds: Record<string, string[]>;
  /** Domains each external-dns instance manages. */
  externalDnsDomainFilters: Record<string, string[]>;
  /** IngressClass each external-dns instance watches. */
  externalDnsIngressClasses: Record<string, string>;
  /** Names of all ClusterIssuers. */
  clusterIssuers: string[];
  /** The ClusterIssuer application teams should use by default. */
  defaultClusterIssuer: string;
  /** PEM of the internal CA certificate (public part) to trust. */
  internalCaCertificatePem: string;
  /** Since 1.2. When the internal CA certificate expires (RFC 3339); a `pulumi up` in its last 30 days renews it with the same key. */
  internalCaNotAfter: string;
  /** @deprecated since 1.1, read `workloadRoleArns` (the same values): role ARN by role key, whatever the role's binding. */
  irsaRoleArns: Record<string, string>;
  /** Annotations for each role's service account by role key: `eks.amazonaws.com/role-arn` for an `irsa` role, none for a `pod-identity` role. */
  serviceAccountAnnotations: Record<string, Record<string, string>>;
  /** Since 1.1. Workload role ARN by role key (built-in and extra roles, either binding). */
  workloadRoleArns: Record<string, string>;
  /** Since 1.1. How each role reaches its pods, by role key: `irsa` (annotate the service account with `serviceAccountAnnotations`) or `pod-identity` (an association exists; no annotation). */
  workloadRoleBindings: Record<string, "irsa" | "pod-identity">;
  /** Since 1.2. With `dns.centralDnsAccount`: the roles the DNS account's owners create, by role ARN there, each with `trustPolicy` (this stack's role; the external ID for external-dns) and `permissionsPolicy` (Route53: zone-scoped for external-dns, record-level for cert-manager), as JSON to apply as it is. Empty otherwise. */
  centralDnsRoles: Record<string, Record<string, string>>;
  /** Since 1.2. Whether this stack installs the AWS Load Balancer Controller (`loadBalancerController.mode: install`); false when one runs already or none is used. */
  loadBalancerControllerManaged: boolean;
  /** Since 1.2. ARN of the controller's workload role when this stack installs it (also in `workloadRoleArns` under `aws-load-balancer-controller`), or "" when it does not. */
  loadBalancerControllerRoleArn: string;
}

/** The name of one platform output. */
export type OutputName = keyof PlatformOutputs;

/** Every output of a platform stack as read from a StackReference. */
export type PlatformOutputValues = {
  readonly [K in keyof PlatformOutputs]: pulumi.Output<PlatformOutputs[K]>;
};
