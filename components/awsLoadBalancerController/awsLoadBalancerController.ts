/**
 * The AWS Load Balancer Controller installed by this stack: its webhook certificate, made once with @pulumi/tls,
 * and the Helm release (helm.v3.Release keeps Helm's semantics: the chart's CRDs are installed with the release
 * and, as Helm does, never upgraded; docs/operations.md says what a chart bump needs).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ImagesConfig, LoadBalancerControllerConfig } from "../../model/config";
import { LOAD_BALANCER_CONTROLLER_RELEASE } from "../../model/naming";
import type { ServiceAccountBinding } from "../addOn";
import type { ReleaseSource } from "../versions";
import { loadBalancerControllerValues, webhookDnsNames } from "./values";

/** The chart generates its webhook certificates for 3650 days; ours live as long. */
const VALIDITY_HOURS = 24 * 3650;
/** A `pulumi up` in the last 30 days of validity replaces them (CA and certificate), and the release follows. */
const EARLY_RENEWAL_HOURS = 24 * 30;

export interface AwsLoadBalancerControllerArgs {
  /** Where the chart comes from (its upstream repository or a mirror), at the pinned version. */
  source: ReleaseSource;
  /** Where the images come from. */
  images: ImagesConfig;
  config: LoadBalancerControllerConfig;
  /** The service account of the controller's workload role. */
  serviceAccount: ServiceAccountBinding;
  clusterName: pulumi.Input<string>;
  region: string;
  vpcId: pulumi.Input<string>;
  /** Namespace of the release: the platform namespace's output when it is that one, so the release waits for it. */
  namespace: pulumi.Input<string>;
  /** Let Helm create the namespace (any namespace but kube-system and the platform's). */
  createNamespace: boolean;
  provider: k8s.Provider;
}

export class AwsLoadBalancerController extends pulumi.ComponentResource {
  /** The Helm release: with `atomic`, done only when the controller and its webhooks serve. */
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: AwsLoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:ingress:AwsLoadBalancerController", name, {}, opts);
    const cfg = args.config;
    const ecdsa = { algorithm: "ECDSA", ecdsaCurve: "P256" };
    const caKey = new tls.PrivateKey(`${name}-webhook-ca`, ecdsa, { parent: this });
    const ca = new tls.SelfSignedCert(
      `${name}-webhook-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        subject: { commonName: "aws-load-balancer-controller-ca" },
        validityPeriodHours: VALIDITY_HOURS,
        earlyRenewalHours: EARLY_RENEWAL_HOURS,
        isCaCertificate: true,
        allowedUses: ["cert_signing", "digital_signature"],
      },
      { parent: this },
    );
    const key = new tls.PrivateKey(`${name}-webhook`, ecdsa, { parent: this });
    const request = new tls.CertRequest(
      `${name}-webhook`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: LOAD_BALANCER_CONTROLLER_RELEASE },
        dnsNames: webhookDnsNames(cfg.namespace),
      },
      { parent: this },
    );
    const cert = new tls.LocallySignedCert(
      `${name}-webhook`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: VALIDITY_HOURS,
        earlyRenewalHours: EARLY_RENEWAL_HOURS,
        allowedUses: ["server_auth", "digital_signature", "key_encipherment"],
      },
      { parent: this },
    );
    this.release = new k8s.helm.v3.Release(
      LOAD_BALANCER_CONTROLLER_RELEASE,
      {
        name: LOAD_BALANCER_CONTROLLER_RELEASE,
        ...args.source,
        namespace: args.namespace,
        createNamespace: args.createNamespace,
        // A plain map of outputs, not one output: only the key below is secret, the rest stays readable in a plan.
        values: loadBalancerControllerValues<pulumi.Input<string>, pulumi.Input<Record<string, string>>>(
          cfg,
          { clusterName: args.clusterName, region: args.region, vpcId: args.vpcId },
          {
            name: args.serviceAccount.name,
            annotations: args.serviceAccount.annotations,
            podAnnotations: args.serviceAccount.podAnnotations,
          },
          { caCert: ca.certPem, cert: cert.certPem, key: pulumi.secret(key.privateKeyPem) },
          args.images,
        ),
        atomic: true,
        timeout: 600,
      },
      {
        parent: this,
        provider: args.provider,
        // A new namespace (loadBalancerController.namespace) replaces the release, create-first by default
        // (pulumi-kubernetes helm_release.go). The new release would render the ClusterRole and binding named
        // after it, the aws-load-balancer-webhook configurations (named by the chart, not the release) and the
        // `alb` IngressClass and IngressClassParams (createIngressClassResource defaults to true), all owned by
        // the old release: Helm refuses them, and two controllers would run at once. Delete the old one first.
        deleteBeforeReplace: true,
      },
    );
    this.registerOutputs({ releaseName: this.release.name });
  }
}
