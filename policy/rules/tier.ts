/**
 * cert-manager ClusterIssuers, and protection by tier: which stack is prod, and what must be protected there.
 */
import { TIER_LABEL } from "../facts";
import type { Report, ResourceData, RuleContext, StackReport } from "./data";
import { LETS_ENCRYPT_DIRECTORIES, TYPES, dict, isDict, nonEmptyString } from "./data";

// ---- cert-manager issuers --------------------------------------------------------------------------------------

/**
 * An ACME issuer talks to Let's Encrypt (production or staging), keeps its account key in a named secret, and
 * each Route53 DNS-01 solver pins its hosted zone (no zone lookup, so no `ListHostedZonesByName` right).
 */
export function checkAcmeIssuer(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.clusterIssuer && r.type !== TYPES.issuer) {
    return;
  }
  const acme = dict(r.props.spec).acme;
  if (!isDict(acme)) {
    return;
  }
  const meta = dict(r.props.metadata);
  const name = nonEmptyString(meta.name) ? meta.name : r.name;
  const what = `ACME issuer ${name}`;
  if (typeof acme.server !== "string" || !LETS_ENCRYPT_DIRECTORIES.includes(acme.server)) {
    report(
      `${what} uses server ${JSON.stringify(acme.server ?? null)}, which is not a Let's Encrypt directory (${LETS_ENCRYPT_DIRECTORIES.join(" or ")})`,
    );
  }
  if (!nonEmptyString(dict(acme.privateKeySecretRef).name)) {
    report(`${what} has no privateKeySecretRef.name for its ACME account key`);
  }
  const solvers = Array.isArray(acme.solvers) ? acme.solvers : [];
  solvers.forEach((solver, i) => {
    const route53 = dict(dict(solver).dns01).route53;
    if (isDict(route53) && !nonEmptyString(route53.hostedZoneID)) {
      report(`${what}, solver #${i}: the Route53 DNS-01 solver does not pin hostedZoneID`);
    }
  });
}

// ---- protection ------------------------------------------------------------------------------------------------

const PROTECTED_KINDS: Readonly<Record<string, string>> = {
  [TYPES.role]: "IAM role",
  [TYPES.oidcProvider]: "IAM OIDC provider",
};

/** The stack name of a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackFromUrn(urn: string): string {
  const head = urn.split("::")[0];
  return head.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : "";
}

/** Whether a stack is prod, and why, in words for the messages. */
export interface StackTier {
  prod: boolean;
  reason: string;
}

/**
 * Whether the stack is prod, as the program decided it: the program labels its platform Namespace with its
 * `tier` (TIER_LABEL, `dev` or `prod`), so a stack of any name on the prod tier is prod here too. Any labelled
 * value other than `dev` counts as prod (an unknown tier gets the stricter rules), and so does a stack whose
 * labelled namespaces disagree.
 *
 * Fallback: when no namespace in the stack carries the label (a program from before the label, or one that
 * creates no namespace), the stack is prod when its name is in `prodStacks` (from the pack's config,
 * ["prod"] by default), which is how the pack decided before the label existed.
 */
export function stackTier(resources: readonly ResourceData[], ctx: RuleContext): StackTier {
  const labelled = resources
    .filter((r) => r.type === TYPES.namespace)
    .map((r) => {
      const meta = dict(r.props.metadata);
      return { name: nonEmptyString(meta.name) ? meta.name : r.name, tier: dict(meta.labels)[TIER_LABEL] };
    })
    .filter((n) => n.tier !== undefined);
  if (labelled.length > 0) {
    const prod = labelled.find((n) => n.tier !== "dev");
    const shown = prod ?? labelled[0];
    return {
      prod: prod !== undefined,
      reason: `namespace ${shown.name} is labelled ${TIER_LABEL}=${String(shown.tier)}`,
    };
  }
  const prod = ctx.prodStacks.includes(ctx.stack);
  return {
    prod,
    reason: `no namespace is labelled ${TIER_LABEL}, and the stack name "${ctx.stack}" is ${prod ? "" : "not "}in prodStacks`,
  };
}

/**
 * IAM roles and the OIDC provider are `protect`ed: deleting one (a rename, a refactor) cuts every workload that
 * uses it off from AWS until it is recreated, and the recreated role has a new unique ID. Only stacks of the
 * tier `inProd` asks for are checked; the message says why the stack is (not) prod.
 */
export function checkProtectedIn(inProd: boolean) {
  return (resources: readonly ResourceData[], report: StackReport, ctx: RuleContext): void => {
    const candidates = resources.filter((r) => PROTECTED_KINDS[r.type] !== undefined && !r.protect);
    if (candidates.length === 0) {
      return;
    }
    const tier = stackTier(resources, ctx);
    if (tier.prod !== inProd) {
      return;
    }
    for (const r of candidates) {
      report(
        `${PROTECTED_KINDS[r.type]} ${r.name} is not protected; set protect: true so that no update can delete it (${tier.prod ? "a" : "not a"} prod stack: ${tier.reason})`,
        r.urn,
      );
    }
  };
}
