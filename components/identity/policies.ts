/**
 * Trust policies of the workload roles, one per binding, and the policy of a team's role. Pure.
 */
import type { PolicyStatement } from "../../model/config";
import { policyDocument, type PolicyDocument } from "../../model/iam";
import { oidcIssuerHostPath, serviceAccountSubject } from "../../model/naming";

/**
 * The audience EKS's pod identity webhook requests for IRSA tokens (amazon-eks-pod-identity-webhook's default
 * `--token-audience`), the same in every partition.
 */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** The service principal of EKS Pod Identity (EKS user guide, "Create an IAM role ... for EKS Pod Identity"). */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * IRSA: only the one service account, only with the STS audience. Both conditions are `StringEquals`: a
 * `StringLike` on `sub` with a wildcard would let any service account in the cluster in.
 * Source: EKS user guide, "Assign IAM roles to Kubernetes service accounts" (trust policy example).
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  const issuer = oidcIssuerHostPath(oidcProviderArn);
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Federated: oidcProviderArn },
      Action: ["sts:AssumeRoleWithWebIdentity"],
      Condition: {
        StringEquals: {
          [`${issuer}:sub`]: serviceAccountSubject(namespace, serviceAccount),
          [`${issuer}:aud`]: STS_AUDIENCE,
        },
      },
    },
  ]);
}

/**
 * EKS Pod Identity: the service principal with `sts:AssumeRole` and `sts:TagSession` (the agent tags every
 * session). The association binds the role to one cluster, namespace and service account; the conditions on the
 * session tags EKS sets make the trust itself say the same, so no other association can use the role.
 * Source: EKS user guide, "Create an IAM role and associate it with a Kubernetes service account" and
 * "Grant pods access to AWS resources based on tags" (session tags `eks-cluster-name`, `kubernetes-namespace`,
 * `kubernetes-service-account`).
 */
export function podIdentityTrustPolicy(
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: POD_IDENTITY_PRINCIPAL },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        StringEquals: {
          "aws:RequestTag/eks-cluster-name": clusterName,
          "aws:RequestTag/kubernetes-namespace": namespace,
          "aws:RequestTag/kubernetes-service-account": serviceAccount,
        },
      },
    },
  ]);
}

/** A team's role, from its statements in stack config (validated there). */
export function extraRolePolicy(statements: readonly PolicyStatement[]): PolicyDocument {
  return policyDocument(
    statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect,
      Action: [...s.actions],
      Resource: [...s.resources],
      ...(s.conditions
        ? {
            Condition: Object.fromEntries(
              Object.entries(s.conditions).map(([op, kv]) => [
                op,
                Object.fromEntries(
                  Object.entries(kv).map(([k, v]) => [k, typeof v === "string" ? v : [...v]]),
                ),
              ]),
            ),
          }
        : {}),
    })),
  );
}
