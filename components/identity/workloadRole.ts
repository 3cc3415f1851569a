/**
 * The IAM role of one workload (one Kubernetes service account): the role, its managed policy and attachment,
 * and how pods get it: `irsa` (OIDC trust on the service account; the service account is annotated) or
 * `pod-identity` (trust on EKS Pod Identity plus an association for the service account).
 */
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadRoleSpec } from "../../model/config";
import { policyDocument, type PolicyDocument } from "../../model/iam";
import { IAM_ROLE_NAME_MAX, IRSA_ANNOTATION } from "../../model/naming";
import { irsaTrustPolicy, podIdentityTrustPolicy } from "./policies";

/** Pod-template annotations that name the role and binding, so pods roll when either changes. */
export const POD_ROLE_ANNOTATION = "eks-platform.io/workload-role";
export const POD_BINDING_ANNOTATION = "eks-platform.io/workload-binding";

export interface WorkloadRoleArgs {
  /** The role: name, service account, policy and binding, from the resolved config. */
  spec: WorkloadRoleSpec;
  /** ARN of the cluster's IAM OIDC provider. Required for `irsa`, and with `keepIrsaTrust`. */
  oidcProviderArn?: pulumi.Input<string>;
  /** The cluster's name: the Pod Identity association's and the trust's scope. */
  clusterName: pulumi.Input<string>;
  /**
   * With `pod-identity`, also keep the IRSA trust for the same service account, so pods started before a move
   * from IRSA keep working until they are replaced. Default: false.
   */
  keepIrsaTrust?: boolean;
  /** Resources pods need before they can use a Pod Identity role (the agent add-on). Default: none. */
  podIdentityPrerequisites?: pulumi.Resource[];
  /** Permissions boundary policy ARN. Default: none. */
  permissionsBoundaryArn?: string;
  /** Tags for the role and policy. */
  tags: Readonly<Record<string, string>>;
  /** Protect the role from deletion (prod). */
  protect: boolean;
}

/** The role's trust: the binding's statement, and the IRSA one as well while a move from IRSA is under way. */
export function trustPolicy(
  spec: Pick<WorkloadRoleSpec, "binding" | "namespace" | "serviceAccount">,
  clusterName: string,
  oidcProviderArn: string | undefined,
  keepIrsaTrust: boolean,
): PolicyDocument {
  const irsa = () => {
    if (oidcProviderArn === undefined) {
      throw new Error(
        `an IRSA trust for ${spec.namespace}/${spec.serviceAccount} needs the OIDC provider ARN`,
      );
    }
    return irsaTrustPolicy(oidcProviderArn, spec.namespace, spec.serviceAccount).Statement;
  };
  if (spec.binding === "irsa") {
    return policyDocument(irsa());
  }
  return policyDocument([
    ...podIdentityTrustPolicy(clusterName, spec.namespace, spec.serviceAccount).Statement,
    ...(keepIrsaTrust ? irsa() : []),
  ]);
}

export class WorkloadRole extends pulumi.ComponentResource {
  /**
   * ARN of the role. It resolves only once the policy is attached (and, for Pod Identity, the association and
   * the agent exist), so nothing that hands the role to a pod can start before the role can do its work.
   */
  readonly roleArn: pulumi.Output<string>;
  /** Name of the role: `<environment>-<key>-<namespace>`. */
  readonly roleName: pulumi.Output<string>;
  /** The one service account the role is for. */
  readonly serviceAccountName: string;
  /** Annotations the service account needs: `eks.amazonaws.com/role-arn` for IRSA, none for Pod Identity. */
  readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Pod-template annotations that change with the role and binding (see POD_ROLE_ANNOTATION). */
  readonly podAnnotations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: WorkloadRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    // The component was `eks-platform:iam:IrsaRole`; the alias keeps its children's URNs, so stacks deployed
    // before the rename update their roles in place instead of replacing them.
    super(
      "eks-platform:identity:WorkloadRole",
      name,
      {},
      {
        ...opts,
        aliases: [...(opts?.aliases ?? []), { type: "eks-platform:iam:IrsaRole" }],
      },
    );
    const { spec } = args;
    const roleName = spec.roleName;
    // Config validation reports these first, with the key to change; this guards direct use of the component.
    if (roleName.length > IAM_ROLE_NAME_MAX) {
      throw new Error(
        `IAM role name "${roleName}" has ${roleName.length} characters; IAM allows ${IAM_ROLE_NAME_MAX}`,
      );
    }
    if (spec.policy.Statement.length === 0) {
      throw new Error(`IAM role "${roleName}" has no policy statements`);
    }
    const keepIrsaTrust = args.keepIrsaTrust ?? false;
    const role = new iam.Role(
      roleName,
      {
        name: roleName,
        description: spec.description,
        assumeRolePolicy: pulumi
          .all([args.clusterName, args.oidcProviderArn])
          .apply(([cluster, oidc]) => JSON.stringify(trustPolicy(spec, cluster, oidc, keepIrsaTrust))),
        permissionsBoundary: args.permissionsBoundaryArn,
        tags: { ...args.tags },
      },
      { parent: this, protect: args.protect },
    );
    const policy = new iam.Policy(
      roleName,
      {
        name: roleName,
        description: `Permissions of ${roleName}`,
        policy: JSON.stringify(spec.policy),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const attachment = new iam.RolePolicyAttachment(
      roleName,
      { role: role.name, policyArn: policy.arn },
      { parent: this },
    );
    const ready: pulumi.Input<unknown>[] = [attachment.id];
    if (spec.binding === "pod-identity") {
      const association = new eks.PodIdentityAssociation(
        roleName,
        {
          clusterName: args.clusterName,
          namespace: spec.namespace,
          serviceAccount: spec.serviceAccount,
          roleArn: role.arn,
          tags: { ...args.tags },
        },
        { parent: this, dependsOn: args.podIdentityPrerequisites ?? [] },
      );
      ready.push(association.associationId);
      ready.push(...(args.podIdentityPrerequisites ?? []).map((r) => r.urn));
    }
    // pulumi-eks' ServiceRole.resolvedRole does the same: the ARN carries the dependencies of its readiness.
    this.roleArn = pulumi.all([role.arn, ...ready]).apply(([arn]) => arn);
    this.roleName = role.name;
    this.serviceAccountName = spec.serviceAccount;
    this.serviceAccountAnnotations = this.roleArn.apply((arn): Record<string, string> =>
      spec.binding === "irsa" ? { [IRSA_ANNOTATION]: arn } : {},
    );
    this.podAnnotations = this.roleArn.apply((arn): Record<string, string> => ({
      [POD_ROLE_ANNOTATION]: arn,
      [POD_BINDING_ANNOTATION]: spec.binding,
    }));
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      serviceAccountAnnotations: this.serviceAccountAnnotations,
      podAnnotations: this.podAnnotations,
    });
  }
}
