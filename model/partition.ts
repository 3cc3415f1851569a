/**
 * AWS partitions: which one a region belongs to, and the names that differ between them. Pure.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partition in every ARN)
 */
import type { Partition } from "./enums";

/** `cn-*` regions are `aws-cn`, `us-gov-*` regions `aws-us-gov`, every other region `aws`. */
export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) {
    return "aws-cn";
  }
  if (region.startsWith("us-gov-")) {
    return "aws-us-gov";
  }
  return "aws";
}

/** The partition named in an ARN (`arn:<partition>:...`), or undefined when the text is not an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([a-z-]+):/.exec(arn)?.[1];
}

/**
 * The DNS suffix of a partition's service endpoints and EKS OIDC issuers: `amazonaws.com.cn` in China,
 * `amazonaws.com` elsewhere (GovCloud included). Service principals keep `amazonaws.com` everywhere
 * (eksctl pkg/apis/eksctl.io/v1alpha5/partitions.go, v0.230.0); the program builds no endpoint from it, only the
 * offline mocks do, to answer as the partition would.
 */
export function dnsSuffixOf(partition: Partition): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}
