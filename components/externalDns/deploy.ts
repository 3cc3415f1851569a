/**
 * The external-dns add-on's resources, declared when the program deploys. Apart from index.ts so that reading and checking
 * configuration (the doctor, the configuration reference, the config tests) does not load the component modules
 * and with them @pulumi/kubernetes: index.ts loads this file on the first deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ExternalDnsInstanceConfig } from "../../model/config";
import { roleKeys } from "../../model/naming";
import type { AddOnOutputs, DeployContext } from "../addOn";
import { releaseSource } from "../versions";
import { ExternalDns } from "./externalDns";

export function deploy(instances: readonly ExternalDnsInstanceConfig[], ctx: DeployContext): AddOnOutputs {
  const byName = <T>(pick: (inst: ExternalDnsInstanceConfig) => T) =>
    pulumi.output(Object.fromEntries(instances.map((inst) => [inst.name, pick(inst)])));
  for (const instance of instances) {
    const serviceAccount = ctx.serviceAccount(roleKeys.externalDns(instance.name));
    if (!serviceAccount) {
      throw new Error(`external-dns ${instance.name} has no workload role`);
    }
    new ExternalDns(
      `external-dns-${instance.name}`,
      {
        instance,
        serviceAccount,
        source: releaseSource("externalDns", ctx.config.charts.mirrors.externalDns),
        images: ctx.config.images,
        region: ctx.config.region,
        namespace: ctx.namespace,
        provider: ctx.provider,
      },
      { parent: ctx.parent },
    );
  }
  return {
    externalDnsOwnerIds: byName((i) => i.ownerId),
    externalDnsZoneIds: byName((i) => [...i.zoneIds]),
    externalDnsDomainFilters: byName((i) => [...i.domainFilters]),
    externalDnsIngressClasses: byName((i) => i.ingressClass),
  };
}
