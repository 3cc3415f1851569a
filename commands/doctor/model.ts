/**
 * The doctor's own data types. Nothing here imports the program but its closed sets of values (model/enums.ts):
 * `expected.ts` turns the stack configuration into `ExpectedPlatform`, `collect.ts` fills `Observed` from the live
 * platform, and `diagnose.ts` compares the two.
 */
import type { Binding, Scheme } from "../../model/enums";

// ---- what the stack says should exist -------------------------------------------------------------------------

export type RoleBinding = Binding;

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
  readonly scheme: Scheme;
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
  readonly assumeRoleExternalId?: string;
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

/** The AWS Load Balancer Controller the ingress NLBs depend on (components/awsLoadBalancerController). */
export interface ExpectedLoadBalancerController {
  /** `install` (this stack's release), `existing` (one already runs), `none` (in-tree load balancers). */
  readonly mode: "install" | "existing" | "none";
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Helm release; also the Deployment's name (the chart's fullname when the release contains the chart name). */
  readonly release: string;
  /** The chart's webhook Service, `<namePrefix>-webhook-service`. */
  readonly webhookService: string;
}

export interface ExpectedPlatform {
  readonly stack: string;
  readonly region: string;
  readonly partition: string;
  readonly clusterName: string;
  /** The cluster's IAM OIDC provider ARN when the stack pins it; otherwise the doctor asks EKS for the issuer. */
  readonly oidcProviderArn?: string;
  /** The stack creates the OIDC provider (a new cluster, or `cluster.createOidcProvider`). */
  readonly createsOidcProvider: boolean;
  readonly namespace: string;
  readonly roles: readonly ExpectedRole[];
  readonly ingresses: readonly ExpectedIngress[];
  readonly externalDns: readonly ExpectedExternalDns[];
  readonly certManager: ExpectedCertManager;
  /** Private zones of the stack: they answer inside the VPC for their names. */
  readonly privateZones: readonly ExpectedZone[];
  readonly loadBalancerController: ExpectedLoadBalancerController;
  /** The stack installs the `eks-pod-identity-agent` add-on (it matters only when a role uses Pod Identity). */
  readonly installsPodIdentityAgent: boolean;
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

export interface DaemonSet {
  metadata: ObjectMeta;
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

/** discovery.k8s.io/v1 EndpointSlice: the parts that say whether a Service has a ready backend. */
export interface EndpointSlice {
  metadata: ObjectMeta;
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
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
  /** DaemonSets in kube-system (a self-managed Pod Identity agent), read only when a role uses Pod Identity. */
  daemonSets: DaemonSet[];
  /** EndpointSlices of the load balancer controller's webhook Service. */
  endpointSlices: EndpointSlice[];
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

/** One iam:SimulatePrincipalPolicy question and IAM's answer. */
export interface Simulation {
  /** Name of the role whose policies were simulated. */
  role: string;
  action: string;
  resource: string;
  /** Context keys given, as the tool's request would carry them. */
  context: Record<string, string[]>;
  /** `allowed`, `explicitDeny` or `implicitDeny`. */
  decision: string;
  /** The statements that decided (for a deny, the denying one): policy ID, type and position. */
  matched: string[];
  /** The permissions boundary or an SCP did not allow it (IAM's decision details). */
  blockedBy?: string;
}

/** A trust policy read in the DNS account through the role assumed there; null when it could not be read. */
export interface CentralTrust {
  roleArn: string;
  trust: RoleObserved["trust"] | null;
  /** Why it could not be read. */
  error?: string;
}

export interface AwsObserved {
  /** By role name; null when IAM says NoSuchEntity. */
  roles: Record<string, RoleObserved | null>;
  /** The cluster's OIDC issuer URL from EKS, when the stack does not pin the provider. */
  oidcIssuer?: string;
  /** The IAM OIDC provider (iam:GetOpenIDConnectProvider); null when IAM says NoSuchEntity, absent when not read. */
  oidcProvider?: { arn: string; clientIds: string[] } | null;
  /** EKS Pod Identity associations of the roles bound that way (filtered by namespace and service account). */
  podIdentityAssociations: {
    namespace: string;
    serviceAccount: string;
    roleArn: string;
    targetRoleArn?: string;
  }[];
  /** The `eks-pod-identity-agent` add-on (DescribeAddon); null when the cluster has none; absent when not read. */
  podIdentityAgentAddon?: { status: string; issues: string[] } | null;
  /** Permission questions asked of IAM for the roles' tools. */
  simulations: Simulation[];
  /** Trusts of the DNS account's roles, read through the role assumed there. */
  centralTrusts: CentralTrust[];
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
  readErrors: { source: string; message: string; identity?: string }[];
  /** Which identity read what: the operator's own credentials, and each role assumed in another account. */
  readers: { identity: string; reads: string[] }[];
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
