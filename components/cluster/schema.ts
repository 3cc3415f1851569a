/**
 * The `cluster` section of a stack file: how the program reaches its cluster.
 */
import { z } from "zod";
import { EKS_ACCESS_POLICIES } from "../../model/enums";
import { eksClusterName, iamPrincipalArn, k8sName, oidcProviderArn } from "../../model/formats";

/** One principal's access to a cluster this stack creates (an EKS access entry). */
const accessEntry = z.strictObject({
  principalArn: iamPrincipalArn.describe(
    "IAM role or user that may reach the cluster's Kubernetes API. Not the identity that creates the cluster: EKS gives that one an entry itself. Required.",
  ),
  accessPolicy: z
    .enum(EKS_ACCESS_POLICIES)
    .optional()
    .describe(
      "EKS access policy to associate: AmazonEKSClusterAdminPolicy (deploys), AmazonEKSAdminViewPolicy (reads everything, Secrets and so Helm releases included: previews and drift checks), AmazonEKSViewPolicy, AmazonEKSEditPolicy, AmazonEKSAdminPolicy. Default: none (then kubernetesGroups is required).",
    ),
  namespaces: z
    .array(k8sName)
    .min(1)
    .optional()
    .describe("Scope the access policy to these namespaces. Default: the whole cluster."),
  kubernetesGroups: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe("Kubernetes groups for the principal, bound by your own RBAC objects. Default: none."),
});

const existingCluster = z.strictObject({
  mode: z.literal("existing"),
  name: eksClusterName.describe("Name of the existing EKS cluster."),
  oidcProviderArn: oidcProviderArn
    .optional()
    .describe(
      "ARN of the cluster's IAM OIDC provider (IRSA only). Default: looked up by the cluster's issuer URL in the account that holds the roles; when there is none the program stops and says how to create it (or set createOidcProvider).",
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
  createOidcProvider: z
    .boolean()
    .optional()
    .describe(
      "Create the cluster's IAM OIDC provider, which every IRSA role on the cluster needs (this stack's and any other's). Turning it off on a running cluster deletes the provider. Default: true; false is refused while a role here uses IRSA.",
    ),
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
  accessEntries: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "a key of lower-case letters, digits and '-' (at most 32)"),
      accessEntry,
    )
    .optional()
    .describe(
      "Who besides the identity that creates the cluster may reach its Kubernetes API (EKS access entries, authentication mode API_AND_CONFIG_MAP), by key: the CI roles that preview, deploy and check drift. See docs/deploy.md, Cluster access. Default: none.",
    ),
});

export const clusterSchema = z
  .discriminatedUnion("mode", [existingCluster, newCluster])
  .describe(
    "How the program reaches its cluster. `mode: existing` (the usual case: the cluster belongs to another stack) or `mode: new` (a self-contained environment with @pulumi/eks). Required.",
  );

export type ClusterInput = z.infer<typeof clusterSchema>;
