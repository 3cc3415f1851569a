/**
 * The external-dns add-on: the `private` instance (private zones) and the `central` instance (public zones,
 * possibly in a central DNS account), each its own Helm release with its own role.
 */
import { EXTERNAL_DNS_INSTANCES } from "../../model/enums";
import { roleKeys } from "../../model/naming";
import type { AddOn } from "../addOn";
import type * as Deployment from "./deploy";
import { externalDnsPolicy } from "./policy";
import { resolveExternalDns } from "./resolve";
import { externalDnsSchema } from "./schema";

/** Loads the resources' module on the first deploy (deploy.ts says why). */
function deploy(...args: Parameters<typeof Deployment.deploy>): ReturnType<typeof Deployment.deploy> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("./deploy") as typeof Deployment).deploy(...args);
}

export const externalDnsAddOn: AddOn<"externalDns", typeof externalDnsSchema> = {
  key: "externalDns",
  schema: externalDnsSchema,
  required: false,
  roleKeys: EXTERNAL_DNS_INSTANCES.map(roleKeys.externalDns),
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
