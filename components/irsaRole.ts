/**
 * An IAM role for one Kubernetes service account (IRSA): the role, its managed policy and the attachment.
 * Name `<environment>-<key>-<namespace>`; trust limited to that one service account and the STS audience.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, type PolicyDocument } from "./iamPolicies";
import { IAM_ROLE_NAME_MAX, IRSA_ANNOTATION, irsaRoleName } from "./naming";

export interface IrsaRoleArgs {
  /** Environment name, the first part of the role name. */
  environment: string;
  /** Role key (`cert-manager`, `external-dns-private`, a team's key), the middle part of the role name. */
  key: string;
  /** Namespace of the service account, the last part of the role name. */
  namespace: string;
  /** The one service account allowed to assume the role. */
  serviceAccount: string;
  /** Role description (IAM: at most 1000 characters). */
  description: string;
  /** ARN of the cluster's IAM OIDC provider. */
  oidcProviderArn: pulumi.Input<string>;
  /** Permissions, as a document built by iamPolicies.ts. Must have at least one statement. */
  policy: PolicyDocument;
  /** Permissions boundary policy ARN. Default: none. */
  permissionsBoundaryArn?: string;
  /** Tags for the role and policy. */
  tags: Record<string, string>;
  /** Protect the role from deletion (prod). */
  protect: boolean;
}

export class IrsaRole extends pulumi.ComponentResource {
  /** ARN of the role. */
  readonly roleArn: pulumi.Output<string>;
  /** Name of the role: `<environment>-<key>-<namespace>`. */
  readonly roleName: pulumi.Output<string>;
  /** The annotation the service account needs: `eks.amazonaws.com/role-arn`. */
  readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:iam:IrsaRole", name, {}, opts);
    const roleName = irsaRoleName(args.environment, args.key, args.namespace);
    // Config validation reports this first, with the key to change; this guards direct use of the component.
    if (roleName.length > IAM_ROLE_NAME_MAX) {
      throw new Error(
        `IAM role name "${roleName}" has ${roleName.length} characters; IAM allows ${IAM_ROLE_NAME_MAX}`,
      );
    }
    if (args.policy.Statement.length === 0) {
      throw new Error(`IAM role "${roleName}" has no policy statements`);
    }
    const role = new aws.iam.Role(
      roleName,
      {
        name: roleName,
        description: args.description,
        assumeRolePolicy: pulumi
          .output(args.oidcProviderArn)
          .apply((arn) => JSON.stringify(irsaTrustPolicy(arn, args.namespace, args.serviceAccount))),
        permissionsBoundary: args.permissionsBoundaryArn,
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );
    const policy = new aws.iam.Policy(
      roleName,
      {
        name: roleName,
        description: `Permissions of ${roleName}`,
        policy: JSON.stringify(args.policy),
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(roleName, { role: role.name, policyArn: policy.arn }, { parent: this });
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.serviceAccountAnnotations = role.arn.apply((arn): Record<string, string> => ({
      [IRSA_ANNOTATION]: arn,
    }));
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      serviceAccountAnnotations: this.serviceAccountAnnotations,
    });
  }
}
