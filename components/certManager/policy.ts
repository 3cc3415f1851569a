/**
 * IAM policy of cert-manager's Route53 DNS-01 solver. Pure.
 *
 * Source: cert-manager v1.21.1 docs, "Route53" (docs/configuration/acme/dns01/route53.md: the solver calls
 * `route53:GetChange`, `route53:ChangeResourceRecordSets`, `route53:ListResourceRecordSets`, and
 * `route53:ListHostedZonesByName` only without `hostedZoneID`) and its code, pkg/issuer/acme/dns/route53/route53.go
 * at v1.21.1 (it changes records with UPSERT to present and DELETE to clean up, and never lists records when the
 * zone is pinned). Record-level condition keys: the Route53 service authorization reference
 * (`route53:ChangeResourceRecordSetsRecordTypes`, `...NormalizedRecordNames`, `...Actions`).
 */
import type { Dns01Zone } from "../../model/config";
import { assumeRoleStatement, policyDocument, type IamStatement, type PolicyDocument } from "../../model/iam";
import { hostedZoneArn } from "../../model/naming";

/**
 * In this account: read the change status, and change records in the ACME zones: only TXT records named
 * `_acme-challenge.*`, only UPSERT (present) and DELETE (clean up), with Route53's record-level condition keys
 * (multi-valued, hence `ForAllValues:`; names are lower-case without the final dot). Zones in the central DNS
 * account: only `sts:AssumeRole` and `sts:TagSession` on that account's role; the solver's `role` does the rest.
 */
export function certManagerPolicy(
  zones: readonly Dns01Zone[],
  opts: { allZonesPinned: boolean; partition: string },
): PolicyDocument {
  const { partition } = opts;
  const local = zones.filter((z) => z.roleArn === undefined);
  const crossAccount = zones.flatMap((z) => (z.roleArn === undefined ? [] : [z.roleArn]));
  const statements: IamStatement[] = [];
  if (local.length > 0) {
    statements.push(
      {
        Sid: "ReadChangeStatus",
        Effect: "Allow",
        Action: ["route53:GetChange"],
        Resource: [`arn:${partition}:route53:::change/*`],
      },
      {
        Sid: "WriteAcmeChallengeRecords",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: local.map((z) => hostedZoneArn(z.zoneId, partition)),
        Condition: {
          "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
            "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
          },
          "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"],
          },
        },
      },
    );
    if (!opts.allZonesPinned) {
      statements.push({
        Sid: "FindZones",
        Effect: "Allow",
        Action: ["route53:ListHostedZonesByName"],
        Resource: ["*"],
      });
    }
  }
  if (crossAccount.length > 0) {
    statements.push(assumeRoleStatement("AssumeCentralDnsRole", crossAccount));
  }
  return policyDocument(statements);
}
