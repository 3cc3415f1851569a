/**
 * Resolution of the `externalDns` section: the `private` instance for the private zones and the `central`
 * instance for the public zones, each scoped to its own zones, class and owner ID, and the checks that keep the
 * two from touching each other's records.
 */
import type { ExternalDnsInstanceConfig, Zone } from "../../model/config";
import { commonDefaults } from "../../model/defaults";
import type { ExternalDnsInstanceName } from "../../model/enums";
import { externalDnsOwnerId, externalDnsReleaseName } from "../../model/naming";
import type { ResolveContext } from "../addOn";
import { singleClass } from "../ingress/resolve";
import type { ExternalDnsInput, ExternalDnsInstanceInput } from "./schema";

export function resolveExternalDns(
  input: ExternalDnsInput | undefined,
  ctx: ResolveContext,
): ExternalDnsInstanceConfig[] {
  const { problems, dns, cluster, core } = ctx;
  const ingress = ctx.resolved.ingress;
  // Without a cluster (its name is in the owner ID) or an ingress section there is nothing to check against;
  // their own problems are reported already.
  if (!cluster || !ingress) {
    return [];
  }
  const cfg = input ?? {};
  const policy = cfg.policy ?? ctx.defaults.externalDnsPolicy;
  const txtPrefix = cfg.txtPrefix ?? commonDefaults.txtPrefix;
  const classNames = ingress.instances.map((i) => i.className);
  const plan: [
    ExternalDnsInstanceName,
    readonly Zone[],
    readonly Zone[],
    ExternalDnsInstanceInput | undefined,
  ][] = [
    ["private", dns.privateZones, dns.publicZones, cfg.private],
    ["central", dns.publicZones, dns.privateZones, cfg.central],
  ];
  const out: ExternalDnsInstanceConfig[] = [];
  for (const [name, own, others, given] of plan) {
    const key = `externalDns.${name}`;
    const kind = name === "private" ? "privateZones" : "publicZones";
    if (own.length === 0) {
      if (given) {
        problems.add(key, `dns.${kind} to manage: this instance exists only when dns.${kind} is not empty`);
      }
      continue;
    }
    const zoneIds = given?.zoneIds ?? own.map((z) => z.zoneId);
    zoneIds.forEach((id, i) => {
      if (!own.some((z) => z.zoneId === id)) {
        const wrongKind = others.some((z) => z.zoneId === id);
        problems.add(
          `${key}.zoneIds[${i}]`,
          wrongKind
            ? `a zone of dns.${kind}; this one is a ${name === "private" ? "public" : "private"} zone, which the other instance manages`
            : `one of the zone IDs in dns.${kind}`,
          id,
        );
      }
    });
    const domainFilters =
      given?.domainFilters ?? own.filter((z) => zoneIds.includes(z.zoneId)).map((z) => z.name);
    const scheme = name === "private" ? "internal" : "internet-facing";
    const found = singleClass(ingress, scheme);
    const ingressClass = given?.ingressClass ?? found.className;
    if (ingressClass === undefined) {
      problems.add(
        `${key}.ingressClass`,
        `set: ${found.count === 0 ? "no" : "more than one"} ingress instance has scheme ${scheme}, so the class to watch cannot be chosen`,
      );
    } else if (!classNames.includes(ingressClass)) {
      problems.add(
        `${key}.ingressClass`,
        `one of the ingress classes (${classNames.join(", ")})`,
        ingressClass,
      );
    }
    const central = dns.centralDnsAccount;
    out.push({
      name,
      zoneType: name === "private" ? "private" : "public",
      ownerId: given?.ownerId ?? externalDnsOwnerId(core.environment, cluster.name, name),
      zoneIds,
      domainFilters,
      ingressClass: ingressClass ?? "",
      policy: given?.policy ?? policy,
      txtPrefix,
      namespace: core.namespace,
      serviceAccount: externalDnsReleaseName(name),
      assumeRole:
        name === "central" && central
          ? { roleArn: central.externalDnsRoleArn, externalId: central.externalId }
          : undefined,
    });
  }
  checkInstancesApart(out, ctx);
  return out;
}

/** Two instances must never manage the same records: distinct zones, owner IDs and classes. */
function checkInstancesApart(instances: readonly ExternalDnsInstanceConfig[], ctx: ResolveContext): void {
  const [a, b] = instances;
  if (!a || !b) {
    return;
  }
  const { problems } = ctx;
  const shared = a.zoneIds.filter((id) => b.zoneIds.includes(id));
  if (shared.length > 0 && ctx.clean("dns")) {
    problems.add(
      "externalDns.central.zoneIds",
      `no zone shared with externalDns.private.zoneIds (both list ${shared.join(", ")})`,
      b.zoneIds,
    );
  }
  // Domain filters may overlap: split horizon (a private zone named like a public one, or a parent of it) is
  // safe, because an instance lists and changes records only in the hosted zones its `--zone-id-filter` and
  // `--aws-zone-type` select. Those sets are disjoint (checked above; private against public by construction),
  // and the TXT ownership records live in each zone under each instance's own owner ID, so neither can see, let
  // alone delete, a record of the other. docs/architecture.md has the whole argument.
  if (a.ownerId === b.ownerId) {
    problems.add(
      "externalDns.central.ownerId",
      "an owner ID different from externalDns.private.ownerId",
      b.ownerId,
    );
  }
  if (a.ingressClass !== "" && a.ingressClass === b.ingressClass && ctx.clean("ingress")) {
    problems.add(
      "externalDns.central.ingressClass",
      "an ingress class different from externalDns.private.ingressClass",
      b.ingressClass,
    );
  }
}
