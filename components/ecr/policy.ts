/**
 * IAM policy of the ECR-credentials operator. Pure.
 *
 * Source: the Amazon ECR service authorization reference (`ecr:GetAuthorizationToken` has no resource type,
 * so `*`; the pull and list actions take repository ARNs) and the ECR user guide's "Private repository policy"
 * pull permissions.
 */
import type { EcrConfig } from "../../model/config";
import { policyDocument, type PolicyDocument } from "../../model/iam";

/** A registry token (cannot be scoped) and pulls from its repositories. */
export function ecrOperatorPolicy(ecr: EcrConfig): PolicyDocument {
  return policyDocument([
    { Sid: "GetRegistryToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
    {
      Sid: "PullFromRepositories",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:GetDownloadUrlForLayer",
        "ecr:ListImages",
      ],
      Resource: [...ecr.repositoryArns],
    },
  ]);
}
