/**
 * The external-dns add-on: the `private` instance (private zones) and the `central` instance (public zones,
 * possibly in a central DNS account), each its own Helm release with its own role.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ExternalDnsInstanceConfig } from "../../model/config";
import { roleKeys } from "../../model/naming";
import type { AddOn, AddOnOutputs, DeployContext } from "../addOn";
import { ExternalDns } from "./externalDns";
import { externalDnsPolicy } from "./policy";
import { resolveExternalDns } from "./resolve";
import { externalDnsSchema } from "./schema";

function deploy(instances: readonly ExternalDnsInstanceConfig[], ctx: DeployContext): AddOnOutputs {
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

export const externalDnsAddOn: AddOn<"externalDns", typeof externalDnsSchema> = {
  key: "externalDns",
  schema: externalDnsSchema,
  required: false,
  resolve: resolveExternalDns,
  roles: (instances, core) =>
    instances.map((e) => ({
      key: roleKeys.externalDns(e.name),
      namespace: e.namespace,
      serviceAccount: e.serviceAccount,
      description: `external-dns ${e.name}: records in the ${e.zoneType} zones${e.assumeRole ? " (through the central DNS account)" : ""}`,
      policy: externalDnsPolicy(e, core.partition),
      configKey: "namespace",
    })),
  deploy,
};
