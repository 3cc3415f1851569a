/**
 * What the program checks about an existing cluster's IAM OIDC provider, and what it tells the operator when the
 * check fails. Pure.
 *
 * An IRSA role's trust names the provider as its `Federated` principal; without the provider in the account that
 * holds the roles, IAM refuses the trust at CreateRole (or pods fail at AssumeRoleWithWebIdentity). "To use IAM
 * roles for service accounts, an IAM OIDC provider must exist for your cluster's OIDC issuer URL" (EKS user
 * guide, "Create an IAM OIDC provider for your cluster",
 * https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html).
 */
import { STS_AUDIENCE } from "../identity/policies";

export interface OidcProviderFacts {
  /** The cluster's name. */
  clusterName: string;
  /** The cluster's region. */
  region: string;
  /** The cluster's issuer URL, `https://oidc.eks.<region>.<suffix>/id/<id>`. */
  issuerUrl: string;
}

/** The ways to get the provider, in the words of the stack file and the AWS tools. */
function remedies(facts: OidcProviderFacts, project: string): string {
  return [
    `create it once with \`eksctl utils associate-iam-oidc-provider --cluster ${facts.clusterName} --region ${facts.region} --approve\``,
    `or \`aws iam create-open-id-connect-provider --url ${facts.issuerUrl} --client-id-list ${STS_AUDIENCE}\``,
    `or set ${project}:cluster.createOidcProvider: true so that this stack creates it`,
    `or name an existing one in ${project}:cluster.oidcProviderArn`,
  ].join(", ");
}

/** The error when the account that holds the roles has no IAM OIDC provider for the cluster's issuer. */
export function missingOidcProviderMessage(facts: OidcProviderFacts, project: string, cause: string): string {
  return (
    `cluster ${facts.clusterName}: this account has no IAM OIDC provider for the cluster's issuer ` +
    `${facts.issuerUrl}, which the IRSA roles of this stack trust (${cause}). To fix it, ${remedies(facts, project)}. ` +
    `Roles that all use ${project}:iam.binding: pod-identity need no provider.`
  );
}

/**
 * The provider exists but does not accept the audience the EKS pod identity webhook requests for IRSA tokens:
 * AssumeRoleWithWebIdentity would refuse every token. Undefined when the audience is there.
 */
export function oidcProviderAudienceProblem(
  facts: OidcProviderFacts,
  providerArn: string,
  clientIds: readonly string[],
): string | undefined {
  if (clientIds.includes(STS_AUDIENCE)) {
    return undefined;
  }
  return (
    `cluster ${facts.clusterName}: the IAM OIDC provider ${providerArn} does not list the audience ` +
    `${STS_AUDIENCE} (it lists ${clientIds.join(", ") || "none"}), which IRSA tokens carry. Add it with ` +
    `\`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${providerArn} --client-id ${STS_AUDIENCE}\`.`
  );
}
