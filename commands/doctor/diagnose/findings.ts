/**
 * What every area of the diagnosis shares: the finding catalogue in causal order, the list findings are added to,
 * and small pure helpers on names, conditions and addresses.
 */
import type { Finding, PolicyStatement, RoleObserved, Ingress, Observed, Service, Severity } from "../model";

/**
 * Finding ids in causal order: a finding listed earlier can explain one listed later (identity before ingress,
 * before DNS records, before issuers, before certificates), so sorting by this list puts root causes first.
 */
export const FINDING_ORDER = [
  "read-failed",
  "oidc-provider-missing",
  "oidc-provider-audience-missing",
  "role-missing",
  "trust-wrong-provider",
  "trust-wrong-subject",
  "trust-wrong-audience",
  "trust-tag-session-missing",
  "pod-identity-agent-missing",
  "pod-identity-association-missing",
  "permission-denied",
  "chain-trust-tag-session-missing",
  "chain-trust-unchecked",
  "sa-missing",
  "sa-annotation-wrong",
  "pod-stale-role",
  "pod-started-before-role",
  "lb-controller-not-ready",
  "lb-controller-webhook-unavailable",
  "lb-controller-no-role",
  "ingress-controller-not-ready",
  "lb-address-missing",
  "ingressclass-missing",
  "ingress-address-missing",
  "externaldns-access-denied",
  "dns-no-instance",
  "dns-record-owned-by-other",
  "dns-ownership-missing",
  "dns-record-missing",
  "dns-record-target-mismatch",
  "externaldns-throttled",
  "issuer-missing",
  "acme-contact-rejected",
  "issuer-not-ready",
  "http01-https-redirect",
  "dns01-txt-missing",
  "dns01-split-horizon",
  "dns01-not-public",
  "challenge-failed",
  "order-failed",
  "certificate-request-failed",
  "certificate-not-ready",
] as const;

export type FindingId = (typeof FINDING_ORDER)[number];

export interface DiagnoseOptions {
  /** Only this host for the external-dns and certificate checks (`--host`). */
  host?: string;
}

export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
export const STS_AUDIENCE = "sts.amazonaws.com";
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";
/** What restores what the stack owns after drift: a refresh reads the live state, the update writes the stack's. */
export const restore = (exp: { stack: string }) => `pulumi up --refresh -s ${exp.stack}`;
export const ACME_CHALLENGE_PATH = "/.well-known/acme-challenge/";

export class Findings {
  readonly list: Finding[] = [];
  add(
    id: FindingId,
    severity: Severity,
    subject: string,
    message: string,
    evidence: string[],
    next: string,
  ): void {
    this.list.push({ id, severity, subject, message, evidence, next });
  }
}

// ---- small helpers --------------------------------------------------------------------------------------------

export const lower = (name: string) => name.toLowerCase().replace(/\.$/, "");

export function withinDomain(name: string, domain: string): boolean {
  const n = lower(name);
  const d = lower(domain);
  return n === d || n.endsWith(`.${d}`);
}

export const overlaps = (a: string, b: string) => withinDomain(a, b) || withinDomain(b, a);

export const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export const nsName = (meta: { namespace?: string; name: string }) => `${meta.namespace ?? ""}/${meta.name}`;

export function condition(
  obj: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } },
  type: string,
) {
  return obj.status?.conditions?.find((c) => c.type === type);
}

export function addresses(obj: Service | Ingress): string[] {
  return (obj.status?.loadBalancer?.ingress ?? [])
    .flatMap((a) => [a.hostname, a.ip])
    .filter((a): a is string => !!a);
}

/**
 * The ownership TXT record's name for a record, as external-dns 0.21.0's TXT registry builds it with a prefix
 * (registry/mapper/mapper.go `ToTXTName`): `%{record_type}` in the prefix becomes the lower-case record type and
 * the prefix goes before the first label; a prefix without it gets `<type>-` in front of the first label.
 */
export function ownershipTxtName(prefix: string, host: string, recordType: string): string {
  const type = recordType.toLowerCase();
  const [first, ...rest] = lower(host).split(".");
  const template = "%{record_type}";
  const label = prefix.includes(template) ? first : `${type}-${first}`;
  const name = `${prefix.split(template).join(type)}${label}`;
  return rest.length ? `${name}.${rest.join(".")}` : name;
}

/** `external-dns/owner=<id>` from a TXT registry value (endpoint/labels.go, `heritage=external-dns,...`). */
export function ownerOf(value: string): string | undefined {
  const text = value.replace(/^"|"$/g, "");
  if (!text.includes("heritage=external-dns")) {
    return undefined;
  }
  return /external-dns\/owner=([^,"]+)/.exec(text)?.[1];
}

export function roleArnToOidcProvider(roleArn: string, issuerUrl: string): string {
  const account = roleArn.split(":")[4];
  const partition = roleArn.split(":")[1];
  return `arn:${partition}:iam::${account}:oidc-provider/${issuerUrl.replace(/^https:\/\//, "")}`;
}

export function deploymentOfPod(pod: Observed["kubernetes"]["pods"][number], fallback?: string): string {
  if (fallback) {
    return fallback;
  }
  const rs = pod.metadata.ownerReferences?.find((o) => o.kind === "ReplicaSet")?.name;
  const hash = pod.metadata.labels?.["pod-template-hash"];
  return rs && hash && rs.endsWith(`-${hash}`) ? rs.slice(0, -hash.length - 1) : (rs ?? pod.metadata.name);
}

/** True when a read whose source starts with `prefix` failed: its (empty) data must not be read as "missing". */
export const unread = (obs: Observed, prefix: string) =>
  obs.readErrors.some((e) => e.source.startsWith(prefix) || e.source === prefix.split(" ")[0]);

export const LOG_PATTERNS = {
  accessDenied: /AccessDenied|not authorized to perform|WebIdentityErr|InvalidIdentityToken/i,
  // plan/plan.go (external-dns v0.21.0) logs "Skipping endpoint ... because owner id does not match".
  notOwner: /owner id does not match|not owned by|another owner/i,
  throttling: /Throttling|Rate exceeded/i,
};

export const SEVERITY_ORDER: Severity[] = ["error", "warning", "info"];

/**
 * Errors first (a warning or a note never explains an error in this catalogue), then by causal order, then by
 * subject so the output is stable.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => FINDING_ORDER.indexOf(f.id as FindingId);
  const sev = (f: Finding) => SEVERITY_ORDER.indexOf(f.severity);
  return [...findings].sort(
    (a, b) => sev(a) - sev(b) || rank(a) - rank(b) || a.subject.localeCompare(b.subject),
  );
}

/** The trust statements that allow `action` (or `sts:*`). */
export function trustStatements(role: RoleObserved, action: string): PolicyStatement[] {
  return role.trust.Statement.filter(
    (s) => s.Effect === "Allow" && asList(s.Action).some((a) => a === action || a === "sts:*"),
  );
}
