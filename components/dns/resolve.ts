/** Resolution of the `dns` section: the zones, checked for duplicates, and the central DNS account. */
import type { DnsConfig } from "../../model/config";
import type { Partition } from "../../model/enums";
import type { Problems } from "../../model/problems";
import type { DnsInput } from "./schema";

export function resolveDns(
  input: DnsInput | undefined,
  problems: Problems,
  partition: Partition = "aws",
): DnsConfig {
  const privateZones = input?.privateZones ?? [];
  const publicZones = input?.publicZones ?? [];
  const central = input?.centralDnsAccount;
  if (input) {
    checkZones(privateZones, publicZones, problems);
  }
  if (partition === "aws-us-gov" && publicZones.length > 0) {
    // AWS GovCloud (US) User Guide, "Amazon Route 53": "Route 53 public hosted zones are not available." A central
    // DNS account does not help: it would be a GovCloud account too, as IAM roles are not assumed across partitions.
    problems.add(
      "dns.publicZones",
      "no public zones in aws-us-gov: Route53 has no public hosted zones in AWS GovCloud (US), and a role in a commercial account cannot be assumed from it. Use private zones, the internal-ca issuer, and HTTP-01 for public names whose DNS is served elsewhere",
      publicZones.map((z) => z.name),
    );
  }
  if (input && central) {
    if (publicZones.length === 0) {
      problems.add(
        "dns.centralDnsAccount",
        "publicZones to go with it: the central DNS account holds the public zones",
      );
    }
    if (
      central.externalId !== undefined &&
      (central.certManagerRoleArn ?? central.externalDnsRoleArn) === central.externalDnsRoleArn
    ) {
      problems.add(
        "dns.centralDnsAccount.certManagerRoleArn",
        "a role of its own: externalId is set, and cert-manager's Route53 solver cannot send an external ID, so it cannot assume externalDnsRoleArn",
        central.certManagerRoleArn,
      );
    }
  }
  return {
    privateZones,
    publicZones,
    centralDnsAccount: central && {
      externalDnsRoleArn: central.externalDnsRoleArn,
      externalId: central.externalId,
      certManagerRoleArn: central.certManagerRoleArn ?? central.externalDnsRoleArn,
    },
  };
}

function checkZones(
  privateZones: DnsConfig["privateZones"],
  publicZones: DnsConfig["publicZones"],
  problems: Problems,
): void {
  if (privateZones.length + publicZones.length === 0) {
    problems.add("dns", "at least one zone in privateZones or publicZones");
  }
  const all = [
    ...privateZones.map((z, i) => ({ ...z, path: `dns.privateZones[${i}]` })),
    ...publicZones.map((z, i) => ({ ...z, path: `dns.publicZones[${i}]` })),
  ];
  all.forEach((zone, i) => {
    const first = all.findIndex((other) => other.zoneId === zone.zoneId);
    if (first !== i) {
      problems.add(
        `${zone.path}.zoneId`,
        `each zone ID once; ${all[first].path} has it already`,
        zone.zoneId,
      );
    }
  });
  for (const [list, label] of [
    [privateZones, "privateZones"],
    [publicZones, "publicZones"],
  ] as const) {
    list.forEach((zone, i) => {
      if (list.findIndex((other) => other.name === zone.name) !== i) {
        problems.add(`dns.${label}[${i}].name`, `each ${label} name once`, zone.name);
      }
    });
  }
}
