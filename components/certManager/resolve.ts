/**
 * Resolution of the `certManager` section: the ACME solvers (Route53 DNS-01 per public zone, HTTP-01 on the
 * public ingress class), the internal CA and the tier's replicas.
 */
import type { CertManagerConfig, Dns01Zone } from "../../model/config";
import { commonDefaults, type TierDefaults } from "../../model/defaults";
import { INTERNAL_CA_ISSUER } from "../../model/enums";
import { domainsOverlap } from "../../model/naming";
import type { ResolveContext } from "../addOn";
import { singleClass } from "../ingress/resolve";
import type { CertManagerInput } from "./schema";

export function resolveCertManager(
  input: CertManagerInput | undefined,
  ctx: ResolveContext,
): CertManagerConfig | undefined {
  const { problems, dns, defaults: d, core } = ctx;
  const ingress = ctx.resolved.ingress;
  if (!input || !ctx.parsed("dns") || !ingress) {
    return undefined;
  }
  if (input.letsEncrypt === false) {
    return withoutLetsEncrypt(input, ctx);
  }
  if (input.email === undefined) {
    problems.add(
      "certManager.email",
      "required: the ACME account e-mail of the Let's Encrypt issuers (or certManager.letsEncrypt: false for the internal CA only)",
    );
  }
  const names = input.dns01Zones ?? dns.publicZones.map((z) => z.name);
  const dns01Zones: Dns01Zone[] = [];
  names.forEach((name, i) => {
    const zone = dns.publicZones.find((z) => z.name === name);
    if (zone) {
      dns01Zones.push({ ...zone, roleArn: dns.centralDnsAccount?.certManagerRoleArn });
    } else if (dns.privateZones.some((z) => z.name === name)) {
      problems.add(
        `certManager.dns01Zones[${i}]`,
        "a public zone: this is a private zone, and Let's Encrypt validates DNS-01 against public DNS, so it can never see the TXT record",
        name,
      );
    } else {
      problems.add(
        `certManager.dns01Zones[${i}]`,
        `one of dns.publicZones (${dns.publicZones.map((z) => z.name).join(", ") || "none configured"})`,
        name,
      );
    }
  });
  let http01IngressClass: string | undefined;
  if (input.http01 ?? commonDefaults.http01) {
    const found = singleClass(ingress, "internet-facing");
    http01IngressClass = input.http01IngressClass ?? found.className;
    if (http01IngressClass === undefined) {
      problems.add(
        "certManager.http01IngressClass",
        found.count === 0
          ? "a public ingress class for HTTP-01: no ingress instance is internet-facing (set certManager.http01: false to use DNS-01 only)"
          : "set: more than one ingress instance is internet-facing",
      );
    } else {
      const inst = ingress.instances.find((i) => i.className === http01IngressClass);
      if (!inst) {
        problems.add(
          "certManager.http01IngressClass",
          `one of the ingress classes (${ingress.instances.map((i) => i.className).join(", ")})`,
          http01IngressClass,
        );
      } else if (inst.scheme !== "internet-facing") {
        problems.add(
          "certManager.http01IngressClass",
          "an internet-facing ingress class: Let's Encrypt must reach the HTTP-01 solver",
          http01IngressClass,
        );
      }
    }
  }
  if (dns01Zones.length === 0 && http01IngressClass === undefined) {
    problems.add(
      "certManager",
      "at least one ACME solver: a public zone for DNS-01 or an internet-facing ingress class for HTTP-01",
    );
  }
  // A private zone attached to the VPC answers for its names inside the cluster: when it contains a DNS-01 zone,
  // or sits inside one, some `_acme-challenge` names resolve privately and cert-manager's self-check never passes.
  const shadowed = dns01Zones.some((pub) =>
    dns.privateZones.some((priv) => domainsOverlap(pub.name, priv.name)),
  );
  const recursiveNameservers =
    input.recursiveNameservers ?? (shadowed ? [...commonDefaults.recursiveNameservers] : []);
  return {
    namespace: core.namespace,
    serviceAccount: commonDefaults.serviceAccounts.certManager,
    letsEncrypt: true,
    email: input.email,
    defaultIssuer: input.defaultIssuer ?? d.defaultIssuer,
    dns01Zones,
    http01IngressClass,
    recursiveNameservers,
    replicas: d.certManagerReplicas,
    podDisruptionBudgets: d.certManagerPdb,
    internalCa: internalCa(input, core.environment, d),
  };
}

function internalCa(
  input: CertManagerInput,
  environment: string,
  d: TierDefaults,
): CertManagerConfig["internalCa"] {
  return {
    commonName: input.internalCa?.commonName ?? `${environment} internal CA`,
    organization: input.internalCa?.organization ?? commonDefaults.caOrganization,
    validityHours: input.internalCa?.validityHours ?? d.caValidityHours,
  };
}

/** The keys that configure ACME solvers: with the Let's Encrypt issuers off there is nothing for them to do. */
const ACME_KEYS = ["dns01Zones", "http01", "http01IngressClass", "recursiveNameservers"] as const;

/**
 * The internal CA alone (`letsEncrypt: false`): no ACME issuer, so no solver, no ACME e-mail and no Route53 rights
 * (an empty DNS-01 zone list gives cert-manager no workload role), and `internal-ca` as the default issuer.
 */
function withoutLetsEncrypt(input: CertManagerInput, ctx: ResolveContext): CertManagerConfig {
  const { problems, defaults: d, core } = ctx;
  for (const key of ACME_KEYS) {
    if (input[key] !== undefined && input[key] !== false) {
      problems.add(
        `certManager.${key}`,
        "not set: it configures the ACME solvers of the Let's Encrypt issuers, which certManager.letsEncrypt: false turns off",
        input[key],
      );
    }
  }
  if (input.defaultIssuer !== undefined && input.defaultIssuer !== INTERNAL_CA_ISSUER) {
    problems.add(
      "certManager.defaultIssuer",
      `${INTERNAL_CA_ISSUER}: the Let's Encrypt issuers are off (certManager.letsEncrypt: false)`,
      input.defaultIssuer,
    );
  }
  return {
    namespace: core.namespace,
    serviceAccount: commonDefaults.serviceAccounts.certManager,
    letsEncrypt: false,
    email: input.email,
    defaultIssuer: INTERNAL_CA_ISSUER,
    dns01Zones: [],
    http01IngressClass: undefined,
    recursiveNameservers: [],
    replicas: d.certManagerReplicas,
    podDisruptionBudgets: d.certManagerPdb,
    internalCa: internalCa(input, core.environment, d),
  };
}
