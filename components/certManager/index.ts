/**
 * The cert-manager add-on: the cert-manager release and its ClusterIssuers (Let's Encrypt staging and prod,
 * the internal CA).
 */
import { roleKeys } from "../../model/naming";
import type { AddOn } from "../addOn";
import type * as Deployment from "./deploy";
import { certManagerPolicy } from "./policy";
import { resolveCertManager } from "./resolve";
import { certManagerSchema } from "./schema";

/** Loads the resources' module on the first deploy (deploy.ts says why). */
function deploy(...args: Parameters<typeof Deployment.deploy>): ReturnType<typeof Deployment.deploy> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("./deploy") as typeof Deployment).deploy(...args);
}

export const certManagerAddOn: AddOn<"certManager", typeof certManagerSchema> = {
  key: "certManager",
  schema: certManagerSchema,
  required: true,
  roleKeys: [roleKeys.certManager],
  resolve: resolveCertManager,
  roles: (cfg, core) => [
    {
      key: roleKeys.certManager,
      namespace: cfg.namespace,
      serviceAccount: cfg.serviceAccount,
      description: "cert-manager: Route53 DNS-01 challenges in the ACME zones",
      // Every solver pins its zone's hostedZoneID (issuerSpecs.ts), so the role needs no zone look-up.
      policy: certManagerPolicy(cfg.dns01Zones, { allZonesPinned: true, partition: core.partition }),
      configKey: "namespace",
    },
  ],
  deploy,
};
