/**
 * The one adapter between the program and the doctor: every import of the program's configuration and naming is
 * here. It loads the stack file the way `commands/plan.ts` does (the same loader and checks as `pulumi up`) and turns
 * the validated configuration into the doctor's plain `ExpectedPlatform`.
 */
import type { PlatformConfig } from "../../model/config";
import { CLUSTER_ISSUERS, INTERNAL_CA_ISSUER } from "../../model/enums";
import {
  externalDnsReleaseName,
  ingressReleaseName,
  ingressServiceName,
  LOAD_BALANCER_CONTROLLER_RELEASE,
  roleKeys,
} from "../../model/naming";
import { WEBHOOK_SERVICE } from "../../components/awsLoadBalancerController/values";
import { loadPlatformConfig } from "../../stacks/config";
import { readStackConfig } from "../../offline/stackFile";
import type { ExpectedPlatform } from "./model";

/** Reads `Pulumi.<stack>.yaml` (or `stackFile`) and returns what the platform should look like. */
export function loadExpected(stack: string, stackFile?: string): ExpectedPlatform {
  const { config } = readStackConfig(stack, undefined, stackFile);
  return expectedFrom(loadPlatformConfig({ all: config, stack }));
}

/**
 * Releases that render a built-in role's service account (components/certManager, components/externalDns,
 * components/awsLoadBalancerController).
 */
function releaseOf(cfg: PlatformConfig, key: string): string | undefined {
  if (key === roleKeys.certManager) {
    return "cert-manager";
  }
  if (key === roleKeys.loadBalancerController) {
    return LOAD_BALANCER_CONTROLLER_RELEASE;
  }
  const dns = cfg.externalDns.find((e) => roleKeys.externalDns(e.name) === key);
  return dns ? externalDnsReleaseName(dns.name) : undefined;
}

export function expectedFrom(cfg: PlatformConfig): ExpectedPlatform {
  const zones = [...cfg.dns.privateZones, ...cfg.dns.publicZones];
  const cm = cfg.certManager;
  return {
    stack: cfg.stack,
    region: cfg.region,
    partition: cfg.partition,
    clusterName: cfg.cluster.name,
    oidcProviderArn: cfg.cluster.mode === "existing" ? cfg.cluster.oidcProviderArn : undefined,
    // components/cluster/clusterAccess.ts: a new cluster gets its provider, an existing one with createOidcProvider.
    createsOidcProvider: cfg.cluster.mode === "new" || cfg.cluster.createOidcProvider,
    namespace: cfg.namespace,
    // The program's one role list (model/config.ts IdentityConfig.roles), each with its binding.
    roles: cfg.identity.roles.map((spec) => ({
      key: spec.key,
      roleName: spec.roleName,
      namespace: spec.namespace,
      serviceAccount: spec.serviceAccount,
      binding: spec.binding,
      release: releaseOf(cfg, spec.key),
    })),
    ingresses: cfg.ingress.instances.map((i) => ({
      key: i.key,
      className: i.className,
      scheme: i.scheme,
      release: ingressReleaseName(i.key),
      serviceName: ingressServiceName(ingressReleaseName(i.key)),
    })),
    externalDns: cfg.externalDns.map((e) => ({
      name: e.name,
      release: externalDnsReleaseName(e.name),
      zoneType: e.zoneType,
      zones: e.zoneIds.map((id) => ({ zoneId: id, name: zones.find((z) => z.zoneId === id)?.name ?? id })),
      domainFilters: [...e.domainFilters],
      ownerId: e.ownerId,
      txtPrefix: e.txtPrefix,
      ingressClass: e.ingressClass,
      assumeRoleArn: e.assumeRole?.roleArn,
      assumeRoleExternalId: e.assumeRole?.externalId,
    })),
    certManager: {
      namespace: cm.namespace,
      serviceAccount: cm.serviceAccount,
      release: "cert-manager",
      // With `letsEncrypt: false` the internal CA's is the only ClusterIssuer the program creates.
      issuers: cm.letsEncrypt ? [...CLUSTER_ISSUERS] : [INTERNAL_CA_ISSUER],
      dns01Zones: cm.dns01Zones.map((z) => ({ name: z.name, zoneId: z.zoneId, roleArn: z.roleArn })),
      http01IngressClass: cm.http01IngressClass,
      recursiveNameservers: [...cm.recursiveNameservers],
    },
    privateZones: cfg.dns.privateZones.map((z) => ({ name: z.name, zoneId: z.zoneId })),
    loadBalancerController: {
      mode: cfg.loadBalancerController.mode,
      namespace: cfg.loadBalancerController.namespace,
      serviceAccount: cfg.loadBalancerController.serviceAccount,
      release: LOAD_BALANCER_CONTROLLER_RELEASE,
      webhookService: WEBHOOK_SERVICE,
    },
    installsPodIdentityAgent: cfg.identity.installPodIdentityAgent,
  };
}
