/**
 * The certificates area: each Certificate that is not Ready, walked down to the first broken link of its chain.
 */
import type { Certificate, Challenge, ExpectedPlatform, Observed } from "../model";
import type { Findings } from "./findings";
import {
  type DiagnoseOptions,
  ACME_CHALLENGE_PATH,
  lower,
  withinDomain,
  overlaps,
  nsName,
  condition,
  LOG_PATTERNS,
} from "./findings";

const ownedBy = (meta: { ownerReferences?: { kind: string; name: string }[] }, kind: string, name: string) =>
  (meta.ownerReferences ?? []).some((o) => o.kind === kind && o.name === name);

const newest = <T extends { metadata: { creationTimestamp?: string } }>(list: T[]): T | undefined =>
  [...list].sort((a, b) =>
    (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""),
  )[0];

export function checkChallenge(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  ch: Challenge,
  cert: Certificate,
): void {
  const subject = `challenge ${nsName(ch.metadata)}`;
  const describe = `kubectl -n ${ch.metadata.namespace ?? "default"} describe challenge ${ch.metadata.name}`;
  const reason = ch.status?.reason ?? "";
  const base = [
    `state ${ch.status?.state ?? "(none)"}: ${reason || "(no reason)"}`,
    `certificate ${nsName(cert.metadata)}`,
  ];
  if (ch.spec.type === "HTTP-01") {
    const url = `http://${ch.spec.dnsName}${ACME_CHALLENGE_PATH}${ch.spec.token ?? ""}`;
    const answer = obs.http[url];
    if (
      answer?.status &&
      [301, 302, 307, 308].includes(answer.status) &&
      /^https:/i.test(answer.location ?? "")
    ) {
      out.add(
        "http01-https-redirect",
        "error",
        subject,
        `HTTPS redirect blocks HTTP-01: ${url} answers ${answer.status} to ${answer.location}, so the solver's answer on plain HTTP is never reached (cert-manager's self-check follows the redirect and gets the HTTPS site instead).`,
        [...base, `GET ${url} -> ${answer.status} Location: ${answer.location}`],
        `curl -sI ${url}`,
      );
      return;
    }
    out.add(
      "challenge-failed",
      "error",
      subject,
      `The HTTP-01 challenge for ${ch.spec.dnsName} is not passing: ${reason || "no reason recorded"}.`,
      [...base, answer ? `GET ${url} -> ${answer.status ?? answer.error ?? ""}` : `GET ${url} not tried`],
      describe,
    );
    return;
  }
  const fqdn = `_acme-challenge.${lower(ch.spec.dnsName.replace(/^\*\./, ""))}`;
  const zoneId =
    ch.spec.solver?.dns01?.route53?.hostedZoneID ??
    exp.certManager.dns01Zones.find((z) => withinDomain(ch.spec.dnsName, z.name))?.zoneId;
  const inZone = zoneId
    ? (obs.aws.records[zoneId] ?? []).some(
        (r) =>
          r.type === "TXT" && r.name === fqdn && r.values.some((v) => v.replace(/"/g, "") === ch.spec.key),
      )
    : false;
  const answer = obs.dns[fqdn];
  const isPublic = (answer?.txt ?? []).includes(ch.spec.key ?? "");
  const publicEvidence = `public resolvers: ${answer?.txt?.length ? answer.txt.join(" ") : (answer?.error ?? "no TXT")}`;
  // pkg/controller/acmechallenges/readiness.go and pkg/issuer/acme/dns/dns.go (v1.21.1): "Waiting for DNS-01
  // challenge propagation: DNS record for "<name>" not yet propagated" while the self-check fails.
  const waiting = /Waiting for DNS-01 challenge propagation/.test(reason);
  if (!inZone) {
    const events = obs.kubernetes.events
      .filter(
        (e) =>
          e.involvedObject.kind === "Challenge" &&
          e.involvedObject.name === ch.metadata.name &&
          e.type === "Warning",
      )
      .map((e) => `event ${e.reason ?? ""}: ${e.message ?? ""}`);
    const denied = events.some((e) => LOG_PATTERNS.accessDenied.test(e));
    out.add(
      "dns01-txt-missing",
      "error",
      subject,
      denied
        ? `cert-manager may not write ${fqdn} in zone ${zoneId ?? "(none)"}: Route53 refused its role (see events; cert-manager redacts AWS errors in the Challenge's reason).`
        : `The TXT record ${fqdn} is not in zone ${zoneId ?? "(no zone)"}: cert-manager has not presented it.`,
      [...base, ...events],
      describe,
    );
    return;
  }
  const shadows = [
    ...exp.privateZones.map((z) => z.name),
    ...obs.aws.hostedZones.filter((z) => z.private).map((z) => z.name),
  ].filter((z, i, all) => all.indexOf(z) === i && overlaps(z, ch.spec.dnsName.replace(/^\*\./, "")));
  if (waiting && shadows.length && exp.certManager.recursiveNameservers.length === 0) {
    out.add(
      "dns01-split-horizon",
      "error",
      subject,
      `Split horizon: the TXT record ${fqdn} is in public zone ${zoneId ?? ""}, but private zone ${shadows.join(", ")} overlaps the name, so the VPC resolver cert-manager asks answers from the private zone and the self-check never sees the record${isPublic ? "" : " (public resolvers do not return it either)"}.`,
      [
        ...base,
        `in Route53 zone ${zoneId ?? ""}: yes`,
        publicEvidence,
        `private zones: ${shadows.join(", ")}`,
      ],
      `pulumi config set --path 'certManager.recursiveNameservers[0]' 1.1.1.1:53 -s ${exp.stack}`,
    );
    return;
  }
  if (!isPublic) {
    out.add(
      "dns01-not-public",
      "error",
      subject,
      `The TXT record ${fqdn} is in Route53 zone ${zoneId ?? ""} but public resolvers do not return it: the zone is not the one the parent domain delegates to, or the change has not propagated yet.`,
      [...base, `in Route53 zone ${zoneId ?? ""}: yes`, publicEvidence],
      `dig +short TXT ${fqdn} @1.1.1.1`,
    );
    return;
  }
  out.add(
    "challenge-failed",
    "error",
    subject,
    `The DNS-01 challenge for ${ch.spec.dnsName} is not passing although its TXT record is public: ${reason || "no reason recorded"}.`,
    [...base, publicEvidence],
    describe,
  );
}

export function checkCertificates(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  brokenIssuers: Set<string>,
  opts: DiagnoseOptions,
): void {
  const k = obs.kubernetes;
  for (const cert of k.certificates) {
    if (opts.host && !(cert.spec.dnsNames ?? []).some((n) => lower(n) === lower(opts.host ?? ""))) {
      continue;
    }
    const ready = condition(cert, "Ready");
    if (ready?.status === "True") {
      continue;
    }
    const ns = cert.metadata.namespace ?? "default";
    const subject = `certificate ${nsName(cert.metadata)}`;
    const certEvidence = `Ready=${ready?.status ?? "(none)"} ${ready?.reason ?? ""}: ${ready?.message ?? ""}`;
    const issuer = cert.spec.issuerRef;
    if ((issuer.kind ?? "Issuer") === "ClusterIssuer" && brokenIssuers.has(issuer.name)) {
      out.add(
        "certificate-not-ready",
        "error",
        subject,
        `The certificate waits for ClusterIssuer ${issuer.name}, which is not Ready (see above).`,
        [certEvidence],
        `kubectl describe clusterissuer ${issuer.name}`,
      );
      continue;
    }
    const cr = newest(
      k.certificateRequests.filter(
        (r) => r.metadata.namespace === ns && ownedBy(r.metadata, "Certificate", cert.metadata.name),
      ),
    );
    const order =
      cr &&
      newest(
        k.orders.filter(
          (o) => o.metadata.namespace === ns && ownedBy(o.metadata, "CertificateRequest", cr.metadata.name),
        ),
      );
    const challenges = order
      ? k.challenges.filter(
          (c) => c.metadata.namespace === ns && ownedBy(c.metadata, "Order", order.metadata.name),
        )
      : [];
    const failing = challenges.find((c) => c.status?.state !== "valid");
    if (failing) {
      checkChallenge(out, exp, obs, failing, cert);
      continue;
    }
    if (order && ["invalid", "errored"].includes(order.status?.state ?? "")) {
      out.add(
        "order-failed",
        "error",
        `order ${nsName(order.metadata)}`,
        `The ACME order is ${order.status?.state ?? ""}: ${order.status?.reason ?? "no reason recorded"}.`,
        [`certificate ${nsName(cert.metadata)}`],
        `kubectl -n ${ns} describe order ${order.metadata.name}`,
      );
      continue;
    }
    const crReady = cr && condition(cr, "Ready");
    const denied = cr && condition(cr, "Denied");
    if (cr && (crReady?.reason === "Failed" || denied?.status === "True")) {
      const c = denied?.status === "True" ? denied : crReady;
      out.add(
        "certificate-request-failed",
        "error",
        `certificaterequest ${nsName(cr.metadata)}`,
        `The CertificateRequest failed: ${c?.reason ?? ""}: ${c?.message ?? ""}.`,
        [`certificate ${nsName(cert.metadata)}`],
        `kubectl -n ${ns} describe certificaterequest ${cr.metadata.name}`,
      );
      continue;
    }
    out.add(
      "certificate-not-ready",
      ready?.reason === "DoesNotExist" || crReady?.reason === "Pending" ? "warning" : "error",
      subject,
      `The certificate is not Ready (${ready?.reason ?? "no Ready condition"})${cr ? `; its request ${cr.metadata.name} is ${crReady?.reason ?? "without status"}` : "; no CertificateRequest yet"}.`,
      [certEvidence, ...(crReady ? [`request: ${crReady.reason ?? ""}: ${crReady.message ?? ""}`] : [])],
      `kubectl -n ${ns} describe certificate ${cert.metadata.name}`,
    );
  }
}
