/**
 * Reads that failed: one finding per distinct cause, naming every read it broke, with the command that addresses
 * that cause (not merely one that shows it).
 */
import type { ExpectedPlatform, Observed } from "../model";
import type { Findings } from "./findings";

/** Error codes of a name that did not resolve (Node's getaddrinfo and c-ares). */
const DNS_FAILURE = /\b(ENOTFOUND|EAI_AGAIN|ESERVFAIL|getaddrinfo)\b/;
const UNREACHABLE = /\b(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)\b/;
const NO_CREDENTIALS =
  /Could not load credentials|credential|ExpiredToken|security token .* (invalid|expired)/i;
const FORBIDDEN = /\b(403|Forbidden|Unauthorized|401)\b/;

const hostIn = (message: string) =>
  /(?:ENOTFOUND|EAI_AGAIN|ESERVFAIL)\s+([a-z0-9.-]+\.[a-z]{2,})/i.exec(message)?.[1] ??
  /https?:\/\/([a-z0-9.-]+)/i.exec(message)?.[1];

/** What a failed read is about, and the command that addresses its cause. */
export function readHint(
  exp: ExpectedPlatform,
  source: string,
  message: string,
): { area: string; next: string } {
  const kube = source.startsWith("kubernetes");
  const area = kube ? "Kubernetes" : /^(iam|route53|eks|sts)\b/.test(source) ? "AWS" : source;
  if (kube && /no kubeconfig/.test(source + message)) {
    return { area, next: `aws eks update-kubeconfig --name ${exp.clusterName} --region ${exp.region}` };
  }
  if (DNS_FAILURE.test(message)) {
    const host = hostIn(message);
    // The name did not resolve: the network or its resolver is the cause, not the credentials.
    return { area, next: host ? `nslookup ${host}` : "cat /etc/resolv.conf && nslookup amazonaws.com" };
  }
  if (UNREACHABLE.test(message)) {
    const host = hostIn(message);
    return {
      area,
      next: kube
        ? "kubectl cluster-info"
        : `curl -sS -o /dev/null -w '%{http_code}\\n' https://${host ?? `sts.${exp.region}.amazonaws.com`}`,
    };
  }
  if (source.startsWith("sts assume role")) {
    return {
      area,
      next: `npm run doctor -- ${exp.stack} --dns-role <a role in the DNS account you may assume>`,
    };
  }
  if (kube) {
    return { area, next: FORBIDDEN.test(message) ? "kubectl auth can-i --list" : "kubectl cluster-info" };
  }
  if (area === "AWS") {
    return {
      area,
      next: NO_CREDENTIALS.test(message)
        ? "aws sso login   # or export the stack account's credentials"
        : "aws sts get-caller-identity",
    };
  }
  return { area, next: `npm run doctor -- ${exp.stack} --json` };
}

/** One finding per distinct failure, naming every read it broke: no credentials is one cause, not twenty. */
export function reportReadErrors(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  const groups = new Map<
    string,
    { area: string; next: string; message: string; identity?: string; sources: string[] }
  >();
  for (const e of obs.readErrors) {
    const { area, next } = readHint(exp, e.source, e.message);
    const key = `${area}\u0000${e.message}\u0000${e.identity ?? ""}`;
    const group = groups.get(key) ?? { area, next, message: e.message, identity: e.identity, sources: [] };
    group.sources.push(e.source);
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    // An incomplete read is an error: the doctor cannot say the platform is healthy, and skips what depends on it.
    out.add(
      "read-failed",
      "error",
      g.sources.length === 1 ? g.sources[0] : `${g.area} (${g.sources.length} reads)`,
      `The doctor could not read ${g.sources.join(", ")}${g.identity ? ` as ${g.identity}` : ""}: ${g.message}. Checks that need it were skipped.`,
      [g.message],
      g.next,
    );
  }
}
