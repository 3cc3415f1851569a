/**
 * The stack configuration schema: every key a `Pulumi.<stack>.yaml` may set under the `eks-platform:` namespace.
 *
 * Each top-level key is its own schema so that a malformed section does not hide problems in the others (see
 * `config.ts`, which parses them one by one and then runs the cross-key checks). Descriptions here are the
 * configuration reference: `npm run docs:config` renders them into the README and a test fails if they drift.
 */
import { z } from "zod";

export const PROJECT = "eks-platform";

// ---- formats -------------------------------------------------------------------------------------------------

const partition = "aws(?:-cn|-us-gov)?";

/** A fully qualified, lower-case DNS name without a trailing dot. */
export const domainName = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a lower-case DNS name such as dev.example.com, without a trailing dot",
  );

/** A Route53 hosted zone ID as the API returns it (no `/hostedzone/` prefix). */
export const zoneId = z
  .string()
  .regex(
    /^Z[0-9A-Z]{4,31}$/,
    "a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ (no /hostedzone/ prefix)",
  );

export const roleArn = z
  .string()
  .regex(
    new RegExp(`^arn:${partition}:iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`),
    "an IAM role ARN such as arn:aws:iam::123456789012:role/name",
  );

export const policyArn = z
  .string()
  .regex(
    new RegExp(`^arn:${partition}:iam::(?:\\d{12}|aws):policy/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,128}$`),
    "an IAM managed policy ARN such as arn:aws:iam::123456789012:policy/boundary",
  );

export const oidcProviderArn = z
  .string()
  .regex(
    new RegExp(
      `^arn:${partition}:iam::\\d{12}:oidc-provider/oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(?:\\.cn)?/id/[A-Za-z0-9]{8,64}$`,
    ),
    "an EKS IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
  );

export const ecrRepositoryArn = z
  .string()
  .regex(
    new RegExp(
      `^arn:${partition}:ecr:[a-z]{2}(?:-gov)?-[a-z]+-\\d:\\d{12}:repository/[a-z0-9][a-z0-9._/-]*?(?:/\\*)?$`,
    ),
    "an ECR repository ARN such as arn:aws:ecr:eu-west-1:123456789012:repository/team/app (a trailing /* may select a path prefix; no other wildcard)",
  );

export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");

/** Kubernetes object names that are also DNS labels (namespaces, service accounts, IngressClasses). */
export const k8sName = z
  .string()
  .max(63, "at most 63 characters (a Kubernetes DNS label)")
  .regex(/^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/, "a Kubernetes DNS label: lower-case letters, digits and '-'");

export const eksClusterName = z
  .string()
  .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "an EKS cluster name: 1-100 letters, digits, '-' or '_'");

const environmentName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,15}$/,
    "1-16 characters: a lower-case letter, then lower-case letters, digits or '-' (it prefixes every IAM role name)",
  );

const tags = z.record(
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^(?!aws:)/, "tag keys may not start with aws:"),
  z.string().max(256),
);

// ---- sections ------------------------------------------------------------------------------------------------

export const tierSchema = z
  .enum(["dev", "prod"])
  .describe(
    "Which defaults the stack gets: `dev` (one replica, Let's Encrypt staging, external-dns `sync`, nothing protected) or `prod` (highly available, Let's Encrypt prod, `upsert-only`, IAM roles protected). Required.",
  );

export const environmentSchema = environmentName.describe(
  "Environment name used in every resource name (`<environment>-<key>-<namespace>` for IAM roles). Default: the stack name.",
);

export const namespaceSchema = k8sName.describe(
  "The one platform namespace for the ingress controllers, external-dns and cert-manager, and the default namespace of their service accounts. Default: `platform`.",
);

export const tagsSchema = tags.describe(
  "Tags added to every AWS resource this program creates. Default: none.",
);

export const protectSchema = z
  .boolean()
  .describe(
    "Protect IAM roles, the OIDC provider (when created here) and the internal CA key from deletion. Default: dev false, prod true.",
  );

const existingCluster = z.strictObject({
  mode: z.literal("existing"),
  name: eksClusterName.describe("Name of the existing EKS cluster."),
  oidcProviderArn: oidcProviderArn
    .optional()
    .describe(
      "ARN of the cluster's IAM OIDC provider. Default: looked up by the cluster's issuer URL (or created, see createOidcProvider).",
    ),
  createOidcProvider: z
    .boolean()
    .optional()
    .describe(
      "Create the IAM OIDC provider for the cluster's issuer. Default: false (it must already exist).",
    ),
});

const newCluster = z.strictObject({
  mode: z.literal("new"),
  name: eksClusterName.describe("Name of the EKS cluster to create."),
  version: z
    .string()
    .regex(/^1\.\d{2}$/, "a Kubernetes minor version such as 1.34")
    .optional()
    .describe("Kubernetes version. Default: EKS's current default."),
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, "a VPC ID such as vpc-0123456789abcdef0")
    .optional()
    .describe("VPC for the cluster. Default: the account's default VPC."),
  subnetIds: z
    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "a subnet ID such as subnet-0123456789abcdef0"))
    .min(2, "at least two subnets in different availability zones")
    .optional()
    .describe("Subnets for the control plane and nodes. Default: the VPC's subnets."),
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.medium")
    .optional()
    .describe("Node instance type. Default: dev t3.medium, prod m6i.large."),
  nodes: z
    .strictObject({
      min: z.int().min(1).max(100).describe("Fewest nodes."),
      desired: z.int().min(1).max(100).describe("Nodes to start with."),
      max: z.int().min(1).max(100).describe("Most nodes."),
    })
    .optional()
    .describe("Node group size. Default: dev 1/2/3, prod 3/3/6 (min/desired/max)."),
});

export const clusterSchema = z
  .discriminatedUnion("mode", [existingCluster, newCluster])
  .describe(
    "How the program reaches its cluster. `mode: existing` (the usual case: the cluster belongs to another stack) or `mode: new` (a self-contained environment with @pulumi/eks). Required.",
  );

const zone = z.strictObject({
  name: domainName.describe("The zone's domain name."),
  zoneId: zoneId.describe("The zone's Route53 hosted zone ID."),
});

export const dnsSchema = z
  .strictObject({
    privateZones: z
      .array(zone)
      .optional()
      .describe("Private Route53 zones of this account, managed by external-dns `private`. Default: none."),
    publicZones: z
      .array(zone)
      .optional()
      .describe(
        "Public Route53 zones, managed by external-dns `central` and used for DNS-01. Default: none.",
      ),
    centralDnsAccount: z
      .strictObject({
        externalDnsRoleArn: roleArn.describe(
          "Role in the DNS account that external-dns `central` assumes (`--aws-assume-role`). It must trust this stack's external-dns-central role.",
        ),
        externalId: z
          .string()
          .regex(/^[\w+=,.@:/-]{2,1224}$/, "2-1224 characters of letters, digits and +=,.@:/-")
          .optional()
          .describe("External ID external-dns passes when assuming its role. Default: none."),
        certManagerRoleArn: roleArn
          .optional()
          .describe(
            "Role in the DNS account that cert-manager's DNS-01 solvers assume. It must trust this stack's cert-manager role and cannot require an external ID (the solver cannot send one). Default: externalDnsRoleArn when no externalId is set.",
          ),
      })
      .optional()
      .describe(
        "Set when the public zones live in a central DNS account: the workloads then get only `sts:AssumeRole` on these roles and no Route53 rights of their own. Default: the public zones are in this account.",
      ),
  })
  .describe("Route53 zones. At least one zone is required.");

const ingressInstance = z.strictObject({
  className: k8sName.describe("IngressClass name this controller creates and serves. Required."),
  scheme: z
    .enum(["internet-facing", "internal"])
    .describe("NLB scheme. Set explicitly because the AWS default is `internal`. Required."),
  default: z
    .boolean()
    .optional()
    .describe("Make this the cluster's default IngressClass. At most one instance. Default: false."),
  sourceRanges: z
    .array(z.cidrv4("an IPv4 CIDR such as 203.0.113.0/24"))
    .optional()
    .describe("CIDRs allowed to reach the load balancer. Default: anywhere (internal: the VPC)."),
  replicas: z
    .int()
    .min(1)
    .max(20)
    .optional()
    .describe("Controller replicas. Default: dev 1, prod 2 (prod requires at least 2)."),
  enableCustomResources: z
    .boolean()
    .optional()
    .describe(
      "Install and watch the controller's own CRDs (VirtualServer, Policy, ...). Helm installs CRDs but never upgrades them. Default: false (plain Ingress only).",
    ),
});

export const ingressSchema = z
  .strictObject({
    loadBalancer: z
      .enum(["aws-load-balancer-controller", "in-tree"])
      .optional()
      .describe(
        "Which Service annotations provision the NLB: the AWS Load Balancer Controller's (`external`, IP targets) or the legacy in-tree cloud provider's (`nlb`). Default: aws-load-balancer-controller.",
      ),
    instances: z
      .record(k8sName, ingressInstance)
      .optional()
      .describe(
        "Controller instances by key; each is its own Helm release `ingress-<key>`. Default: `public` (nginx-public, internet-facing, default class) and `internal` (nginx-internal, internal).",
      ),
  })
  .describe("The F5 NGINX Ingress Controller instances. Default: see `instances`.");

const externalDnsInstance = z.strictObject({
  ownerId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, "1-63 characters of lower-case letters, digits, '.' or '-'")
    .optional()
    .describe("`txtOwnerId` of this instance. Default: `<environment>-<cluster>-<instance>`."),
  zoneIds: z
    .array(zoneId)
    .optional()
    .describe(
      "Zones this instance may write (`--zone-id-filter`). Default: every zone of its kind in `dns`.",
    ),
  domainFilters: z
    .array(domainName)
    .optional()
    .describe("Domains this instance manages (`domainFilters`). Default: the names of its zones."),
  ingressClass: k8sName
    .optional()
    .describe(
      "IngressClass it watches. Default: private watches the internal instance's class, central the internet-facing one's.",
    ),
  policy: z
    .enum(["sync", "upsert-only"])
    .optional()
    .describe("Override the record policy for this instance. Default: externalDns.policy."),
});

export const externalDnsSchema = z
  .strictObject({
    policy: z
      .enum(["sync", "upsert-only"])
      .optional()
      .describe(
        "Record policy: `sync` also deletes records it owns, `upsert-only` never deletes. Default: dev sync, prod upsert-only.",
      ),
    txtPrefix: z
      .string()
      .regex(
        /^(?=.{1,40}$)[a-z0-9_-]*(?:%\{record_type\})?[a-z0-9_-]*[.-]?$/,
        "up to 40 lower-case letters, digits, '_' or '-', optionally with %{record_type}, ending in '.' or '-'",
      )
      .optional()
      .describe(
        "Prefix of the ownership TXT records, so they never clash with a CNAME of the same name. Keep `%{record_type}` and the final `.` if an instance manages apex names: without them the TXT record falls outside the zone. Default: `extdns-%{record_type}.`.",
      ),
    private: externalDnsInstance.optional().describe("The `private` instance (private zones)."),
    central: externalDnsInstance.optional().describe("The `central` instance (public zones)."),
  })
  .describe("The two external-dns instances. Default: both, derived from `dns` and `ingress`.");

export const certManagerSchema = z
  .strictObject({
    email: z
      .email("an e-mail address such as platform@example.com")
      .describe("ACME account e-mail (Let's Encrypt expiry notices). Required."),
    defaultIssuer: z
      .enum(["letsencrypt-staging", "letsencrypt-prod", "internal-ca"])
      .optional()
      .describe(
        "The ClusterIssuer exported as the environment's default. Default: dev letsencrypt-staging, prod letsencrypt-prod.",
      ),
    dns01Zones: z
      .array(domainName)
      .optional()
      .describe("Public zones (by name) that get a Route53 DNS-01 solver. Default: every public zone."),
    http01: z
      .boolean()
      .optional()
      .describe("Add an HTTP-01 solver for names no DNS-01 solver covers. Default: true."),
    http01IngressClass: k8sName
      .optional()
      .describe("IngressClass of the HTTP-01 solver. Default: the internet-facing ingress instance's class."),
    recursiveNameservers: z
      .array(
        z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}$/, "an IPv4 address and port such as 1.1.1.1:53"),
      )
      .optional()
      .describe(
        "Resolvers for the DNS-01 self-check. Needed when a private zone shadows a public one (split horizon). Default: 1.1.1.1:53 and 8.8.8.8:53 when a private zone contains or sits inside a DNS-01 zone, else the cluster's resolver.",
      ),
    internalCa: z
      .strictObject({
        commonName: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe("Subject CN. Default: `<environment> internal CA`."),
        organization: z.string().min(1).max(64).optional().describe("Subject O. Default: `eks-platform`."),
        validityHours: z
          .int()
          .min(24 * 30)
          .max(24 * 365 * 20)
          .optional()
          .describe(
            "Validity of the CA certificate in hours. Default: dev 8760 (1 year), prod 43800 (5 years).",
          ),
      })
      .optional()
      .describe("The internal CA behind the `internal-ca` ClusterIssuer. Default: see its keys."),
  })
  .describe("cert-manager and its ClusterIssuers. Required (for the ACME e-mail).");

const statement = z.strictObject({
  sid: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, "letters and digits only")
    .optional()
    .describe("Statement ID."),
  effect: z.enum(["Allow", "Deny"]).describe("Allow or Deny."),
  actions: z
    .array(
      z
        .string()
        .regex(
          /^[a-z0-9-]+:[A-Za-z0-9*]+$/,
          "an IAM action `service:Action` such as s3:GetObject (a partial wildcard like s3:Get* is allowed)",
        ),
    )
    .min(1, "at least one action")
    .describe("IAM actions; `*` alone and `service:*` are rejected."),
  resources: z
    .array(
      z
        .string()
        .regex(/^(?:arn:[^:\s]+:[^\s]*|\*)$/, "an ARN, or * (only for actions that cannot be scoped)"),
    )
    .min(1, "at least one resource")
    .describe("Resource ARNs."),
  conditions: z
    .record(
      z.string().regex(/^[A-Za-z:]+$/, "an IAM condition operator"),
      z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    )
    .optional()
    .describe("IAM condition block: operator -> key -> value(s)."),
});

const extraRole = z.strictObject({
  namespace: k8sName
    .optional()
    .describe("Namespace of the service account. Default: the platform namespace."),
  serviceAccount: k8sName.describe("Service account that may assume the role. Required."),
  description: z.string().min(1).max(1000).describe("Role description. Required."),
  statements: z.array(statement).min(1, "at least one statement").describe("Policy statements."),
});

export const iamSchema = z
  .strictObject({
    permissionsBoundaryArn: policyArn
      .optional()
      .describe("Permissions boundary for every role. Default: none."),
    extraRoles: z
      .record(k8sName, extraRole)
      .optional()
      .describe("Extra IRSA roles that teams declare, by key. Default: none."),
  })
  .describe("IAM settings for the IRSA roles.");

export const ecrSchema = z
  .strictObject({
    repositoryArns: z
      .array(ecrRepositoryArn)
      .min(1, "at least one repository")
      .describe("Repositories the ECR-credentials operator may pull from. Required when `ecr` is set."),
    namespace: k8sName
      .optional()
      .describe("Namespace of the operator's service account. Default: the platform namespace."),
    serviceAccount: k8sName.optional().describe("The operator's service account. Default: `ecr-operator`."),
  })
  .describe("The ECR-credentials operator's IRSA role. Default: no such role.");

/** Every top-level key, in the order the reference documents them. */
export const sections = {
  tier: tierSchema,
  environment: environmentSchema,
  namespace: namespaceSchema,
  protect: protectSchema,
  tags: tagsSchema,
  cluster: clusterSchema,
  dns: dnsSchema,
  ingress: ingressSchema,
  externalDns: externalDnsSchema,
  certManager: certManagerSchema,
  iam: iamSchema,
  ecr: ecrSchema,
} as const;

export type SectionKey = keyof typeof sections;
export const requiredSections: readonly SectionKey[] = ["tier", "cluster", "dns", "certManager"];

export type RawConfig = { [K in SectionKey]?: z.infer<(typeof sections)[K]> };
export type ClusterInput = z.infer<typeof clusterSchema>;
export type IngressInstanceInput = z.infer<typeof ingressInstance>;
export type ExternalDnsInstanceInput = z.infer<typeof externalDnsInstance>;
export type StatementInput = z.infer<typeof statement>;
export type ExtraRoleInput = z.infer<typeof extraRole>;
