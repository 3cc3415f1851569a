/**
 * The cert-manager add-on's resources, declared when the program deploys. Apart from index.ts so that reading and checking
 * configuration (the doctor, the configuration reference, the config tests) does not load the component modules
 * and with them @pulumi/kubernetes: index.ts loads this file on the first deploy.
 */
import type { CertManagerConfig } from "../../model/config";
import { roleKeys } from "../../model/naming";
import type { AddOnOutputs, DeployContext } from "../addOn";
import { CertManager } from "./certManager";
import { releaseSource } from "../versions";
import { ClusterIssuers } from "./clusterIssuers";

export function deploy(cfg: CertManagerConfig, ctx: DeployContext): AddOnOutputs {
  const certManager = new CertManager(
    "cert-manager",
    {
      config: cfg,
      serviceAccount: ctx.serviceAccount(roleKeys.certManager),
      source: releaseSource("certManager", ctx.config.charts.mirrors.certManager),
      images: ctx.config.images,
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
