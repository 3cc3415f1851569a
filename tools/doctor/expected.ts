/**
 * The one adapter between the program and the doctor: every import of the program's configuration and naming is
 * here. It loads the stack file the way `tools/plan.ts` does (the same loader and checks as `pulumi up`) and turns
 * the validated configuration into the doctor's plain `ExpectedPlatform`.
 */
import { loadPlatformConfig, type PlatformConfig } from "../../stacks/config";
import {
  certManagerPolicy,
  ecrOperatorPolicy,
  externalDnsPolicy,
  extraRolePolicy,
  type PolicyDocument,
} from "../../components/iamPolicies";
import { INTERNAL_CA_ISSUER, LETSENCRYPT } from "../../components/clusterIssuerSpecs";
import {
  externalDnsReleaseName,
  ingressReleaseName,
  ingressServiceName,
  irsaRoleName,
} from "../../components/naming";
import { readStackConfig } from "../harness";
import type { ExpectedPlatform } from "./model";

/** Reads `Pulumi.<stack>.yaml` (or `stackFile`) and returns what the platform should look like. */
export function loadExpected(stack: string, stackFile?: string): ExpectedPlatform {
  const { config } = readStackConfig(stack, undefined, stackFile);
  return expectedFrom(loadPlatformConfig({ all: config, stack }));
}

/** Releases that render a built-in role's service account (components/certManager.ts, externalDns.ts). */
function releaseOf(cfg: PlatformConfig, key: string): string | undefined {
  if (key === "cert-manager") {
    return "cert-manager";
  }
  const dns = cfg.externalDns.find((e) => `external-dns-${e.name}` === key);
  return dns ? externalDnsReleaseName(dns.name) : undefined;
}

/**
 * The workload roles, as components/platformIam.ts `roleSpecs` lists them: that module loads @pulumi/aws (about
 * five seconds), so the same list is rebuilt here from the pure policy builders. A role whose policy has no
 * statement is not created (cert-manager with HTTP-01 only).
 */
function workloadRoles(cfg: PlatformConfig): { key: string; namespace: string; serviceAccount: string }[] {
  const cm = cfg.certManager;
  const specs: { key: string; namespace: string; serviceAccount: string; policy: PolicyDocument }[] = [
    {
      key: "cert-manager",
      namespace: cm.namespace,
      serviceAccount: cm.serviceAccount,
      policy: certManagerPolicy(cm.dns01Zones, { allZonesPinned: true }),
    },
    ...cfg.externalDns.map((e) => ({
      key: `external-dns-${e.name}`,
      namespace: e.namespace,
      serviceAccount: e.serviceAccount,
      policy: externalDnsPolicy(e),
    })),
    ...(cfg.ecr
      ? [
          {
            key: "ecr-operator",
            namespace: cfg.ecr.namespace,
            serviceAccount: cfg.ecr.serviceAccount,
            policy: ecrOperatorPolicy(cfg.ecr),
          },
        ]
      : []),
    ...cfg.iam.extraRoles.map((r) => ({
      key: r.key,
      namespace: r.namespace,
      serviceAccount: r.serviceAccount,
      policy: extraRolePolicy(r.statements),
    })),
  ];
  return specs.filter((s) => s.policy.Statement.length > 0);
}

export function expectedFrom(cfg: PlatformConfig): ExpectedPlatform {
  const zones = [...cfg.dns.privateZones, ...cfg.dns.publicZones];
  const cm = cfg.certManager;
  return {
    stack: cfg.stack,
    region: cfg.region,
    clusterName: cfg.cluster.name,
    oidcProviderArn: cfg.cluster.mode === "existing" ? cfg.cluster.oidcProviderArn : undefined,
    namespace: cfg.namespace,
    // Every role is IRSA today (components/irsaRole.ts); Pod Identity bindings are checked when one appears.
    roles: workloadRoles(cfg).map((spec) => ({
      key: spec.key,
      roleName: irsaRoleName(cfg.environment, spec.key, spec.namespace),
      namespace: spec.namespace,
      serviceAccount: spec.serviceAccount,
      binding: "irsa",
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
    })),
    certManager: {
      namespace: cm.namespace,
      serviceAccount: cm.serviceAccount,
      release: "cert-manager",
      issuers: [...Object.keys(LETSENCRYPT), INTERNAL_CA_ISSUER],
      dns01Zones: cm.dns01Zones.map((z) => ({ name: z.name, zoneId: z.zoneId, roleArn: z.roleArn })),
      http01IngressClass: cm.http01IngressClass,
      recursiveNameservers: [...cm.recursiveNameservers],
    },
    privateZones: cfg.dns.privateZones.map((z) => ({ name: z.name, zoneId: z.zoneId })),
  };
}
