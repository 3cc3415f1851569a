/**
 * IAM policy documents as data. Every document the program attaches is built here, by pure functions, and
 * serialised with JSON.stringify by the components: never by string templates.
 */
import type { Dns01Zone, EcrConfig, ExternalDnsInstanceConfig, PolicyStatement } from "../stacks/config";
import { hostedZoneArn, oidcIssuerHostPath, serviceAccountSubject } from "./naming";

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string>;
  Action: string[];
  Resource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

/** The audience EKS's pod identity webhook requests for IRSA tokens. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/**
 * Trust policy of an IRSA role: only the one service account, only with the STS audience. Both conditions are
 * `StringEquals`: a `StringLike` on `sub` with a wildcard would let any service account in the cluster in.
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  const issuer = oidcIssuerHostPath(oidcProviderArn);
  return {
    Version: "2012-10-17",
    Statement: [
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
    ],
  };
}

function assumeRoleStatement(sid: string, roleArns: readonly string[]): IamStatement {
  return { Sid: sid, Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [...new Set(roleArns)].sort() };
}

/**
 * cert-manager's Route53 DNS-01 solver. In this account: read the change status, and change records in the ACME
 * zones: only TXT records named `_acme-challenge.*`, only UPSERT (present) and DELETE (clean up), with Route53's
 * record-level condition keys (multi-valued, hence `ForAllValues:`; names are lower-case without the final dot).
 * The solver never lists records (cert-manager's pkg/issuer/acme/dns/route53), so it gets no List action.
 * Zones in the central DNS account: only `sts:AssumeRole` on that account's role; the solver's `role` does the
 * rest. `ListHostedZonesByName` is needed only by a solver without a pinned `hostedZoneID`.
 */
export function certManagerPolicy(
  zones: readonly Dns01Zone[],
  opts: { allZonesPinned: boolean; partition?: string },
): PolicyDocument {
  const partition = opts.partition ?? "aws";
  const local = zones.filter((z) => z.roleArn === undefined);
  const crossAccount = zones.flatMap((z) => (z.roleArn === undefined ? [] : [z.roleArn]));
  const statements: IamStatement[] = [];
  if (local.length > 0) {
    const zoneArns = local.map((z) => hostedZoneArn(z.zoneId, partition));
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
        Resource: zoneArns,
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
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * external-dns with the AWS provider. Writes and reads records only in its own zones. It discovers zones with
 * `ListHostedZones` even with `--zone-id-filter` (it filters the answer itself) and that action has no resource
 * type, hence `*`. `ListTagsForResources` is called only with `--aws-zone-tags`, which this program never sets.
 * Cross-account: nothing in Route53 at all, only `sts:AssumeRole` on the DNS account's role.
 */
export function externalDnsPolicy(instance: ExternalDnsInstanceConfig, partition = "aws"): PolicyDocument {
  if (instance.assumeRole) {
    return {
      Version: "2012-10-17",
      Statement: [assumeRoleStatement("AssumeCentralDnsRole", [instance.assumeRole.roleArn])],
    };
  }
  const zoneArns = instance.zoneIds.map((id) => hostedZoneArn(id, partition));
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteOwnZones",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: zoneArns,
      },
      {
        Sid: "ReadOwnZones",
        Effect: "Allow",
        Action: ["route53:ListResourceRecordSets"],
        Resource: zoneArns,
      },
      { Sid: "DiscoverZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
    ],
  };
}

/** An operator that refreshes ECR pull secrets: a token (cannot be scoped) and pulls from its repositories. */
export function ecrOperatorPolicy(ecr: EcrConfig): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
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
    ],
  };
}

/** A team's role, from its statements in stack config (validated there). */
export function extraRolePolicy(statements: readonly PolicyStatement[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
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
  };
}
