/**
 * Remote components in the offline plan. A remote component (a multi-language component such as `eks.Cluster` or
 * `kubernetes:yaml/v2:ConfigFile`) is built by its provider plugin, not by the program: under mocks it registers
 * with its inputs and no children, so the plan would show it as one childless line. Here each one says where its
 * resources come from, and for `eks.Cluster` what it is expected to create, read from the pinned package's source
 * for the arguments this program passes; it is an expectation, not part of the plan (nor of its counts).
 */
import type { Capture, CapturedResource } from "../offline/harness";

/**
 * What `eks.Cluster` of @pulumi/eks 4.3.0 creates with the arguments components/cluster/clusterAccess.ts passes
 * (a default node group, no Fargate, no auto mode, its own roles and security groups), read in
 * pulumi/pulumi-eks v4.3.0: nodejs/eks/cluster/cluster.ts (createCore: the service role, the cluster security
 * group and its egress rule, the aws.eks.Cluster, the kube-proxy, vpc-cni and coredns add-ons, the Kubernetes
 * provider, the instance role and profile, the aws-auth ConfigMap unless `authenticationMode` is API, an access
 * entry for the node role when it allows access entries, the OIDC provider with `createOidcProvider`; and the
 * default node group), nodejs/eks/cluster/authenticationMode.ts (createAccessEntries: one AccessEntry per entry and
 * one AccessPolicyAssociation per access policy; CONFIG_MAP when no mode is given), nodejs/eks/servicerole.ts (a
 * Role and one attachment per managed policy), nodejs/eks/nodes/securitygroup.ts (the node security group and five
 * rules), nodejs/eks/nodes/nodegroup.ts createNodeGroupV2 (a LaunchTemplate and an Auto Scaling Group; no key pair
 * without a public key) and nodejs/eks/addons/cni-addon.ts (one add-on; no DaemonSetPatch without
 * `securityContextPrivileged`).
 */
export function eksClusterExpected(name: string, inputs: Record<string, unknown>): string[] {
  const mode = typeof inputs.authenticationMode === "string" ? inputs.authenticationMode : "CONFIG_MAP";
  const entries = Object.entries((inputs.accessEntries ?? {}) as Record<string, { accessPolicies?: object }>);
  const policies = entries.reduce((n, [, e]) => n + Object.keys(e.accessPolicies ?? {}).length, 0);
  const auth = [
    ...(mode === "API" ? [] : [`ConfigMap aws-auth (${name}-nodeAccess)`]),
    ...(mode === "API" || mode === "API_AND_CONFIG_MAP"
      ? [
          `AccessEntry ${name}-defaultNodeGroupInstanceRole (the nodes' role)`,
          ...entries.map(([key]) => `AccessEntry ${name}-${key}`),
          ...(policies ? [`${policies} AccessPolicyAssociation${policies === 1 ? "" : "s"}`] : []),
        ]
      : []),
  ];
  return [
    `ServiceRole ${name}-eksRole: Role + 1 RolePolicyAttachment (AmazonEKSClusterPolicy)`,
    `ServiceRole ${name}-instanceRole: Role + 3 RolePolicyAttachments (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryReadOnly); InstanceProfile ${name}-instanceProfile`,
    `SecurityGroup ${name}-eksClusterSecurityGroup + 1 SecurityGroupRule; SecurityGroup ${name}-nodeSecurityGroup + 5 SecurityGroupRules`,
    `Cluster ${name}-eksCluster (aws.eks.Cluster, authentication mode ${mode}); Addons kube-proxy, vpc-cni, coredns`,
    `cluster access: ${auth.join("; ")}`,
    ...(inputs.createOidcProvider === true ? [`OpenIdConnectProvider ${name}-oidcProvider`] : []),
    `kubernetes provider ${name}-eks-k8s; default node group: LaunchTemplate ${name}-launchTemplate, Auto Scaling Group`,
  ];
}

/** The `eks.Cluster` arguments that would change what it creates beyond what eksClusterExpected follows. */
const EKS_ARGS_ASSUMED_UNSET = [
  "skipDefaultNodeGroup",
  "fargate",
  "autoMode",
  "serviceRole",
  "instanceRole",
  "instanceRoles",
  "skipDefaultSecurityGroups",
  "useDefaultVpcCni",
];

function describe(r: CapturedResource): string[] {
  switch (r.type) {
    case "eks:index:Cluster": {
      const head = `  Cluster ${r.name} [remote component eks:index:Cluster]: its provider plugin creates the cluster at deploy time, so nothing of it is registered offline.`;
      const changed = EKS_ARGS_ASSUMED_UNSET.filter((k) => r.inputs[k] !== undefined);
      if (changed.length) {
        return [head, `    Not listed: it is given ${changed.join(", ")}, which change what it creates.`];
      }
      return [
        head,
        "    Expected (@pulumi/eks 4.3.0's source, for the arguments this program passes; not counted above):",
        ...eksClusterExpected(r.name, r.inputs).map((line) => `      ${line}`),
      ];
    }
    default:
      return [
        `  ${r.type} ${r.name} [component with nothing registered under it]: its resources, if any, are created by its provider at deploy time.`,
      ];
  }
}

/** One entry per component that registered nothing under it (a remote component), saying what it stands for. */
export function remoteComponents(capture: Capture): string[] {
  const parents = new Set(capture.resources.map((r) => r.parent));
  return capture.resources.filter((r) => !r.custom && !parents.has(r.id)).flatMap(describe);
}
