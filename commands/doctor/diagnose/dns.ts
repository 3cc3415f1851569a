/**
 * The DNS area: each host is published by the external-dns instance that should own it, with its ownership record.
 */
import type { ExpectedExternalDns, ExpectedPlatform, Ingress, Observed, RecordSet } from "../model";
import type { IngressState } from "./ingress";
import type { Findings } from "./findings";
import {
  type DiagnoseOptions,
  lower,
  withinDomain,
  nsName,
  addresses,
  ownershipTxtName,
  ownerOf,
  LOG_PATTERNS,
} from "./findings";

function instanceLogs(obs: Observed, exp: ExpectedPlatform, inst: ExpectedExternalDns): string[] {
  const pods = obs.kubernetes.pods.filter(
    (p) =>
      p.metadata.namespace === exp.namespace &&
      (p.metadata.labels?.["app.kubernetes.io/instance"] === inst.release ||
        p.spec.serviceAccountName === inst.release),
  );
  return pods
    .flatMap((p) => (obs.kubernetes.logs[nsName(p.metadata)] ?? "").split("\n"))
    .filter((l) => l.trim());
}

interface HostToCheck {
  host: string;
  ingress?: Ingress;
}

function hostsToCheck(obs: Observed, opts: DiagnoseOptions): HostToCheck[] {
  const fromIngresses = obs.kubernetes.ingresses.flatMap((ing) =>
    (ing.spec?.rules ?? []).flatMap((r) => (r.host ? [{ host: lower(r.host), ingress: ing }] : [])),
  );
  if (!opts.host) {
    return fromIngresses;
  }
  const wanted = lower(opts.host);
  const matching = fromIngresses.filter((h) => h.host === wanted);
  return matching.length ? matching : [{ host: wanted }];
}

export function checkExternalDns(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  states: Map<string, IngressState>,
  opts: DiagnoseOptions,
): void {
  const logsOf = new Map(exp.externalDns.map((i) => [i.name, instanceLogs(obs, exp, i)]));
  for (const inst of exp.externalDns) {
    const lines = logsOf.get(inst.name) ?? [];
    const denied = lines.filter((l) => LOG_PATTERNS.accessDenied.test(l));
    if (denied.length) {
      out.add(
        "externaldns-access-denied",
        "error",
        `external-dns ${inst.name}`,
        `external-dns ${inst.name} is refused by AWS: it can neither read nor write its zones until its identity is fixed.`,
        denied.slice(-3),
        `kubectl -n ${exp.namespace} logs deploy/${inst.release} --since=1h`,
      );
    }
    const throttled = lines.filter((l) => LOG_PATTERNS.throttling.test(l));
    if (throttled.length) {
      out.add(
        "externaldns-throttled",
        "warning",
        `external-dns ${inst.name}`,
        `Route53 throttles external-dns ${inst.name}: changes arrive late (raise --interval or narrow its zones).`,
        throttled.slice(-3),
        `kubectl -n ${exp.namespace} logs deploy/${inst.release} --since=1h`,
      );
    }
  }

  for (const { host, ingress } of hostsToCheck(obs, opts)) {
    const className = ingress?.spec?.ingressClassName;
    if (ingress && (!className || !states.has(className))) {
      continue; // not served by this platform's controllers
    }
    const byDomain = exp.externalDns.filter((i) => i.domainFilters.some((d) => withinDomain(host, d)));
    const inst = className ? byDomain.find((i) => i.ingressClass === className) : byDomain[0];
    const subject = `host ${host}`;
    if (!inst) {
      const watcher = exp.externalDns.find((i) => i.ingressClass === className);
      // A class mismatch is a misconfiguration; a host outside every domain filter is simply managed elsewhere.
      out.add(
        "dns-no-instance",
        watcher && byDomain.length ? "error" : byDomain.length ? "warning" : "info",
        subject,
        watcher
          ? `No external-dns instance publishes ${host}: class ${className} is watched by ${watcher.name}, whose domains (${watcher.domainFilters.join(", ")}) do not include it.`
          : `No external-dns instance manages ${host}${className ? ` for class ${className}` : ""}.`,
        byDomain.map((i) => `${i.name} covers the domain but watches class ${i.ingressClass}`),
        ingress
          ? `kubectl -n ${ingress.metadata.namespace ?? "default"} get ingress ${ingress.metadata.name} -o yaml`
          : "npm run plan -- " + exp.stack,
      );
      continue;
    }
    const zone = [...inst.zones]
      .filter((z) => withinDomain(host, z.name))
      .sort((a, b) => b.name.length - a.name.length)[0];
    if (!zone) {
      continue;
    }
    const records = obs.aws.records[zone.zoneId];
    if (!records) {
      continue; // not read
    }
    const target = className ? (states.get(className)?.addresses ?? []) : [];
    if (ingress && addresses(ingress).length === 0) {
      continue; // no target yet: reported as ingress-address-missing
    }
    const listCmd = `aws route53 list-resource-record-sets --hosted-zone-id ${zone.zoneId} --query "ResourceRecordSets[?contains(Name, '${host}')]"`;
    const addressRecords = records.filter((r) => r.name === host && ["A", "AAAA", "CNAME"].includes(r.type));
    const types = addressRecords.length ? [...new Set(addressRecords.map((r) => r.type))] : ["A", "CNAME"];
    const txt = types.flatMap((t) =>
      records.filter((r) => r.type === "TXT" && r.name === ownershipTxtName(inst.txtPrefix, host, t)),
    );
    const owners = [...new Set(txt.flatMap((r) => r.values.map(ownerOf)).filter((o): o is string => !!o))];
    const notOwnerLogs = (logsOf.get(inst.name) ?? []).filter(
      (l) => LOG_PATTERNS.notOwner.test(l) && l.includes(host),
    );
    if (owners.length && !owners.includes(inst.ownerId)) {
      const other = exp.externalDns.find((i) => owners.includes(i.ownerId));
      out.add(
        "dns-record-owned-by-other",
        "error",
        subject,
        other
          ? `The record ${host} is owned by the other external-dns instance (${other.name}, owner ${other.ownerId}), so ${inst.name}, which should own it, leaves it alone.`
          : `The record ${host} is owned by ${owners.join(", ")}, not by ${inst.ownerId}: ${inst.name} never changes a record it does not own.`,
        [...txt.map((r) => `${r.name} TXT ${r.values.join(" ")}`), ...notOwnerLogs.slice(-2)],
        listCmd,
      );
      continue;
    }
    if (addressRecords.length && !txt.length) {
      out.add(
        "dns-ownership-missing",
        "error",
        subject,
        `The record ${host} exists without an ownership TXT record (${ownershipTxtName(inst.txtPrefix, host, types[0])}): external-dns ${inst.name} treats it as someone else's and never updates it.`,
        addressRecords.map(describeRecord),
        listCmd,
      );
      continue;
    }
    if (!addressRecords.length) {
      const lines = (logsOf.get(inst.name) ?? []).filter((l) => l.includes(host));
      out.add(
        "dns-record-missing",
        "error",
        subject,
        `external-dns ${inst.name} has not created ${host} in zone ${zone.name} (${zone.zoneId}).`,
        lines.slice(-3),
        `kubectl -n ${exp.namespace} logs deploy/${inst.release} --since=1h`,
      );
      continue;
    }
    const pointsTo = addressRecords.flatMap((r) => (r.aliasTarget ? [r.aliasTarget] : r.values.map(lower)));
    if (
      target.length &&
      !target.some((t) =>
        pointsTo.some((p) => lower(t) === p || p.endsWith(`.${lower(t)}`) || lower(t).endsWith(`.${p}`)),
      )
    ) {
      out.add(
        "dns-record-target-mismatch",
        "warning",
        subject,
        `The record ${host} points to ${pointsTo.join(", ")}, not to the load balancer of class ${className ?? ""} (${target.join(", ")}).`,
        addressRecords.map(describeRecord),
        listCmd,
      );
    }
  }
}

function describeRecord(r: RecordSet): string {
  return `${r.name} ${r.type} ${r.aliasTarget ? `ALIAS ${r.aliasTarget}` : r.values.join(" ")}`;
}
