/**
 * Route53: the hosted zones and the records of every zone the stack's tools write. Zones in the central DNS
 * account are read through the role external-dns `central` (or cert-manager's solver) assumes there, or through
 * one the operator names (`--dns-role`): the operator's own credentials belong to the cluster's account.
 */
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { AwsObserved, ExpectedPlatform, RecordSet } from "../model";
import { read, type ReadErrors } from "./reads";

const stripDot = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Route53 returns `*` as `\052` and other specials octal-escaped. */
const unescapeName = (name: string) =>
  stripDot(name.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));

/** A TXT value as Route53 stores it (`"chunk" "chunk"`), joined like a resolver joins its strings. */
export function txtText(value: string): string {
  const chunks = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
  return chunks.length ? chunks.join("") : value;
}

export function recordSet(r: ResourceRecordSet): RecordSet {
  const type = r.Type ?? "";
  return {
    name: unescapeName(r.Name ?? ""),
    type,
    values: (r.ResourceRecords ?? []).map((v) =>
      type === "TXT" ? txtText(v.Value ?? "") : stripDot(v.Value ?? ""),
    ),
    ...(r.AliasTarget?.DNSName ? { aliasTarget: stripDot(r.AliasTarget.DNSName) } : {}),
  };
}

export async function allRecords(route53: Route53Client, zoneId: string): Promise<RecordSet[]> {
  const out: RecordSet[] = [];
  let start: {
    StartRecordName?: string;
    StartRecordType?: ResourceRecordSet["Type"];
    StartRecordIdentifier?: string;
  } = {};
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
    out.push(...(page.ResourceRecordSets ?? []).map(recordSet));
    if (!page.IsTruncated) {
      return out;
    }
    start = {
      StartRecordName: page.NextRecordName,
      StartRecordType: page.NextRecordType,
      StartRecordIdentifier: page.NextRecordIdentifier,
    };
  }
}

export async function hostedZones(route53: Route53Client): Promise<AwsObserved["hostedZones"]> {
  const zones: AwsObserved["hostedZones"] = [];
  let marker: string | undefined;
  do {
    const page = await route53.send(new ListHostedZonesCommand({ Marker: marker }));
    zones.push(
      ...(page.HostedZones ?? []).map((z) => ({
        id: (z.Id ?? "").replace(/^\/hostedzone\//, ""),
        name: stripDot(z.Name ?? ""),
        private: z.Config?.PrivateZone ?? false,
      })),
    );
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  return zones;
}

/** A role in another account the doctor assumes to read zones there, with the external ID its tool sends. */
export interface DnsRole {
  roleArn: string;
  externalId?: string;
}

/**
 * Who reads each zone: undefined for the operator's own credentials; for a zone of an instance that assumes a
 * role (or a DNS-01 zone with a solver role), that role, or the operator's `--dns-role` instead.
 */
export function zoneReaders(exp: ExpectedPlatform, dnsRole?: string): Map<string, DnsRole | undefined> {
  const readers = new Map<string, DnsRole | undefined>();
  const via = (roleArn: string | undefined, externalId?: string): DnsRole | undefined =>
    roleArn === undefined ? undefined : dnsRole ? { roleArn: dnsRole } : { roleArn, externalId };
  for (const e of exp.externalDns) {
    for (const z of e.zones) {
      if (!readers.has(z.zoneId)) {
        readers.set(z.zoneId, via(e.assumeRoleArn, e.assumeRoleExternalId));
      }
    }
  }
  for (const z of exp.certManager.dns01Zones) {
    if (!readers.has(z.zoneId)) {
      readers.set(z.zoneId, via(z.roleArn));
    }
  }
  return readers;
}

export async function readRecords(
  clients: { route53: Route53Client; identity: string },
  zoneIds: readonly string[],
  errors: ReadErrors,
): Promise<AwsObserved["records"]> {
  const records: AwsObserved["records"] = {};
  await Promise.all(
    zoneIds.map(async (id) => {
      const list = await read(
        errors,
        `route53 records of zone ${id}`,
        undefined as RecordSet[] | undefined,
        () => allRecords(clients.route53, id),
        clients.identity,
      );
      if (list) {
        records[id] = list;
      }
    }),
  );
  return records;
}
