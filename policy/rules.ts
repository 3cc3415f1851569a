/**
 * The platform's invariants as pure functions over plain resource data. Nothing here needs the Pulumi engine:
 * each check takes `{ type, name, props, protect }` and a callback that receives one message per violation.
 * pack.ts turns the rule tables at the bottom into CrossGuard policies; the tests call them directly.
 *
 * Under `pulumi preview` the engine hands the pack a proxy that throws when a value is not known yet; the checks
 * never catch that error, so CrossGuard reports "can't run during preview" instead of a false verdict.
 */
import { LETSENCRYPT, TIER_LABEL, domainsOverlap, isReadOnlyAction, wildcardSpan } from "./facts";

/** One resource as a policy sees it. `props` are the inputs (resource rules) or the state (stack rules). */
export interface ResourceData {
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect: boolean;
  /** Only used to point stack-level violations at a resource. */
  urn?: string;
}

/** Receives one message per violation of a resource rule. */
export type Report = (message: string) => void;
/** Receives one message per violation of a stack rule, with the URN of the resource at fault when there is one. */
export type StackReport = (message: string, urn?: string) => void;

/** What a rule may need to know about the stack besides its resources. */
export interface RuleContext {
  /** Name of the stack being checked (from the resource URNs). */
  stack: string;
  /** Stack names treated as production when no namespace of the stack carries the tier label (see stackTier). */
  prodStacks: readonly string[];
}

export const TYPES = {
  role: "aws:iam/role:Role",
  policy: "aws:iam/policy:Policy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  oidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  release: "kubernetes:helm.sh/v3:Release",
  clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
  issuer: "kubernetes:cert-manager.io/v1:Issuer",
  namespace: "kubernetes:core/v1:Namespace",
} as const;

/** Tag that declares a role meant to be assumed by more than one service account. */
export const MULTI_SERVICE_ACCOUNT_TAG = "eks-platform/multi-service-account";

/** Stack names treated as production by the fallback rule when the pack's config does not say otherwise. */
export const DEFAULT_PROD_STACKS: readonly string[] = ["prod"];

/** ACME directories cert-manager may talk to: Let's Encrypt production and staging, as the issuers use them. */
export const LETS_ENCRYPT_DIRECTORIES: readonly string[] = [
  LETSENCRYPT["letsencrypt-prod"],
  LETSENCRYPT["letsencrypt-staging"],
];

/** Record policies external-dns understands. */
export const EXTERNAL_DNS_POLICIES: readonly string[] = ["sync", "upsert-only", "create-only"];

// ---- small readers for untyped data ----------------------------------------------------------------------------

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function dict(value: unknown): Dict {
  return isDict(value) ? value : {};
}

/** IAM's "string or list of strings", and Helm's lists: always a list of the strings in it. */
function strings(value: unknown): string[] {
  if (typeof value === "string") {
    return [value];
  }
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** A policy document given as JSON text (the usual case) or as an object. */
function parseDocument(value: unknown): { doc?: Dict; error?: string } {
  if (isDict(value)) {
    return { doc: value };
  }
  if (typeof value !== "string") {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { error: "is not valid JSON" };
  }
  return isDict(parsed) ? { doc: parsed } : { error: "is not a JSON object" };
}

function statementsOf(doc: Dict): Dict[] {
  const st = doc.Statement;
  return (Array.isArray(st) ? st : [st]).filter(isDict);
}

function statementLabel(st: Dict, index: number): string {
  return nonEmptyString(st.Sid) ? `"${st.Sid}"` : `#${index}`;
}

/** A statement by its index and, when it has one, its Sid: the index finds it, the Sid is what people wrote. */
function statementRef(st: Dict, index: number): string {
  return nonEmptyString(st.Sid) ? `#${index} (Sid "${st.Sid}")` : `#${index}`;
}

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

/**
 * No `Allow` of a write action on a resource whose wildcards span more than one named resource: `*`, a
 * wildcard partition, service, region or account, or a wildcard in the resource type or the top-level name
 * (every bucket, queue, table, hosted zone...; see wildcardSpan in facts.ts). `NotAction` counts as writes (it
 * allows everything else) and `NotResource` as a wildcard (it matches everything else). Each message names the
 * role (or the policy), the statement by index and Sid, the write actions and the resource.
 */
export function checkNoWildcardWrites(r: ResourceData, report: Report): void {
  for (const { label, value } of permissionDocuments(r)) {
    const { doc, error } = parseDocument(value);
    if (error) {
      report(`${label}: the document ${error}, so it cannot be checked`);
    }
    if (!doc) {
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

// ---- Helm releases ---------------------------------------------------------------------------------------------

function releaseName(r: ResourceData): string {
  return nonEmptyString(r.props.name) ? r.props.name : r.name;
}

function repoOf(r: ResourceData): string {
  const repo = dict(r.props.repositoryOpts).repo;
  return typeof repo === "string" ? repo : "";
}

/**
 * The chart's own name: the last path segment of `chart` (`oci://host/path/name`, `repo/name` or `name`), without
 * an OCI tag or digest.
 */
export function chartName(chart: unknown): string {
  if (typeof chart !== "string") {
    return "";
  }
  const last =
    chart
      .replace(/^[a-z]+:\/\//, "")
      .split("/")
      .pop() ?? "";
  return last.split("@")[0].split(":")[0];
}

/** An exact SemVer version, with an optional leading `v`: what Helm installs verbatim, never a range. */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Every release names an exact chart version: a range or no version lets a later run install another chart. */
export function checkChartVersionPinned(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.release) {
    return;
  }
  const version = r.props.version;
  const what = `release ${releaseName(r)} (chart ${String(r.props.chart)})`;
  if (!nonEmptyString(version)) {
    report(`${what} has no chart version; pin an exact one such as 1.2.3`);
  } else if (!EXACT_VERSION.test(version.trim())) {
    report(
      `${what} asks for chart version "${version}", which is not an exact version; pin one such as 1.2.3`,
    );
  }
}

const COMMUNITY_INGRESS_SOURCES = ["kubernetes.github.io/ingress-nginx", "registry.k8s.io/ingress-nginx"];

/**
 * Nothing from the retired community ingress-nginx project (its chart, its Helm repository or its registry); the
 * platform's controller is F5 NGINX's.
 */
export function checkNoCommunityIngressNginx(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.release) {
    return;
  }
  const chart = typeof r.props.chart === "string" ? r.props.chart : "";
  const name = chartName(chart);
  const source = [chart, repoOf(r)].find((s) => COMMUNITY_INGRESS_SOURCES.some((c) => s.includes(c)));
  if (name === "ingress-nginx" || /^ingress-nginx-\d.*\.tgz$/.test(name) || source !== undefined) {
    report(
      `release ${releaseName(r)} installs the retired community ingress-nginx (${source ?? chart}); use F5 NGINX's nginx-ingress chart`,
    );
  }
}

/**
 * cert-manager keeps its CRDs when the release goes (`crds.keep: true`): deleting the CRDs deletes every
 * Certificate and Issuer in the cluster. The deprecated `installCRDs` is not used.
 */
export function checkCertManagerKeepsCrds(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.release || chartName(r.props.chart) !== "cert-manager") {
    return;
  }
  const values = dict(r.props.values);
  if (dict(values.crds).keep !== true) {
    report(
      `cert-manager release ${releaseName(r)} does not set crds.keep: true; uninstalling it would delete the CRDs and with them every Certificate and Issuer`,
    );
  }
  if (values.installCRDs === true) {
    report(
      `cert-manager release ${releaseName(r)} sets the deprecated installCRDs; use crds.enabled and crds.keep instead`,
    );
  }
}

// ---- external-dns ----------------------------------------------------------------------------------------------

function isExternalDns(r: ResourceData): boolean {
  return r.type === TYPES.release && chartName(r.props.chart) === "external-dns";
}

/**
 * Every external-dns instance states its record policy (the chart's default and the application's differ) and
 * an owner ID for its TXT registry (without one, instances cannot tell their records apart).
 */
export function checkExternalDnsInstance(r: ResourceData, report: Report): void {
  if (!isExternalDns(r)) {
    return;
  }
  const values = dict(r.props.values);
  const name = releaseName(r);
  if (values.policy === undefined) {
    report(`external-dns release ${name} does not set policy; set ${EXTERNAL_DNS_POLICIES.join(", ")}`);
  } else if (typeof values.policy !== "string" || !EXTERNAL_DNS_POLICIES.includes(values.policy)) {
    report(
      `external-dns release ${name} has policy ${JSON.stringify(values.policy)}; expected one of ${EXTERNAL_DNS_POLICIES.join(", ")}`,
    );
  }
  if (!nonEmptyString(values.txtOwnerId)) {
    report(`external-dns release ${name} does not set txtOwnerId`);
  }
}

/** Values of a flag in extraArgs, given as a list (`--flag=v` or `--flag`, `v`) or as a map (`flag: v`). */
function flagValues(extraArgs: unknown, flag: string): string[] {
  if (Array.isArray(extraArgs)) {
    const args = strings(extraArgs);
    const out: string[] = [];
    args.forEach((arg, i) => {
      if (arg.startsWith(`--${flag}=`)) {
        out.push(arg.slice(flag.length + 3));
      } else if (arg === `--${flag}` && i + 1 < args.length) {
        out.push(args[i + 1]);
      }
    });
    return out;
  }
  const map = dict(extraArgs);
  return strings(map[flag] ?? map[`--${flag}`]);
}

function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, "");
}

interface DnsInstance {
  name: string;
  urn?: string;
  ownerId: string;
  zoneIds: string[];
  domains: string[];
}

function dnsInstance(r: ResourceData): DnsInstance {
  const values = dict(r.props.values);
  return {
    name: releaseName(r),
    urn: r.urn,
    ownerId: typeof values.txtOwnerId === "string" ? values.txtOwnerId : "",
    zoneIds: [...new Set(flagValues(values.extraArgs, "zone-id-filter"))],
    domains: [
      ...new Set(
        [...strings(values.domainFilters), ...flagValues(values.extraArgs, "domain-filter")]
          .map(normalizeDomain)
          .filter((d) => d !== ""),
      ),
    ],
  };
}

/**
 * Across the stack, no two external-dns instances share an owner ID, a hosted zone (`--zone-id-filter`) or a
 * domain (overlapping `domainFilters`): two instances on the same records delete each other's work under `sync`.
 * An instance with neither filter manages every zone it can see, so it overlaps every other instance.
 */
export function checkExternalDnsDisjoint(resources: readonly ResourceData[], report: StackReport): void {
  const instances = resources.filter(isExternalDns).map(dnsInstance);
  instances.forEach((a, i) => {
    for (const b of instances.slice(i + 1)) {
      const pair = `external-dns releases ${a.name} and ${b.name}`;
      if (a.ownerId !== "" && a.ownerId === b.ownerId) {
        report(`${pair} share the txtOwnerId "${a.ownerId}"`, b.urn);
      }
      for (const zone of a.zoneIds.filter((z) => b.zoneIds.includes(z))) {
        report(`${pair} both manage the hosted zone ${zone}`, b.urn);
      }
      for (const da of a.domains) {
        for (const db of b.domains.filter((d) => domainsOverlap(da, d))) {
          report(`${pair} have overlapping domainFilters "${da}" and "${db}"`, b.urn);
        }
      }
      for (const [self, other] of [
        [a, b],
        [b, a],
      ]) {
        if (self.zoneIds.length === 0 && self.domains.length === 0) {
          report(
            `external-dns release ${self.name} has neither --zone-id-filter nor domainFilters, so it manages every zone it can see, those of ${other.name} included`,
            self.urn,
          );
        }
      }
    }
  });
}

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
function checkProtectedIn(inProd: boolean) {
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
