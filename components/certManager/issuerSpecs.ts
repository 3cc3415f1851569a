/**
 * ClusterIssuer manifests (cert-manager.io/v1) as data. Pure. Field names checked against cert-manager v1.21's
 * ClusterIssuer CRD.
 */
import type { CertManagerConfig } from "../../model/config";
import { ACME_ISSUERS, INTERNAL_CA_ISSUER, type AcmeIssuerName } from "../../model/enums";
import { LETSENCRYPT } from "../../model/letsencrypt";
/** The TLS secret with the internal CA's certificate and key, in cert-manager's namespace. */
export const INTERNAL_CA_SECRET = "internal-ca-root";

export interface Solver {
  selector?: { dnsZones: string[] };
  dns01?: { route53: { hostedZoneID: string; role?: string } };
  http01?: { ingress: { ingressClassName: string } };
}

export interface ClusterIssuerManifest {
  apiVersion: "cert-manager.io/v1";
  kind: "ClusterIssuer";
  metadata: { name: string };
  spec:
    | { acme: { email: string; server: string; privateKeySecretRef: { name: string }; solvers: Solver[] } }
    | { ca: { secretName: string } };
}

/**
 * Solvers: one Route53 DNS-01 solver per zone, pinned to its hosted zone ID (so the role needs no zone lookup),
 * selected by `dnsZones` (which also matches subdomains), with `role` when the zone lives in the central DNS
 * account. Region is left out: with IRSA the pod's AWS_REGION is used. Then HTTP-01 with no selector, which
 * cert-manager ranks last, so it only takes names no DNS-01 solver covers.
 */
export function acmeSolvers(cfg: CertManagerConfig): Solver[] {
  return [
    ...cfg.dns01Zones.map((zone): Solver => ({
      selector: { dnsZones: [zone.name] },
      dns01: { route53: { hostedZoneID: zone.zoneId, ...(zone.roleArn ? { role: zone.roleArn } : {}) } },
    })),
    ...(cfg.http01IngressClass
      ? [{ http01: { ingress: { ingressClassName: cfg.http01IngressClass } } }]
      : []),
  ];
}

export function acmeIssuer(name: AcmeIssuerName, cfg: CertManagerConfig): ClusterIssuerManifest {
  if (cfg.email === undefined) {
    throw new Error(
      `ClusterIssuer ${name} needs certManager.email (config resolution requires it with Let's Encrypt)`,
    );
  }
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name },
    spec: {
      acme: {
        email: cfg.email,
        server: LETSENCRYPT[name],
        // One ACME account key per issuer: staging and prod are separate Let's Encrypt accounts.
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: acmeSolvers(cfg),
      },
    },
  };
}

/**
 * Every ClusterIssuer of the stack, by name, in the order they are exported: the Let's Encrypt issuers unless
 * `letsEncrypt` is off, then the internal CA. Whether each needs the CA secret is the component's business.
 */
export function issuerManifests(cfg: CertManagerConfig): ClusterIssuerManifest[] {
  return [...(cfg.letsEncrypt ? ACME_ISSUERS.map((name) => acmeIssuer(name, cfg)) : []), caIssuer()];
}

export function caIssuer(): ClusterIssuerManifest {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: INTERNAL_CA_ISSUER },
    spec: { ca: { secretName: INTERNAL_CA_SECRET } },
  };
}
