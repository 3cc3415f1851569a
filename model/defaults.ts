/**
 * Defaults, in one readable place. A stack file overrides any of them; user values are always merged last.
 */
import type { ClusterIssuerName, RecordPolicy, Tier } from "./enums";

export interface TierDefaults {
  /** Protect IAM roles, a created OIDC provider and the internal CA key. */
  readonly protect: boolean;
  /** Ingress controller replicas per instance. */
  readonly ingressReplicas: number;
  /** A PodDisruptionBudget (minAvailable 1) and a zone spread for each ingress instance. */
  readonly ingressHighAvailability: boolean;
  /** Container resource requests of each ingress controller pod. */
  readonly ingressRequests: { readonly cpu: string; readonly memory: string };
  /** AWS Load Balancer Controller replicas (leader-elected; more than one keeps its webhooks serving). */
  readonly loadBalancerControllerReplicas: number;
  /** external-dns record policy. `upsert-only` never deletes a record. */
  readonly externalDnsPolicy: RecordPolicy;
  /** The ClusterIssuer exported as default. */
  readonly defaultIssuer: ClusterIssuerName;
  /** cert-manager replicas; prod follows upstream's HA advice (controller 2, webhook 3, cainjector 2). */
  readonly certManagerReplicas: {
    readonly controller: number;
    readonly webhook: number;
    readonly cainjector: number;
  };
  /** PodDisruptionBudgets (minAvailable 1) for the cert-manager deployments. */
  readonly certManagerPdb: boolean;
  /** Validity of the internal CA certificate, hours. */
  readonly caValidityHours: number;
  /** Node group of a cluster this program creates (`cluster.mode: new`). */
  readonly newCluster: {
    readonly instanceType: string;
    readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
  };
}

export const tierDefaults: Record<Tier, TierDefaults> = {
  dev: {
    protect: false,
    ingressReplicas: 1,
    ingressHighAvailability: false,
    ingressRequests: { cpu: "100m", memory: "128Mi" },
    loadBalancerControllerReplicas: 1,
    externalDnsPolicy: "sync",
    defaultIssuer: "letsencrypt-staging",
    certManagerReplicas: { controller: 1, webhook: 1, cainjector: 1 },
    certManagerPdb: false,
    caValidityHours: 24 * 365,
    newCluster: { instanceType: "t3.medium", nodes: { min: 1, desired: 2, max: 3 } },
  },
  prod: {
    protect: true,
    ingressReplicas: 2,
    ingressHighAvailability: true,
    ingressRequests: { cpu: "250m", memory: "256Mi" },
    loadBalancerControllerReplicas: 2,
    externalDnsPolicy: "upsert-only",
    defaultIssuer: "letsencrypt-prod",
    certManagerReplicas: { controller: 2, webhook: 3, cainjector: 2 },
    certManagerPdb: true,
    caValidityHours: 24 * 365 * 5,
    newCluster: { instanceType: "m6i.large", nodes: { min: 3, desired: 3, max: 6 } },
  },
};

/** Defaults that do not depend on the tier. */
export const commonDefaults = {
  namespace: "platform",
  /**
   * `%{record_type}` and the final `.` keep the ownership record inside the zone even for an apex name
   * (external-dns TXT registry docs): for dev.example.com it is extdns-a.dev.example.com.
   */
  txtPrefix: "extdns-%{record_type}.",
  loadBalancer: "aws-load-balancer-controller",
  /** Where AWS's installation guide puts the controller, so a running one is found (and adopted) there. */
  loadBalancerControllerNamespace: "kube-system",
  ingressInstances: {
    public: { className: "nginx-public", scheme: "internet-facing", default: true },
    internal: { className: "nginx-internal", scheme: "internal", default: false },
  },
  /** Public resolvers for the DNS-01 self-check when a private zone shadows a public one. */
  recursiveNameservers: ["1.1.1.1:53", "8.8.8.8:53"],
  http01: true,
  /** IRSA: works on every EKS cluster with an OIDC provider; Pod Identity is chosen per stack or per role. */
  binding: "irsa",
  caOrganization: "eks-platform",
  serviceAccounts: {
    certManager: "cert-manager",
    ecrOperator: "ecr-operator",
    loadBalancerController: "aws-load-balancer-controller",
  },
} as const;
