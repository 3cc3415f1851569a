/**
 * IAM rules: no write on a wildcard resource, and IRSA trusts limited to one service account and audience.
 */
import {
  LOAD_BALANCER_CONTROLLER_POLICY_DIGESTS,
  LOAD_BALANCER_CONTROLLER_ROLE_KEY,
  isReadOnlyAction,
  statementDigest,
  wildcardSpan,
} from "../facts";
import type { Dict, Report, ResourceData } from "./data";
import {
  MULTI_SERVICE_ACCOUNT_TAG,
  TYPES,
  dict,
  isDict,
  nonEmptyString,
  parseDocument,
  statementLabel,
  statementRef,
  statementsOf,
  strings,
} from "./data";

// ---- IAM permissions -------------------------------------------------------------------------------------------

/** The `name` input of a resource when it has one (the AWS name), else the Pulumi resource name. */
function awsName(r: ResourceData): string {
  return nonEmptyString(r.props.name) ? r.props.name : r.name;
}

/** Who holds a policy attached directly to a role, user or group: its `role`/`user`/`group` input. */
function holder(kind: string, value: unknown): string {
  return nonEmptyString(value) ? `${kind} ${value}` : `a ${kind} not known yet`;
}

/**
 * The policy documents a resource carries, each with a label for messages that names the role (or user or
 * group) it grants to where the resource says so. A managed policy does not say: it is attached elsewhere, so
 * the label names the policy; the program names each role's policy after its role.
 */
function permissionDocuments(r: ResourceData): { label: string; value: unknown }[] {
  const one = (label: string) => (r.props.policy === undefined ? [] : [{ label, value: r.props.policy }]);
  switch (r.type) {
    case TYPES.policy:
      return one(`managed policy ${awsName(r)}`);
    case TYPES.rolePolicy:
      return one(`${holder("role", r.props.role)}, policy ${awsName(r)}`);
    case TYPES.userPolicy:
      return one(`${holder("user", r.props.user)}, policy ${awsName(r)}`);
    case TYPES.groupPolicy:
      return one(`${holder("group", r.props.group)}, policy ${awsName(r)}`);
    case TYPES.role: {
      const inline = Array.isArray(r.props.inlinePolicies) ? r.props.inlinePolicies : [];
      return inline
        .filter(isDict)
        .filter((p) => p.policy !== undefined)
        .map((p, i) => ({
          label: `role ${awsName(r)}, inline policy ${nonEmptyString(p.name) ? `"${p.name}"` : `#${i}`}`,
          value: p.policy,
        }));
    }
    default:
      return [];
  }
}

/** `<environment>-aws-load-balancer-controller-<namespace>`: the name the program gives that role and its policy. */
const LOAD_BALANCER_CONTROLLER_NAME = new RegExp(
  `^[a-z][a-z0-9-]*-${LOAD_BALANCER_CONTROLLER_ROLE_KEY}-[a-z0-9-]+$`,
);

/**
 * The one exception to the rule below: the AWS Load Balancer Controller's built-in role carries upstream's policy
 * (v3.5.0, any partition), whose writes on `*` the controller needs for what it creates. Both must hold: the
 * name is the program's name for that role, and the document is exactly upstream's, statement for statement
 * (LOAD_BALANCER_CONTROLLER_POLICY_DIGESTS). A copy with any change, or the same document on another role, is
 * checked like every other policy.
 */
export function isLoadBalancerControllerPolicy(name: string, doc: Dict): boolean {
  if (!LOAD_BALANCER_CONTROLLER_NAME.test(name) || doc.Version !== "2012-10-17") {
    return false;
  }
  if (Object.keys(doc).some((k) => k !== "Version" && k !== "Statement") || !Array.isArray(doc.Statement)) {
    return false;
  }
  const statements = doc.Statement as unknown[];
  if (!statements.every(isDict)) {
    return false;
  }
  const digests = statements.map((st) => statementDigest(st));
  return Object.values(LOAD_BALANCER_CONTROLLER_POLICY_DIGESTS).some(
    (known) => known.length === digests.length && known.every((d, i) => d === digests[i]),
  );
}

/**
 * No `Allow` of a write action on a resource whose wildcards span more than one named resource: `*`, a
 * wildcard partition, service, region or account, or a wildcard in the resource type or the top-level name
 * (every bucket, queue, table, hosted zone...; see wildcardSpan in facts.ts). `NotAction` counts as writes (it
 * allows everything else) and `NotResource` as a wildcard (it matches everything else). Each message names the
 * role (or the policy), the statement by index and Sid, the write actions and the resource. Except upstream's
 * policy on the AWS Load Balancer Controller's own role (isLoadBalancerControllerPolicy).
 */
export function checkNoWildcardWrites(r: ResourceData, report: Report): void {
  for (const { label, value } of permissionDocuments(r)) {
    const { doc, error } = parseDocument(value);
    if (error) {
      report(`${label}: the document ${error}, so it cannot be checked`);
    }
    // The program gives that role a managed policy of the role's name; only that form is recognised.
    if (!doc || (r.type === TYPES.policy && isLoadBalancerControllerPolicy(awsName(r), doc))) {
      continue;
    }
    statementsOf(doc).forEach((st, i) => {
      if (st.Effect !== "Allow") {
        return;
      }
      const where = `${label}, statement ${statementRef(st, i)}`;
      const writes =
        st.NotAction !== undefined
          ? [`every action except ${strings(st.NotAction).join(", ")}`]
          : strings(st.Action).filter((a) => !isReadOnlyAction(a));
      if (writes.length === 0) {
        return;
      }
      if (st.NotResource !== undefined) {
        report(
          `${where}: Allow of write actions (${writes.join(", ")}) with NotResource, which matches every other resource; list the resources instead`,
        );
      }
      for (const resource of strings(st.Resource)) {
        const span = wildcardSpan(resource);
        if (span !== undefined) {
          report(
            `${where}: Allow of write actions (${writes.join(", ")}) on "${resource}", which spans ${span}; name the resources it may change`,
          );
        }
      }
    });
  }
}

// ---- IRSA trust ------------------------------------------------------------------------------------------------

const OIDC_MARKER = ":oidc-provider/";

interface OidcTrust {
  statement: string;
  issuer: string;
  equals: Dict;
  like: Dict;
}

/** The `Allow` statements of a role's trust policy whose principal is an IAM OIDC provider. */
function oidcTrusts(r: ResourceData, report: Report): OidcTrust[] {
  if (r.type !== TYPES.role) {
    return [];
  }
  const { doc, error } = parseDocument(r.props.assumeRolePolicy);
  if (error) {
    report(`trust policy of ${r.name} ${error}, so it cannot be checked`);
  }
  if (!doc) {
    return [];
  }
  const out: OidcTrust[] = [];
  statementsOf(doc).forEach((st, i) => {
    if (st.Effect !== "Allow") {
      return;
    }
    for (const principal of strings(dict(st.Principal).Federated)) {
      const at = principal.indexOf(OIDC_MARKER);
      if (at >= 0) {
        const cond = dict(st.Condition);
        out.push({
          statement: statementLabel(st, i),
          issuer: principal.slice(at + OIDC_MARKER.length),
          equals: dict(cond.StringEquals),
          like: dict(cond.StringLike),
        });
      }
    }
  });
  return out;
}

/**
 * A role trusted by an OIDC provider pins both the token's subject (the one service account) and its audience
 * with `StringEquals`: without `sub`, or with a `StringLike` pattern, other service accounts of the cluster could
 * assume it; without `aud`, tokens minted for other audiences would be accepted.
 */
export function checkOidcTrustConditions(r: ResourceData, report: Report): void {
  for (const trust of oidcTrusts(r, report)) {
    for (const claim of ["sub", "aud"]) {
      const key = `${trust.issuer}:${claim}`;
      if (strings(trust.equals[key]).length === 0) {
        report(
          `trust policy of ${r.name}, statement ${trust.statement}: no StringEquals condition on "${key}"`,
        );
      }
    }
  }
}

/**
 * A role is assumed by one service account unless it says otherwise with the tag
 * `eks-platform/multi-service-account: "true"`. A `StringLike` pattern on `sub` counts as many.
 */
export function checkSingleServiceAccount(r: ResourceData, report: Report): void {
  const subjects = new Set<string>();
  const patterns = new Set<string>();
  for (const trust of oidcTrusts(r, () => undefined)) {
    const key = `${trust.issuer}:sub`;
    const exact = strings(trust.equals[key]);
    // Conditions of one statement all apply: a StringLike next to a StringEquals on `sub` only narrows it.
    for (const s of exact.length > 0 ? exact : strings(trust.like[key])) {
      (exact.length === 0 && /[*?]/.test(s) ? patterns : subjects).add(s);
    }
  }
  if (patterns.size === 0 && subjects.size <= 1) {
    return;
  }
  if (dict(r.props.tags)[MULTI_SERVICE_ACCOUNT_TAG] === "true") {
    return;
  }
  const who = [
    ...[...subjects].sort(),
    ...[...patterns].sort().map((p) => `every service account matching ${p}`),
  ];
  report(
    `role ${r.name} is trusted by more than one service account (${who.join("; ")}); give each workload its own role, or declare it with the tag ${MULTI_SERVICE_ACCOUNT_TAG}: "true"`,
  );
}
