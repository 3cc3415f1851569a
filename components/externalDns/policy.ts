/**
 * IAM policy of one external-dns instance with the AWS provider. Pure.
 *
 * Source: external-dns v0.21.0 docs/tutorials/aws.md ("IAM Policy": `route53:ChangeResourceRecordSets` on the
 * zones, `route53:ListHostedZones`, `route53:ListResourceRecordSets`, `route53:ListTagsForResources`) and
 * provider/aws/aws.go at v0.21.0 (zones are discovered with ListHostedZones even with `--zone-id-filter`, which
 * filters the answer; ListTagsForResources is called only for `--aws-zone-tags`, which this program never sets).
 */
import type { ExternalDnsInstanceConfig } from "../../model/config";
import { assumeRoleStatement, policyDocument, type PolicyDocument } from "../../model/iam";
import { hostedZoneArn } from "../../model/naming";

/**
 * Writes and reads records only in its own zones; `ListHostedZones` has no resource type, hence `*`.
 * Cross-account: nothing in Route53 at all, only `sts:AssumeRole` and `sts:TagSession` on the DNS account's role (model/iam.ts says why).
 *
 * Both zone actions share one statement, so each zone ARN is written once: IAM counts a managed policy's
 * characters (at most 6,144 without whitespace: IAM user guide, "IAM and AWS STS quotas"), and with two lists
 * some 55 zones already exceeded it; one list fits about twice as many (components/identity/limits.ts refuses
 * the rest at config time, with the size).
 */
export function externalDnsPolicy(instance: ExternalDnsInstanceConfig, partition: string): PolicyDocument {
  if (instance.assumeRole) {
    return policyDocument([assumeRoleStatement("AssumeCentralDnsRole", [instance.assumeRole.roleArn])]);
  }
  const zoneArns = instance.zoneIds.map((id) => hostedZoneArn(id, partition));
  return policyDocument([
    {
      Sid: "ManageOwnZones",
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
      Resource: zoneArns,
    },
    { Sid: "DiscoverZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
  ]);
}
