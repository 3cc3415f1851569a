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
