/**
 * AWS partitions: which one a region belongs to, and the names that differ between them. Pure.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partition in every ARN)
 */
import { PARTITIONS, type Partition } from "./enums";

/** One AWS partition: its name, the pattern of its region names, and the DNS suffix of its endpoints. */
export interface AwsPartition {
  readonly name: string;
  readonly regionPattern: RegExp;
  readonly dnsSuffix: string;
}

/**
 * Every AWS partition, with each `regionRegex` and `outputs.dnsSuffix` of botocore's
 * botocore/data/partitions.json (boto/botocore, commit 3fb2049). A region no pattern matches is `aws`, as in the
 * SDKs. The ISO partitions are listed so that a stack in one is named and refused (stacks/config.ts), not
 * mistaken for `aws`.
 */
export const AWS_PARTITIONS: readonly AwsPartition[] = [
  { name: "aws", regionPattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: "amazonaws.com" },
  { name: "aws-cn", regionPattern: /^cn-\w+-\d+$/, dnsSuffix: "amazonaws.com.cn" },
  { name: "aws-us-gov", regionPattern: /^us-gov-\w+-\d+$/, dnsSuffix: "amazonaws.com" },
  { name: "aws-iso", regionPattern: /^us-iso-\w+-\d+$/, dnsSuffix: "c2s.ic.gov" },
  { name: "aws-iso-b", regionPattern: /^us-isob-\w+-\d+$/, dnsSuffix: "sc2s.sgov.gov" },
  { name: "aws-iso-e", regionPattern: /^eu-isoe-\w+-\d+$/, dnsSuffix: "cloud.adc-e.uk" },
  { name: "aws-iso-f", regionPattern: /^us-isof-\w+-\d+$/, dnsSuffix: "csp.hci.ic.gov" },
];

/** The partition of a region, supported or not. `us-gov-*` also matches `aws`'s pattern: the specific wins. */
export function awsPartitionOf(region: string): AwsPartition {
  const [commercial, ...others] = AWS_PARTITIONS;
  return others.find((p) => p.regionPattern.test(region)) ?? commercial;
}

/** Whether the program deploys to a partition (model/enums.ts PARTITIONS). */
export function isSupportedPartition(name: string): name is Partition {
  return (PARTITIONS as readonly string[]).includes(name);
}

/**
 * The partition of a region the program supports: `cn-*` regions are `aws-cn`, `us-gov-*` regions `aws-us-gov`,
 * every other supported region `aws`. An ISO region throws: config validation refuses it first, naming the key.
 */
export function partitionOf(region: string): Partition {
  const { name } = awsPartitionOf(region);
  if (!isSupportedPartition(name)) {
    throw new Error(`region ${region} is in partition ${name}, which this program does not support`);
  }
  return name;
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
  return AWS_PARTITIONS.find((p) => p.name === partition)!.dnsSuffix;
}
