/**
 * Every closed set of values the configuration speaks of, defined once. The zod schemas build their enums from
 * these tuples and the types below are derived from them, so a new value is added in one place.
 */

/** Which defaults a stack gets (model/defaults.ts). */
export const TIERS = ["dev", "prod"] as const;
export type Tier = (typeof TIERS)[number];

/** NLB scheme of an ingress controller instance. */
export const SCHEMES = ["internet-facing", "internal"] as const;
export type Scheme = (typeof SCHEMES)[number];

/** Which Service annotations provision an ingress instance's NLB. */
export const LOAD_BALANCER_MODES = ["aws-load-balancer-controller", "in-tree"] as const;
export type LoadBalancerMode = (typeof LOAD_BALANCER_MODES)[number];

/**
 * Where the AWS Load Balancer Controller comes from: `install` (this stack's release), `existing` (one already
 * runs in the cluster) or `none` (no controller: the in-tree load balancer mode).
 */
export const LOAD_BALANCER_CONTROLLER_MODES = ["install", "existing", "none"] as const;
export type LoadBalancerControllerMode = (typeof LOAD_BALANCER_CONTROLLER_MODES)[number];

/** external-dns record policy: `sync` also deletes records it owns, `upsert-only` never deletes. */
export const RECORD_POLICIES = ["sync", "upsert-only"] as const;
export type RecordPolicy = (typeof RECORD_POLICIES)[number];

/** The two external-dns instances, and the kind of Route53 zone each manages. */
export const EXTERNAL_DNS_INSTANCES = ["private", "central"] as const;
export type ExternalDnsInstanceName = (typeof EXTERNAL_DNS_INSTANCES)[number];
export type ZoneType = "private" | "public";

/** The ACME ClusterIssuers (Let's Encrypt directories in model/letsencrypt.ts). */
export const ACME_ISSUERS = ["letsencrypt-staging", "letsencrypt-prod"] as const;
export type AcmeIssuerName = (typeof ACME_ISSUERS)[number];
/** The ClusterIssuer backed by the internal CA. */
export const INTERNAL_CA_ISSUER = "internal-ca";
/** Every ClusterIssuer the program creates, in the order they are exported. */
export const CLUSTER_ISSUERS = [...ACME_ISSUERS, INTERNAL_CA_ISSUER] as const;
export type ClusterIssuerName = (typeof CLUSTER_ISSUERS)[number];

/**
 * How a pod gets its IAM role: `irsa` (the OIDC provider trusts one service account; the service account is
 * annotated with the role ARN) or `pod-identity` (EKS Pod Identity: the role trusts `pods.eks.amazonaws.com`
 * and an association binds it to one service account).
 */
export const BINDINGS = ["irsa", "pod-identity"] as const;
export type Binding = (typeof BINDINGS)[number];

/** AWS partitions the program can deploy to. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type Partition = (typeof PARTITIONS)[number];

/**
 * The EKS access policies a cluster this stack creates may grant (EKS user guide, "Review access policy
 * permissions"): like Kubernetes' cluster-admin, admin, edit and view roles; AdminView reads every resource,
 * Secrets included.
 */
export const EKS_ACCESS_POLICIES = [
  "AmazonEKSClusterAdminPolicy",
  "AmazonEKSAdminPolicy",
  "AmazonEKSEditPolicy",
  "AmazonEKSViewPolicy",
  "AmazonEKSAdminViewPolicy",
] as const;
export type EksAccessPolicy = (typeof EKS_ACCESS_POLICIES)[number];
