/**
 * The resolved stack configuration: what `stacks/` produces from a stack file (schema checked, tier defaults
 * applied, cross-key checks passed) and what every component reads. Types only.
 */
import type {
  Binding,
  ClusterIssuerName,
  ExternalDnsInstanceName,
  LoadBalancerControllerMode,
  LoadBalancerMode,
  Partition,
  RecordPolicy,
  Scheme,
  Tier,
  ZoneType,
} from "./enums";
import type { PolicyDocument } from "./iam";

export interface Zone {
  readonly name: string;
  readonly zoneId: string;
}

// ---- the stack as a whole -------------------------------------------------------------------------------------

export interface CoreConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: string;
  readonly tier: Tier;
  readonly region: string;
  /** The region's AWS partition: every ARN, principal and audience the program writes follows it. */
  readonly partition: Partition;
  readonly namespace: string;
  readonly protect: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export type ClusterConfig =
  | {
      readonly mode: "existing";
      readonly name: string;
      readonly oidcProviderArn?: string;
      readonly createOidcProvider: boolean;
    }
  | {
      readonly mode: "new";
      readonly name: string;
      readonly version?: string;
      readonly vpcId?: string;
      readonly subnetIds?: readonly string[];
      readonly instanceType: string;
      readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
      /** Who may reach the cluster besides its creator: EKS access entries, by key. */
      readonly accessEntries: readonly ClusterAccessEntry[];
      /**
       * Whether the created cluster gets its IAM OIDC provider. On by default even when every role here uses Pod
       * Identity: other IRSA roles on the cluster may need it, and turning it off later deletes it.
       */
      readonly createOidcProvider: boolean;
    };

/** One EKS access entry of a cluster this stack creates. */
export interface ClusterAccessEntry {
  /** The entry's key in `cluster.accessEntries`. */
  readonly key: string;
  readonly principalArn: string;
  /** ARN of the EKS access policy to associate, in the cluster's partition; undefined for groups only. */
  readonly policyArn?: string;
  /** The policy's scope: these namespaces, or the whole cluster when undefined. */
  readonly namespaces?: readonly string[];
  /** Kubernetes groups the principal is mapped to, for the stack owner's own RBAC bindings. */
  readonly kubernetesGroups?: readonly string[];
}

export interface DnsConfig {
  readonly privateZones: readonly Zone[];
  readonly publicZones: readonly Zone[];
  readonly centralDnsAccount?: {
    readonly externalDnsRoleArn: string;
    readonly externalId?: string;
    readonly certManagerRoleArn: string;
  };
}

// ---- workload identity -----------------------------------------------------------------------------------------

/**
 * One IAM role for one Kubernetes service account. Config resolution produces the full list (built-in roles
 * and teams' extra roles); every role check runs on it and the identity component creates exactly these.
 */
export interface WorkloadRoleSpec {
  /** Role key: `cert-manager`, `external-dns-private`, a team's key. The middle of the role name. */
  readonly key: string;
  /** IAM role name, `<environment>-<key>-<namespace>`. */
  readonly roleName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly description: string;
  /** Permissions; at least one statement. */
  readonly policy: PolicyDocument;
  /** How pods get the role. */
  readonly binding: Binding;
  /** The config key a problem with this role is reported under. */
  readonly configKey: string;
}

export interface IdentityConfig {
  /** Permissions boundary policy ARN for every role. */
  readonly permissionsBoundaryArn?: string;
  /** Install the `eks-pod-identity-agent` EKS add-on (only meaningful when a role uses `pod-identity`). */
  readonly installPodIdentityAgent: boolean;
  /** Pod Identity roles also keep their IRSA trust: the first step of a move from IRSA (docs/identity.md). */
  readonly keepIrsaTrust: boolean;
  /** Keys of IRSA roles that also keep their Pod Identity trust: the first step of a move back from Pod Identity. */
  readonly keepPodIdentityTrust: readonly string[];
  /** Version of the agent add-on; undefined: EKS's default for the cluster's Kubernetes version. */
  readonly podIdentityAgentVersion?: string;
  /** Every workload role, in creation order. */
  readonly roles: readonly WorkloadRoleSpec[];
}

// ---- add-ons ---------------------------------------------------------------------------------------------------

/** The AWS Load Balancer Controller; namespace, service account and replicas matter only with `install`. */
export interface LoadBalancerControllerConfig {
  readonly mode: LoadBalancerControllerMode;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly replicas: number;
  /** A PodDisruptionBudget (minAvailable 1); the chart renders it only with more than one replica. */
  readonly podDisruptionBudget: boolean;
}

export interface IngressInstanceConfig {
  /** Instance key (`public`, `internal`, ...). */
  readonly key: string;
  readonly className: string;
  readonly scheme: Scheme;
  readonly isDefaultClass: boolean;
  readonly sourceRanges: readonly string[];
  readonly replicas: number;
  readonly highAvailability: boolean;
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly enableCustomResources: boolean;
  /** The instance's key before a rename (its release takes the old release's place); undefined otherwise. */
  readonly renamedFrom?: string;
}

export interface IngressConfig {
  readonly loadBalancer: LoadBalancerMode;
  readonly instances: readonly IngressInstanceConfig[];
  /** Where the program fetches the NGINX CRD manifest (verified against the pinned digest). */
  readonly crdsUrl: string;
}

export interface ExternalDnsInstanceConfig {
  readonly name: ExternalDnsInstanceName;
  readonly zoneType: ZoneType;
  readonly ownerId: string;
  readonly zoneIds: readonly string[];
  readonly domainFilters: readonly string[];
  readonly ingressClass: string;
  readonly policy: RecordPolicy;
  readonly txtPrefix: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Cross-account: the DNS account's role to assume, and the optional external ID. */
  readonly assumeRole?: { readonly roleArn: string; readonly externalId?: string };
}

export interface Dns01Zone extends Zone {
  /** Role in the central DNS account that the solver assumes; undefined when the zone is in this account. */
  readonly roleArn?: string;
}

export interface CertManagerConfig {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Whether the Let's Encrypt ClusterIssuers exist; without them only the internal CA issues. */
  readonly letsEncrypt: boolean;
  /** The ACME account e-mail; set whenever `letsEncrypt` is (it may be set without it too). */
  readonly email?: string;
  readonly defaultIssuer: ClusterIssuerName;
  readonly dns01Zones: readonly Dns01Zone[];
  /** IngressClass of the HTTP-01 solver; undefined when HTTP-01 is off. */
  readonly http01IngressClass?: string;
  readonly recursiveNameservers: readonly string[];
  readonly replicas: { readonly controller: number; readonly webhook: number; readonly cainjector: number };
  readonly podDisruptionBudgets: boolean;
  readonly internalCa: {
    readonly commonName: string;
    readonly organization: string;
    readonly validityHours: number;
  };
}

export interface EcrConfig {
  readonly repositoryArns: readonly string[];
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** A chart repository that serves the pinned charts (same names and versions) in place of their upstream ones. */
export interface ChartMirrorConfig {
  /** `oci://host/path` (the chart is `<url>/<name>`) or `https://host/path` (a classic Helm repository). */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** CA bundle on the machine that runs the deploy, for a mirror with a private CA. */
  readonly caFile?: string;
}

/** Where the charts come from. */
export interface ChartsConfig {
  /** The mirror of each chart, by its key in components/versions.ts; a chart without one comes from upstream. */
  readonly mirrors: Readonly<Record<string, ChartMirrorConfig>>;
  /**
   * The nginx-ingress chart the mirror serves has a values schema with no remote `$ref`s, so Helm fetches no
   * JSON schema when it validates the values.
   */
  readonly nginxIngressLocalSchema: boolean;
}

/** Where the charts' images come from. */
export interface ImagesConfig {
  /** Registry (host and optional path) that serves every upstream registry's images under its own prefix. */
  readonly registry?: string;
  /** Per upstream registry host (`quay.io`, `registry.k8s.io`, ...), the registry that serves its images. */
  readonly registries: Readonly<Record<string, string>>;
  /** Secrets (kubernetes.io/dockerconfigjson, in each release's namespace) the pods pull their images with. */
  readonly pullSecrets: readonly string[];
}

/** A team's policy statement, as written in stack config. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Each add-on's resolved section, by its config key. */
export interface AddOnConfigs {
  readonly loadBalancerController: LoadBalancerControllerConfig;
  readonly ingress: IngressConfig;
  readonly externalDns: readonly ExternalDnsInstanceConfig[];
  readonly certManager: CertManagerConfig;
  readonly ecr?: EcrConfig;
}

export interface PlatformConfig extends CoreConfig, AddOnConfigs {
  readonly cluster: ClusterConfig;
  readonly charts: ChartsConfig;
  readonly images: ImagesConfig;
  readonly dns: DnsConfig;
  readonly identity: IdentityConfig;
}
