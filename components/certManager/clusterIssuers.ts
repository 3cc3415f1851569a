/**
 * The ClusterIssuers application teams use: Let's Encrypt staging and prod (unless `certManager.letsEncrypt` is
 * false), and an internal CA whose root key and certificate are made here with @pulumi/tls (the key stays a secret
 * in state).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { CertManagerConfig } from "../../model/config";
import { INTERNAL_CA_SECRET, issuerManifests, type ClusterIssuerManifest } from "./issuerSpecs";

export interface ClusterIssuersArgs {
  /** cert-manager settings, from stack config. */
  config: CertManagerConfig;
  /** cert-manager's namespace: ClusterIssuers read their secrets there. */
  namespace: pulumi.Input<string>;
  /** The cert-manager release: it installs the ClusterIssuer CRD, so every issuer depends on it. */
  certManagerRelease: pulumi.Resource;
  /** The cluster's Kubernetes provider. */
  provider: k8s.Provider;
  /**
   * Protect the CA key (replacing it breaks trust in every internal certificate). The certificate is never
   * protected: it must renew (a replacement with the same key) and take subject or validity changes.
   */
  protect: boolean;
}

export class ClusterIssuers extends pulumi.ComponentResource {
  /** Names of all ClusterIssuers. */
  readonly issuerNames: pulumi.Output<string[]>;
  /** The environment's default issuer. */
  readonly defaultIssuer: pulumi.Output<string>;
  /** PEM of the internal CA certificate (public part only) for other teams' trust stores. */
  readonly caCertificatePem: pulumi.Output<string>;
  /** When the internal CA certificate expires (RFC 3339), for monitoring. */
  readonly caNotAfter: pulumi.Output<string>;

  constructor(name: string, args: ClusterIssuersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:tls:ClusterIssuers", name, {}, opts);
    const cfg = args.config;
    const ca = cfg.internalCa;
    const key = new tls.PrivateKey(
      "internal-ca",
      { algorithm: "ECDSA", ecdsaCurve: "P384" },
      { parent: this, protect: args.protect },
    );
    const cert = new tls.SelfSignedCert(
      "internal-ca",
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: ca.commonName, organization: ca.organization },
        validityPeriodHours: ca.validityHours,
        // A `pulumi up` in the last 30 days of validity renews the certificate (same key).
        earlyRenewalHours: 24 * 30,
        isCaCertificate: true,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      },
      // Not protected: the TLS provider renews by replacement (terraform-provider-tls common_cert.go,
      // ready_for_renewal), and every input change replaces it too; a protected certificate would make each
      // such `pulumi up` fail. Certificates signed by the CA stay valid: they chain to the key, which is kept.
      { parent: this },
    );
    const secret = new k8s.core.v1.Secret(
      INTERNAL_CA_SECRET,
      {
        metadata: { name: INTERNAL_CA_SECRET, namespace: args.namespace },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": cert.certPem, "tls.key": pulumi.secret(key.privateKeyPem) },
      },
      // The provider updates it in place on renewal (enableSecretMutable, cluster/clusterAccess.ts), so the CA
      // issuer never sees its secret missing.
      { parent: this, provider: args.provider },
    );
    // Only the CA issuer reads the secret; `letsEncrypt: false` leaves it alone.
    const manifests: [ClusterIssuerManifest, pulumi.Resource[]][] = issuerManifests(cfg).map((m) => [
      m,
      "ca" in m.spec ? [secret] : [],
    ]);
    for (const [manifest, extra] of manifests) {
      new k8s.apiextensions.CustomResource(manifest.metadata.name, manifest, {
        parent: this,
        provider: args.provider,
        dependsOn: [args.certManagerRelease, ...extra],
      });
    }
    this.issuerNames = pulumi.output(manifests.map(([m]) => m.metadata.name));
    this.defaultIssuer = pulumi.output(cfg.defaultIssuer);
    this.caCertificatePem = cert.certPem;
    this.caNotAfter = cert.validityEndTime;
    this.registerOutputs({
      caNotAfter: this.caNotAfter,
      issuerNames: this.issuerNames,
      defaultIssuer: this.defaultIssuer,
      caCertificatePem: this.caCertificatePem,
    });
  }
}
