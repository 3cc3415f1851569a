/**
 * The permission questions the doctor asks IAM for the roles' tools: the exact actions, resources and condition
 * keys their requests carry. Pure.
 *
 * As components/certManager/policy.ts and components/externalDns/policy.ts cite them:
 * cert-manager v1.21.1 (pkg/issuer/acme/dns/route53/route53.go): UPSERT to present and DELETE to clean up one TXT
 * record `_acme-challenge.<name>` in the pinned zone, and GetChange on the change it made. Route53 evaluates
 * the record-level keys `route53:ChangeResourceRecordSetsRecordTypes`, `...NormalizedRecordNames` and `...Actions`
 * (Route53 service authorization reference; multi-valued, names lower case without the final dot).
 * external-dns v0.21.0 (provider/aws/aws.go): ListHostedZones, ListResourceRecordSets and ChangeResourceRecordSets
 * on its zones; ListTagsForResources only for zones to filter by tag (aws.go at v0.21.0 collects them only when its
 * zone tag filter, `--aws-zone-tags`, is set), which this program never sets, so it is not asked.
 * Cross-account: the cluster-side role only assumes the DNS account's role, and under Pod Identity the session
 * tags ride along, so it also needs `sts:TagSession` (EKS user guide, pod-id-abac, "Cross-account tags").
 */
import type { ExpectedPlatform, ExpectedRole } from "../model";

export interface Question {
  /** Role name. */
  role: string;
  action: string;
  resource: string;
  context: Record<string, string[]>;
}

const zoneArn = (partition: string, id: string) => `arn:${partition}:route53:::hostedzone/${id}`;

function assume(role: ExpectedRole, target: string): Question[] {
  const actions = role.binding === "pod-identity" ? ["sts:AssumeRole", "sts:TagSession"] : ["sts:AssumeRole"];
  return actions.map((action) => ({ role: role.roleName, action, resource: target, context: {} }));
}

export function permissionQuestions(exp: ExpectedPlatform): Question[] {
  const out: Question[] = [];
  const p = exp.partition;
  const cm = exp.certManager;
  const cmRole = exp.roles.find(
    (r) => r.namespace === cm.namespace && r.serviceAccount === cm.serviceAccount,
  );
  if (cmRole) {
    const local = cm.dns01Zones.filter((z) => !z.roleArn);
    for (const z of local) {
      for (const change of ["UPSERT", "DELETE"]) {
        out.push({
          role: cmRole.roleName,
          action: "route53:ChangeResourceRecordSets",
          resource: zoneArn(p, z.zoneId),
          context: {
            "route53:ChangeResourceRecordSetsActions": [change],
            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
              `_acme-challenge.${z.name.toLowerCase()}`,
            ],
          },
        });
      }
    }
    if (local.length) {
      out.push({
        role: cmRole.roleName,
        action: "route53:GetChange",
        resource: `arn:${p}:route53:::change/*`,
        context: {},
      });
    }
    for (const target of new Set(cm.dns01Zones.flatMap((z) => (z.roleArn ? [z.roleArn] : [])))) {
      out.push(...assume(cmRole, target));
    }
  }
  for (const inst of exp.externalDns) {
    const role = exp.roles.find((r) => r.namespace === exp.namespace && r.serviceAccount === inst.release);
    if (!role) {
      continue;
    }
    if (inst.assumeRoleArn) {
      out.push(...assume(role, inst.assumeRoleArn));
      continue;
    }
    for (const z of inst.zones) {
      for (const action of ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"]) {
        out.push({ role: role.roleName, action, resource: zoneArn(p, z.zoneId), context: {} });
      }
    }
    out.push({ role: role.roleName, action: "route53:ListHostedZones", resource: "*", context: {} });
  }
  return out;
}
