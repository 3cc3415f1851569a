/**
 * The central DNS account's half of a cross-account set-up, as documents its owners apply as they are: the role
 * external-dns `central` assumes and the role cert-manager's DNS-01 solvers assume, each with its trust (this
 * stack's role, and the external ID for external-dns) and its Route53 rights. Pure.
 *
 * The rights are the ones this stack would grant itself for zones of its own account: zone-scoped for
 * external-dns (components/externalDns/policy.ts), record-level for cert-manager (components/certManager/policy.ts:
 * only TXT `_acme-challenge.*` records, only UPSERT and DELETE).
 *
 * Each trust allows `sts:AssumeRole` and `sts:TagSession` (CROSS_ACCOUNT_CHAIN_ACTIONS, model/iam.ts): a role bound
 * through EKS Pod Identity carries transitive session tags into the AssumeRole, which needs `sts:TagSession` in
 * the target's trust as well as in the caller's policy (EKS user guide, pod-id-abac, "Cross-account tags").
 * The trusted principal is this stack's role ARN, which IAM derives from the account and the role name
 * (model/iam.ts roleArnOf), so the documents can be printed, and applied, before this stack creates the role.
 */
import type { DnsConfig, Dns01Zone, ExternalDnsInstanceConfig } from "../../model/config";
import type { Partition } from "../../model/enums";
import {
  CROSS_ACCOUNT_CHAIN_ACTIONS,
  policyDocument,
  type IamStatement,
  type PolicyDocument,
} from "../../model/iam";
import { certManagerPolicy } from "../certManager/policy";
import { externalDnsPolicy } from "../externalDns/policy";

/** One role in the DNS account. */
export interface CentralRoleDocuments {
  readonly trustPolicy: PolicyDocument;
  readonly permissionsPolicy: PolicyDocument;
}

export interface CentralDnsRoleInputs {
  readonly central: NonNullable<DnsConfig["centralDnsAccount"]>;
  readonly partition: Partition;
  /**
   * This stack's external-dns `central` role (its ARN as IAM will name it) and instance; absent when the stack
   * has no public zones.
   */
  readonly externalDns?: { readonly sourceRoleArn: string; readonly instance: ExternalDnsInstanceConfig };
  /** This stack's cert-manager role and its DNS-01 zones in the DNS account; absent without DNS-01 there. */
  readonly certManager?: { readonly sourceRoleArn: string; readonly zones: readonly Dns01Zone[] };
}

/**
 * The documents by role ARN in the DNS account. When cert-manager shares external-dns's role (no external ID),
 * that one role gets both trusts and both sets of rights.
 */
export function centralDnsRoleDocuments(inputs: CentralDnsRoleInputs): Record<string, CentralRoleDocuments> {
  const { central, partition } = inputs;
  const roles = new Map<string, { trust: IamStatement[]; rights: IamStatement[] }>();
  const add = (roleArn: string, trust: IamStatement, rights: readonly IamStatement[]) => {
    const role = roles.get(roleArn) ?? { trust: [], rights: [] };
    role.trust.push(trust);
    role.rights.push(...rights);
    roles.set(roleArn, role);
  };
  if (inputs.externalDns) {
    const { sourceRoleArn, instance } = inputs.externalDns;
    add(
      central.externalDnsRoleArn,
      {
        Sid: "ExternalDnsOfStack",
        Effect: "Allow",
        Principal: { AWS: sourceRoleArn },
        Action: [...CROSS_ACCOUNT_CHAIN_ACTIONS],
        // external-dns sends it (`--aws-assume-role-external-id`); the role refuses any caller without it.
        ...(central.externalId
          ? { Condition: { StringEquals: { "sts:ExternalId": central.externalId } } }
          : {}),
      },
      // The same rights the instance would have on zones of its own account.
      externalDnsPolicy({ ...instance, assumeRole: undefined }, partition).Statement,
    );
  }
  if (inputs.certManager && inputs.certManager.zones.length > 0) {
    const { sourceRoleArn, zones } = inputs.certManager;
    add(
      central.certManagerRoleArn,
      {
        Sid: "CertManagerOfStack",
        Effect: "Allow",
        Principal: { AWS: sourceRoleArn },
        Action: [...CROSS_ACCOUNT_CHAIN_ACTIONS],
      },
      certManagerPolicy(
        zones.map((z) => ({ ...z, roleArn: undefined })),
        { allZonesPinned: true, partition },
      ).Statement,
    );
  }
  return Object.fromEntries(
    [...roles].map(([arn, role]) => [
      arn,
      { trustPolicy: policyDocument(role.trust), permissionsPolicy: policyDocument(role.rights) },
    ]),
  );
}
