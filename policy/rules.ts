/**
 * The platform's invariants as pure functions over plain resource data. Nothing here needs the Pulumi engine:
 * each check takes `{ type, name, props, protect }` and a callback that receives one message per violation.
 * pack.ts turns the rule tables at the bottom into CrossGuard policies; the tests call them directly.
 *
 * Under `pulumi preview` the engine hands the pack a proxy that throws when a value is not known yet; the checks
 * never catch that error, so CrossGuard reports "can't run during preview" instead of a false verdict.
 */
import type { Report, ResourceData, RuleContext, StackReport } from "./rules/data";
import { MULTI_SERVICE_ACCOUNT_TAG, TYPES } from "./rules/data";
import { checkNoWildcardWrites, checkOidcTrustConditions, checkSingleServiceAccount } from "./rules/iam";
import {
  checkCertManagerKeepsCrds,
  checkChartVersionPinned,
  checkExternalDnsDisjoint,
  checkExternalDnsInstance,
  checkNoCommunityIngressNginx,
} from "./rules/releases";
import { checkAcmeIssuer, checkProtectedIn } from "./rules/tier";
export * from "./rules/data";
export * from "./rules/iam";
export * from "./rules/releases";
export * from "./rules/tier";

// ---- rule tables -----------------------------------------------------------------------------------------------

export type Level = "mandatory" | "advisory";

export interface ResourceRule {
  /** Policy name, unique in the pack. */
  name: string;
  description: string;
  enforcementLevel: Level;
  /** Resource types the rule looks at; other resources are not applicable. */
  types: readonly string[];
  check(r: ResourceData, report: Report, ctx: RuleContext): void;
}

export interface StackRule {
  name: string;
  description: string;
  enforcementLevel: Level;
  check(resources: readonly ResourceData[], report: StackReport, ctx: RuleContext): void;
}

const PERMISSION_TYPES = [TYPES.policy, TYPES.rolePolicy, TYPES.userPolicy, TYPES.groupPolicy, TYPES.role];

export const resourceRules: readonly ResourceRule[] = [
  {
    name: "iam-no-wildcard-writes",
    description: "No IAM policy allows a write action on '*', a wildcard ARN or a wildcard hosted zone.",
    enforcementLevel: "mandatory",
    types: PERMISSION_TYPES,
    check: checkNoWildcardWrites,
  },
  {
    name: "irsa-trust-pins-sub-and-aud",
    description: "Every role trusted by an OIDC provider has StringEquals conditions on both :sub and :aud.",
    enforcementLevel: "mandatory",
    types: [TYPES.role],
    check: checkOidcTrustConditions,
  },
  {
    name: "irsa-one-service-account",
    description: `A role is trusted by one service account unless tagged ${MULTI_SERVICE_ACCOUNT_TAG}: "true".`,
    enforcementLevel: "mandatory",
    types: [TYPES.role],
    check: checkSingleServiceAccount,
  },
  {
    name: "helm-chart-version-pinned",
    description: "Every Helm release pins an exact chart version.",
    enforcementLevel: "mandatory",
    types: [TYPES.release],
    check: checkChartVersionPinned,
  },
  {
    name: "helm-no-community-ingress-nginx",
    description: "No Helm release installs the retired community ingress-nginx.",
    enforcementLevel: "mandatory",
    types: [TYPES.release],
    check: checkNoCommunityIngressNginx,
  },
  {
    name: "cert-manager-keeps-crds",
    description: "The cert-manager release keeps its CRDs on uninstall (crds.keep: true, no installCRDs).",
    enforcementLevel: "mandatory",
    types: [TYPES.release],
    check: checkCertManagerKeepsCrds,
  },
  {
    name: "external-dns-policy-and-owner",
    description: "Every external-dns release sets its record policy and a txtOwnerId.",
    enforcementLevel: "mandatory",
    types: [TYPES.release],
    check: checkExternalDnsInstance,
  },
  {
    name: "acme-issuer-lets-encrypt",
    description:
      "ACME issuers use a Let's Encrypt directory, name their account key secret, and pin Route53 hosted zones.",
    enforcementLevel: "mandatory",
    types: [TYPES.clusterIssuer, TYPES.issuer],
    check: checkAcmeIssuer,
  },
];

export const stackRules: readonly StackRule[] = [
  {
    name: "external-dns-disjoint",
    description: "No two external-dns releases share a txtOwnerId, a hosted zone or a domain.",
    enforcementLevel: "mandatory",
    check: checkExternalDnsDisjoint,
  },
  {
    name: "protect-identity-in-prod",
    description: "In a prod stack, IAM roles and OIDC providers are protected.",
    enforcementLevel: "mandatory",
    check: checkProtectedIn(true),
  },
  {
    name: "protect-identity-outside-prod",
    description: "Outside prod, unprotected IAM roles and OIDC providers are reported as advice.",
    enforcementLevel: "advisory",
    check: checkProtectedIn(false),
  },
];

/** Names of the rules that read `prodStacks` from the pack's config (the fallback of stackTier). */
export const PROD_AWARE_RULES: readonly string[] = [
  "protect-identity-in-prod",
  "protect-identity-outside-prod",
];

export interface Violation {
  rule: string;
  level: Level;
  /** Name of the resource at fault (resource rules), or the stack-rule's URN target when given. */
  resource?: string;
  message: string;
}

/** Runs every rule over a stack's resources, as the engine would: the offline form of the whole pack. */
export function evaluate(resources: readonly ResourceData[], ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  for (const rule of resourceRules) {
    for (const r of resources.filter((x) => rule.types.includes(x.type))) {
      rule.check(
        r,
        (message) => out.push({ rule: rule.name, level: rule.enforcementLevel, resource: r.name, message }),
        ctx,
      );
    }
  }
  for (const rule of stackRules) {
    rule.check(
      resources,
      (message, urn) =>
        out.push({
          rule: rule.name,
          level: rule.enforcementLevel,
          resource: resources.find((r) => urn !== undefined && r.urn === urn)?.name,
          message,
        }),
      ctx,
    );
  }
  return out;
}
