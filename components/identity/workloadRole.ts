/**
 * The IAM role of one workload (one Kubernetes service account): the role, its managed policy and attachment,
 * and how pods get it: `irsa` (OIDC trust on the service account; the service account is annotated) or
 * `pod-identity` (trust on EKS Pod Identity plus an association for the service account).
 */
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadRoleSpec } from "../../model/config";
import type { Binding } from "../../model/enums";
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
  /**
   * With `irsa`, also keep the Pod Identity trust, so pods started while the old association still exists keep
   * working until they are replaced (the first step of a move back). Default: false.
   */
  keepPodIdentityTrust?: boolean;
  /**
   * Resources a Pod Identity association waits for: the cluster when the stack creates it, and the agent add-on.
   * Default: none.
   */
  podIdentityPrerequisites?: pulumi.Resource[];
  /** Permissions boundary policy ARN. Default: none. */
  permissionsBoundaryArn?: string;
  /** Tags for the role and policy. */
  tags: Readonly<Record<string, string>>;
  /** Protect the role from deletion (prod). */
  protect: boolean;
}

/**
 * How pods of a role may get their credentials: the binding's way first, and during a move the other way too
 * (`keepIrsaTrust` on a `pod-identity` role, `keepPodIdentityTrust` on an `irsa` role). The trust allows each,
 * the service account carries the IRSA annotation whenever `irsa` is among them, and the pod template names them.
 */
export function credentialWays(
  binding: Binding,
  keepIrsaTrust: boolean,
  keepPodIdentityTrust = false,
): Binding[] {
  return binding === "pod-identity"
    ? ["pod-identity", ...(keepIrsaTrust ? (["irsa"] as const) : [])]
    : ["irsa", ...(keepPodIdentityTrust ? (["pod-identity"] as const) : [])];
}

/** The role's trust: a statement for each way pods may get the role (credentialWays). */
export function trustPolicy(
  spec: Pick<WorkloadRoleSpec, "binding" | "namespace" | "serviceAccount">,
  clusterName: string,
  oidcProviderArn: string | undefined,
  keepIrsaTrust: boolean,
  keepPodIdentityTrust = false,
): PolicyDocument {
  const irsa = () => {
    if (oidcProviderArn === undefined) {
      throw new Error(
        `an IRSA trust for ${spec.namespace}/${spec.serviceAccount} needs the OIDC provider ARN`,
      );
    }
    return irsaTrustPolicy(oidcProviderArn, spec.namespace, spec.serviceAccount).Statement;
  };
  const podIdentity = () =>
    podIdentityTrustPolicy(clusterName, spec.namespace, spec.serviceAccount).Statement;
  return policyDocument(
    credentialWays(spec.binding, keepIrsaTrust, keepPodIdentityTrust).flatMap((way) =>
      way === "irsa" ? irsa() : podIdentity(),
    ),
  );
}

/**
 * The Pulumi name of a role's association: its namespace and service account, which EKS allows one association
 * for (CreatePodIdentityAssociation: `ResourceInUseException`). A rename of the environment or of the role's key
 * renames the role, not the association: the association is updated in place to the new role (role_arn updates
 * in place: terraform-provider-aws internal/service/eks/pod_identity_association.go) instead of a second one
 * being created for the same service account before the old one is deleted.
 */
export function associationName(spec: Pick<WorkloadRoleSpec, "namespace" | "serviceAccount">): string {
  return `${spec.namespace}/${spec.serviceAccount}`;
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
    const keepPodIdentityTrust = args.keepPodIdentityTrust ?? false;
    const ways = credentialWays(spec.binding, keepIrsaTrust, keepPodIdentityTrust);
    const role = new iam.Role(
      roleName,
      {
        name: roleName,
        description: spec.description,
        assumeRolePolicy: pulumi
          .all([args.clusterName, args.oidcProviderArn])
          .apply(([cluster, oidc]) =>
            JSON.stringify(trustPolicy(spec, cluster, oidc, keepIrsaTrust, keepPodIdentityTrust)),
          ),
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
        associationName(spec),
        {
          clusterName: args.clusterName,
          namespace: spec.namespace,
          serviceAccount: spec.serviceAccount,
          roleArn: role.arn,
          tags: { ...args.tags },
        },
        {
          parent: this,
          // Pods get the role's credentials as soon as the association exists: not before its policy is attached.
          dependsOn: [attachment, ...(args.podIdentityPrerequisites ?? [])],
          // Stacks deployed before associations were named by service account keep theirs (same role name).
          aliases: [{ name: roleName }],
        },
      );
      ready.push(association.associationId);
      ready.push(...(args.podIdentityPrerequisites ?? []).map((r) => r.urn));
    }
    // pulumi-eks' ServiceRole.resolvedRole does the same: the ARN carries the dependencies of its readiness.
    this.roleArn = pulumi.all([role.arn, ...ready]).apply(([arn]) => arn);
    this.roleName = role.name;
    this.serviceAccountName = spec.serviceAccount;
    // While a move keeps the IRSA trust, the service account keeps its annotation too: a pod started before the
    // new association takes effect (associations are eventually consistent: CreatePodIdentityAssociation API
    // reference) then still gets IRSA credentials its role accepts. Once the association is in effect EKS's
    // webhook injects only the Pod Identity variables whatever the annotation says ("Container credentials
    // method takes precedence": aws/amazon-eks-pod-identity-webhook v0.6.17 pkg/handler/handler.go).
    this.serviceAccountAnnotations = this.roleArn.apply((arn): Record<string, string> =>
      ways.includes("irsa") ? { [IRSA_ANNOTATION]: arn } : {},
    );
    this.podAnnotations = this.roleArn.apply((arn): Record<string, string> => ({
      [POD_ROLE_ANNOTATION]: arn,
      [POD_BINDING_ANNOTATION]: ways.join("+"),
    }));
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      serviceAccountAnnotations: this.serviceAccountAnnotations,
      podAnnotations: this.podAnnotations,
    });
  }
}
