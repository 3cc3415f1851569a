/**
 * The transition model: for each resource type this program registers, which input changes make its provider
 * replace the resource instead of updating it, how that replacement is carried out, and which names outside
 * Pulumi's state (cluster-scoped Kubernetes objects) it holds. Pure data plus two tiny interpreters; the judge
 * (judge.ts) and the pull-request plan diff read it.
 *
 * Every entry cites the provider code or documentation it was taken from, at the versions package.json pins
 * (@pulumi/aws 7.48.0 bridging terraform-provider-aws, @pulumi/kubernetes 4.34.2, @pulumi/tls 5.6.1 bridging
 * terraform-provider-tls, @pulumi/eks 4.3.0). Paths are input paths as the plan records them (`metadata.name`,
 * `values.podAnnotations`); a path covers everything below it.
 */
import { valueAt } from "./charts";

/**
 * How a replacement runs when no resource option says otherwise:
 * - `create-before-delete`: Pulumi's default; the new object exists before the old one is deleted.
 * - `delete-before-replace-if-same-name`: the provider asks for delete-before-replace when the new object keeps
 *   an explicitly given name (pulumi-kubernetes for named objects, the Terraform bridge for auto-nameable
 *   `name` fields given explicitly); otherwise create-before-delete.
 */
export type ReplacementOrder = "create-before-delete" | "delete-before-replace-if-same-name";

/** Where a resource's real-world name must be unique. */
export type NameScope = "aws-account" | "cluster" | "namespace" | "none";

export interface TypeRule {
  /** Input paths whose change forces a replacement. */
  readonly replaceOn: readonly string[];
  /** Input path of the real-world name, when the resource has one (what a create-before-delete collides on). */
  readonly nameAt?: string;
  /** Input path of the namespace for namespaced objects. */
  readonly namespaceAt?: string;
  readonly nameScope: NameScope;
  readonly replacement: ReplacementOrder;
  /** The object is cluster-scoped (its name is one per cluster). */
  readonly clusterScoped: boolean;
  /**
   * Replace-on paths that update in place instead when the resource's provider has this input set to true
   * (pulumi-kubernetes' enableSecretMutable, say).
   */
  readonly mutableWith?: { readonly providerInput: string; readonly paths: readonly string[] };
  /** Where this was read. */
  readonly source: string;
  /** Anything surprising. */
  readonly note?: string;
}

const BRIDGE_DBR =
  "pulumi-terraform-bridge pkg/tfbridge/provider.go Diff: deleteBeforeReplace when an auto-nameable name is given explicitly (nameRequiresDeleteBeforeReplace)";
const K8S_DIFF =
  "pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties (.metadata.name, .metadata.namespace) and provider.go Diff: deleteBeforeReplace when the object is not auto-named and keeps its name and namespace";

export const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  "aws:iam/role:Role": {
    replaceOn: ["name", "namePrefix", "path"],
    nameAt: "name",
    nameScope: "aws-account",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: false,
    source: `terraform-provider-aws internal/service/iam/role.go (name, name_prefix, path: ForceNew; assume_role_policy, permissions_boundary, description, tags update in place); ${BRIDGE_DBR}`,
  },
  "aws:iam/policy:Policy": {
    replaceOn: ["name", "namePrefix", "path", "description"],
    nameAt: "name",
    nameScope: "aws-account",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: false,
    source: `terraform-provider-aws internal/service/iam/policy.go (name, name_prefix, path, description: ForceNew; policy updates in place as a new default version); ${BRIDGE_DBR}`,
    note: "The description is ForceNew: the program derives it from the name only, so it never changes alone.",
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    replaceOn: ["role", "policyArn"],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-aws internal/service/iam/role_policy_attachment.go (role, policy_arn: ForceNew; no update)",
    note: "Attaching the same policy twice is idempotent in IAM, so a replacement that keeps both never collides.",
  },
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
    replaceOn: ["clusterName", "namespace", "serviceAccount"],
    // EKS allows one association per cluster, namespace and service account: the service account is its name.
    nameAt: "serviceAccount",
    namespaceAt: "namespace",
    nameScope: "cluster",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-aws internal/service/eks/pod_identity_association.go (cluster_name, namespace, service_account: RequiresReplace; role_arn, target_role_arn, tags update in place); EKS CreatePodIdentityAssociation API reference (ResourceInUseException: one association per service account)",
    note: "A second association for the same namespace/service account created before the old one is deleted fails with ResourceInUseException (Association already exists). The cluster is not part of the name: a stack has one cluster, and a cluster change replaces every Kubernetes object anyway.",
  },
  "aws:eks/addon:Addon": {
    replaceOn: ["clusterName", "addonName"],
    nameAt: "addonName",
    nameScope: "cluster",
    replacement: "create-before-delete",
    clusterScoped: true,
    source:
      "terraform-provider-aws internal/service/eks/addon.go (cluster_name, addon_name: ForceNew; addon_version, configuration_values update in place)",
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    replaceOn: ["url"],
    nameAt: "url",
    nameScope: "aws-account",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-aws internal/service/iam/openid_connect_provider.go (url: ForceNew; client_id_list and thumbprint_list update in place)",
  },
  "kubernetes:helm.sh/v3:Release": {
    replaceOn: ["name", "namespace"],
    nameAt: "name",
    namespaceAt: "namespace",
    nameScope: "namespace",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      'pulumi-kubernetes provider/pkg/provider/helm_release.go Diff: forceNewFields ".name", ".namespace"; DeleteBeforeReplace: false',
    note: "Chart, version and values are a Helm upgrade. The cluster-scoped objects a chart owns are in CHARTS.",
  },
  "kubernetes:core/v1:Namespace": {
    replaceOn: ["metadata.name"],
    nameAt: "metadata.name",
    nameScope: "cluster",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: true,
    source: K8S_DIFF,
    note: "Deleting a namespace deletes every object in it.",
  },
  "kubernetes:core/v1:Secret": {
    replaceOn: ["metadata.name", "metadata.namespace", "type", "stringData", "data"],
    mutableWith: { providerInput: "enableSecretMutable", paths: ["stringData", "data"] },
    nameAt: "metadata.name",
    namespaceAt: "metadata.namespace",
    nameScope: "namespace",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: false,
    source: `${K8S_DIFF}; diff.go core/v1 Secret: .type, .stringData, .data — unless the provider sets enableSecretMutable (provider.d.ts)`,
  },
  "kubernetes:cert-manager.io/v1:ClusterIssuer": {
    replaceOn: ["metadata.name"],
    nameAt: "metadata.name",
    nameScope: "cluster",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: true,
    source: `${K8S_DIFF}; no kind-specific fields for custom resources`,
    note: "Deleting a ClusterIssuer stops renewals of every Certificate that names it.",
  },
  "kubernetes:yaml/v2:ConfigFile": {
    replaceOn: [],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "pulumi-kubernetes provider/pkg/provider/yaml/v2/configfile.go: a component; its objects are children, each diffed by the Kubernetes provider",
  },
  "tls:index/privateKey:PrivateKey": {
    replaceOn: ["algorithm", "rsaBits", "ecdsaCurve"],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-tls internal/provider/resource_private_key.go (algorithm, rsa_bits, ecdsa_curve: RequiresReplace)",
  },
  "tls:index/selfSignedCert:SelfSignedCert": {
    replaceOn: [
      "privateKeyPem",
      "subject",
      "validityPeriodHours",
      "earlyRenewalHours",
      "isCaCertificate",
      "allowedUses",
      "dnsNames",
      "ipAddresses",
      "uris",
      "setSubjectKeyId",
      "setAuthorityKeyId",
    ],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-tls internal/provider/resource_self_signed_cert.go (every argument RequiresReplace) and common_cert.go (a plan inside early_renewal_hours of the end marks the certificate for replacement: ready_for_renewal)",
    note: "Renewal replaces the certificate; the key is an input and stays.",
  },
  "tls:index/certRequest:CertRequest": {
    replaceOn: ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-tls v4.2.1 internal/provider/resource_cert_request.go (private_key_pem: requireReplaceIfStateContainsPEMString; subject and each of its fields, dns_names, ip_addresses, uris: RequiresReplace)",
  },
  "tls:index/locallySignedCert:LocallySignedCert": {
    replaceOn: [
      "certRequestPem",
      "caPrivateKeyPem",
      "caCertPem",
      "validityPeriodHours",
      "allowedUses",
      "isCaCertificate",
      "maxPathLength",
      "setSubjectKeyId",
    ],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "terraform-provider-tls v4.2.1 internal/provider/resource_locally_signed_cert.go (cert_request_pem, ca_private_key_pem, ca_cert_pem: requireReplaceIfStateContainsPEMString; validity_period_hours, allowed_uses, is_ca_certificate, max_path_length, set_subject_key_id: RequiresReplace) and common_cert.go (inside early_renewal_hours of the end: ready_for_renewal, a replacement)",
    note: "A new CA certificate replaces the webhook certificate too (caCertPem is computed from it).",
  },
  "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": {
    replaceOn: ["metadata.name"],
    nameAt: "metadata.name",
    nameScope: "cluster",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: true,
    source: `${K8S_DIFF}; no kind-specific fields for CustomResourceDefinition`,
    note: "Deleting a CRD deletes every object of its kind: the program's CRDs carry retainOnDelete.",
  },
  "pulumi:providers:kubernetes": {
    replaceOn: ["kubeconfig", "context", "cluster", "renderYamlToDirectory", "clusterIdentifier"],
    nameScope: "none",
    replacement: "create-before-delete",
    clusterScoped: false,
    source:
      "pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig: replaces when the active cluster of the kubeconfig, context, cluster or renderYamlToDirectory changes (clusterIdentifier when set); modelled as any kubeconfig change, which here only a different cluster or region makes",
    note: "A replaced provider replaces every Kubernetes object it manages.",
  },
  "eks:index:Cluster": {
    replaceOn: ["name", "vpcId", "subnetIds"],
    nameAt: "name",
    nameScope: "aws-account",
    replacement: "delete-before-replace-if-same-name",
    clusterScoped: false,
    source:
      "@pulumi/eks 4.3.0 cluster: an aws.eks.Cluster underneath (terraform-provider-aws internal/service/eks/cluster.go: name and vpc_config.subnet_ids ForceNew)",
  },
};

/** Types whose resources only read (`.get`) or only group: never created, replaced or deleted. */
export const PASSIVE_TYPE = /^(eks-platform:|pulumi:pulumi:Stack$)/;

// ---- charts (charts.ts) and interpreters ---------------------------------------------------------------------

export {
  CHARTS,
  chartFullname,
  effectiveValues,
  mergeValues,
  ownedObjects,
  valueAt,
  type ChartRule,
  type OwnedName,
  type OwnedObject,
} from "./charts";

/** The replace-on paths of a rule, given the inputs of the resource's provider (if it has an explicit one). */
export function replaceOn(rule: TypeRule, providerInputs?: Record<string, unknown>): string[] {
  const m = rule.mutableWith;
  const mutable = m !== undefined && [true, "true"].includes(providerInputs?.[m.providerInput] as string);
  return rule.replaceOn.filter((p) => !(mutable && m.paths.includes(p)));
}

/** The replace-on paths whose values differ between two input sets. */
export function replacingPaths(paths: readonly string[], before: unknown, after: unknown): string[] {
  return paths.filter(
    (p) => JSON.stringify(valueAt(before, p) ?? null) !== JSON.stringify(valueAt(after, p) ?? null),
  );
}
