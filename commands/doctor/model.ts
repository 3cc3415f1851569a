/**
 * The doctor's own data types. Nothing here imports the program: `expected.ts` turns the stack configuration into
 * `ExpectedPlatform`, `collect.ts` fills `Observed` from the live platform, and `diagnose.ts` compares the two.
 */

// ---- what the stack says should exist -------------------------------------------------------------------------

export type RoleBinding = "irsa" | "pod-identity";

export interface ExpectedRole {
  /** Role key (`cert-manager`, `external-dns-central`, a team's key). */
  readonly key: string;
  /** IAM role name, `<environment>-<key>-<namespace>`. */
  readonly roleName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly binding: RoleBinding;
  /** Helm release that renders the service account and its pods; undefined for a team's own workload. */
  readonly release?: string;
}

export interface ExpectedIngress {
  readonly key: string;
  readonly className: string;
  readonly scheme: "internet-facing" | "internal";
  /** Helm release, `ingress-<key>`. */
  readonly release: string;
  /** The controller's Service (the chart names its Deployment the same way). */
  readonly serviceName: string;
}

export interface ExpectedZone {
  readonly name: string;
  readonly zoneId: string;
}

export interface ExpectedExternalDns {
  readonly name: string;
  /** Helm release, also the Deployment and service account name. */
  readonly release: string;
  readonly zoneType: "private" | "public";
  readonly zones: readonly ExpectedZone[];
  readonly domainFilters: readonly string[];
  readonly ownerId: string;
  readonly txtPrefix: string;
  readonly ingressClass: string;
  readonly assumeRoleArn?: string;
}

export interface ExpectedDns01Zone extends ExpectedZone {
  readonly roleArn?: string;
}

export interface ExpectedCertManager {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Release name; also the controller Deployment's name. */
  readonly release: string;
  readonly issuers: readonly string[];
  readonly dns01Zones: readonly ExpectedDns01Zone[];
  readonly http01IngressClass?: string;
  readonly recursiveNameservers: readonly string[];
}

export interface ExpectedPlatform {
  readonly stack: string;
  readonly region: string;
  readonly clusterName: string;
  /** The cluster's IAM OIDC provider ARN when the stack pins it; otherwise the doctor asks EKS for the issuer. */
  readonly oidcProviderArn?: string;
  readonly namespace: string;
  readonly roles: readonly ExpectedRole[];
  readonly ingresses: readonly ExpectedIngress[];
  readonly externalDns: readonly ExpectedExternalDns[];
  readonly certManager: ExpectedCertManager;
  /** Private zones of the stack: they answer inside the VPC for their names. */
  readonly privateZones: readonly ExpectedZone[];
}

// ---- what the doctor saw --------------------------------------------------------------------------------------

/** The parts of Kubernetes objects the doctor reads, in their wire (JSON) form. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string; uid?: string }[];
  uid?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Pod {
  metadata: ObjectMeta;
  spec: {
    serviceAccountName?: string;
    containers: { name: string; env?: { name: string; value?: string }[] }[];
  };
  status?: { phase?: string; startTime?: string };
}

export interface ServiceAccount {
  metadata: ObjectMeta;
}

export interface LoadBalancerIngress {
  hostname?: string;
  ip?: string;
}

export interface Service {
  metadata: ObjectMeta;
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}

export interface Deployment {
  metadata: ObjectMeta;
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export interface Ingress {
  metadata: ObjectMeta;
  spec?: {
    ingressClassName?: string;
    rules?: { host?: string }[];
    tls?: { hosts?: string[]; secretName?: string }[];
  };
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}

export interface IngressClass {
  metadata: ObjectMeta;
  spec?: { controller?: string };
}

export interface KubeEvent {
  metadata: ObjectMeta;
  involvedObject: { kind?: string; name?: string; namespace?: string };
  type?: string;
  reason?: string;
  message?: string;
  lastTimestamp?: string;
}

export interface ClusterIssuer {
  metadata: ObjectMeta;
  spec?: { acme?: { email?: string; server?: string }; ca?: { secretName?: string } };
  status?: { conditions?: Condition[] };
}

export interface Certificate {
  metadata: ObjectMeta;
  spec: { secretName: string; dnsNames?: string[]; issuerRef: { name: string; kind?: string } };
  status?: { conditions?: Condition[] };
}

export interface CertificateRequest {
  metadata: ObjectMeta;
  spec?: { issuerRef?: { name: string; kind?: string } };
  status?: { conditions?: Condition[] };
}

export interface Order {
  metadata: ObjectMeta;
  spec?: { dnsNames?: string[] };
  status?: { state?: string; reason?: string };
}

export interface Challenge {
  metadata: ObjectMeta;
  spec: {
    type: "HTTP-01" | "DNS-01";
    dnsName: string;
    token?: string;
    key?: string;
    solver?: {
      dns01?: { route53?: { hostedZoneID?: string; role?: string } };
      http01?: { ingress?: { ingressClassName?: string } };
    };
  };
  status?: { state?: string; reason?: string; presented?: boolean; processing?: boolean };
}

export interface KubernetesObserved {
  pods: Pod[];
  serviceAccounts: ServiceAccount[];
  services: Service[];
  deployments: Deployment[];
  ingresses: Ingress[];
  ingressClasses: IngressClass[];
  events: KubeEvent[];
  clusterIssuers: ClusterIssuer[];
  certificates: Certificate[];
  certificateRequests: CertificateRequest[];
  orders: Order[];
  challenges: Challenge[];
  /** Recent log lines of external-dns pods, by `<namespace>/<pod>`. */
  logs: Record<string, string>;
}

export interface PolicyStatement {
  Effect: string;
  Principal?: Record<string, string | string[]>;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RoleObserved {
  arn: string;
  createDate: string;
  trust: { Statement: PolicyStatement[] };
  lastUsed?: string;
}

export interface RecordSet {
  /** Fully qualified, lower case, without the trailing dot. */
  name: string;
  type: string;
  values: string[];
  /** DNS name of an alias target (lower case, no trailing dot). */
  aliasTarget?: string;
}

export interface HostedZone {
  id: string;
  /** Without the trailing dot. */
  name: string;
  private: boolean;
}

export interface AwsObserved {
  /** By role name; null when IAM says NoSuchEntity. */
  roles: Record<string, RoleObserved | null>;
  /** The cluster's OIDC issuer URL from EKS, when the stack does not pin the provider. */
  oidcIssuer?: string;
  /** EKS Pod Identity associations of the cluster (read only when a role is bound that way). */
  podIdentityAssociations: { namespace: string; serviceAccount: string; roleArn: string }[];
  hostedZones: HostedZone[];
  /** Record sets by hosted zone ID. */
  records: Record<string, RecordSet[]>;
}

/** A public DNS answer: TXT strings (each record's chunks joined), or the resolver's error code. */
export interface DnsAnswer {
  txt?: string[];
  error?: string;
}

/** The answer of the HTTP-01 URL when asked without following redirects. */
export interface HttpAnswer {
  status?: number;
  location?: string;
  error?: string;
}

export interface Observed {
  /** When the observation was made (ISO); "started after" checks compare against role dates. */
  at: string;
  kubernetes: KubernetesObserved;
  aws: AwsObserved;
  /** By fully qualified name (no trailing dot). */
  dns: Record<string, DnsAnswer>;
  /** By URL. */
  http: Record<string, HttpAnswer>;
  /** Reads that failed: the doctor reports them instead of guessing. */
  readErrors: { source: string; message: string }[];
}

// ---- what the doctor says -------------------------------------------------------------------------------------

export type Severity = "error" | "warning" | "info";

export interface Finding {
  /** Stable identifier of the kind of problem, documented in docs/troubleshooting.md. */
  readonly id: string;
  readonly severity: Severity;
  /** The object the finding is about, e.g. `role dev-cert-manager-platform`, `challenge orders/web-1-2-3`. */
  readonly subject: string;
  /** The root cause, in one sentence or two. */
  readonly message: string;
  /** What was seen that shows it. */
  readonly evidence: readonly string[];
  /** The next command to run. */
  readonly next: string;
}
