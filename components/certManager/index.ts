/**
 * The cert-manager add-on: the cert-manager release and its ClusterIssuers (Let's Encrypt staging and prod,
 * the internal CA).
 */
import type { CertManagerConfig } from "../../model/config";
import { roleKeys } from "../../model/naming";
import type { AddOn, AddOnOutputs, DeployContext } from "../addOn";
import { CertManager } from "./certManager";
import { ClusterIssuers } from "./clusterIssuers";
import { certManagerPolicy } from "./policy";
import { resolveCertManager } from "./resolve";
import { certManagerSchema } from "./schema";

function deploy(cfg: CertManagerConfig, ctx: DeployContext): AddOnOutputs {
  const certManager = new CertManager(
    "cert-manager",
    {
      config: cfg,
      serviceAccount: ctx.serviceAccount(roleKeys.certManager),
      namespace: ctx.namespace,
      provider: ctx.provider,
    },
    { parent: ctx.parent },
  );
  const issuers = new ClusterIssuers(
    "cluster-issuers",
    {
      config: cfg,
      namespace: ctx.namespace,
      certManagerRelease: certManager.release,
      provider: ctx.provider,
      protect: ctx.config.protect,
    },
    { parent: ctx.parent },
  );
  return {
    clusterIssuers: issuers.issuerNames,
    defaultClusterIssuer: issuers.defaultIssuer,
    internalCaCertificatePem: issuers.caCertificatePem,
    internalCaNotAfter: issuers.caNotAfter,
  };
}

export const certManagerAddOn: AddOn<"certManager", typeof certManagerSchema> = {
  key: "certManager",
  schema: certManagerSchema,
  required: true,
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
