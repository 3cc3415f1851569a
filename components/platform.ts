/**
 * The whole edge of one environment: cluster access, IAM, the ingress controllers, external-dns and
 * cert-manager with its ClusterIssuers. index.ts creates one of these and exports its outputs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../stacks/config";
import { CONTRACT_VERSION, type PlatformOutputs } from "../stacks/outputs";
import { CertManager } from "./certManager";
import { ClusterAccess } from "./clusterAccess";
import { ClusterIssuers } from "./clusterIssuers";
import { ExternalDns } from "./externalDns";
import { NginxIngress } from "./nginxIngress";
import { PlatformIam } from "./platformIam";

export interface EdgePlatformArgs {
  /** The resolved, validated stack configuration. */
  config: PlatformConfig;
}

export type OutputValues = { [K in keyof PlatformOutputs]: pulumi.Output<PlatformOutputs[K]> };

const byKey = <T>(entries: [string, pulumi.Input<T>][]): pulumi.Output<Record<string, T>> =>
  pulumi.output(Object.fromEntries(entries)) as pulumi.Output<Record<string, T>>;

export class EdgePlatform extends pulumi.ComponentResource {
  /** Every stack output of the contract (stacks/outputs.ts). */
  readonly outputs: OutputValues;

  constructor(name: string, args: EdgePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:index:EdgePlatform", name, {}, opts);
    const cfg = args.config;
    const cluster = new ClusterAccess(
      "cluster",
      { cluster: cfg.cluster, region: cfg.region, tags: cfg.tags, protect: cfg.protect },
      { parent: this },
    );
    const provider = cluster.provider;
    const iam = new PlatformIam(
      "iam",
      { config: cfg, oidcProviderArn: cluster.oidcProviderArn },
      { parent: this },
    );
    const namespace = new k8s.core.v1.Namespace(
      cfg.namespace,
      { metadata: { name: cfg.namespace, labels: { "app.kubernetes.io/part-of": cfg.project } } },
      // Deleting the namespace would delete cert-manager, the ACME account keys and the internal CA secret.
      { parent: this, provider, protect: cfg.protect },
    );
    const ns = namespace.metadata.name;

    const ingresses = cfg.ingress.instances.map(
      (instance) =>
        new NginxIngress(
          `ingress-${instance.key}`,
          { instance, loadBalancer: cfg.ingress.loadBalancer, namespace: ns, provider },
          { parent: this },
        ),
    );
    const dns = cfg.externalDns.map(
      (instance) =>
        new ExternalDns(
          `external-dns-${instance.name}`,
          {
            instance,
            roleArn: iam.roles[`external-dns-${instance.name}`].roleArn,
            region: cfg.region,
            namespace: ns,
            provider,
          },
          { parent: this },
        ),
    );
    const certManager = new CertManager(
      "cert-manager",
      { config: cfg.certManager, roleArn: iam.roles["cert-manager"]?.roleArn, namespace: ns, provider },
      { parent: this },
    );
    const issuers = new ClusterIssuers(
      "cluster-issuers",
      {
        config: cfg.certManager,
        namespace: ns,
        certManagerRelease: certManager.release,
        provider,
        protect: cfg.protect,
      },
      { parent: this },
    );

    const classOf = (scheme: string) =>
      cfg.ingress.instances.find((i) => i.scheme === scheme)?.className ?? "";
    this.outputs = {
      contractVersion: pulumi.output(CONTRACT_VERSION),
      environment: pulumi.output(cfg.environment),
      tier: pulumi.output(cfg.tier),
      clusterName: cluster.clusterName,
      platformNamespace: ns,
      ingressClasses: byKey(ingresses.map((ing, i) => [cfg.ingress.instances[i].key, ing.ingressClassName])),
      defaultIngressClass: pulumi.output(
        cfg.ingress.instances.find((i) => i.isDefaultClass)?.className ?? "",
      ),
      publicIngressClass: pulumi.output(classOf("internet-facing")),
      internalIngressClass: pulumi.output(classOf("internal")),
      loadBalancerHostnames: byKey(
        ingresses.map((ing, i) => [cfg.ingress.instances[i].key, ing.loadBalancerHostname]),
      ),
      externalDnsOwnerIds: byKey(dns.map((d, i) => [cfg.externalDns[i].name, d.ownerId])),
      externalDnsZoneIds: byKey(dns.map((d, i) => [cfg.externalDns[i].name, d.zoneIds])),
      externalDnsDomainFilters: byKey(dns.map((d, i) => [cfg.externalDns[i].name, d.domainFilters])),
      externalDnsIngressClasses: byKey(dns.map((d, i) => [cfg.externalDns[i].name, d.ingressClass])),
      clusterIssuers: issuers.issuerNames,
      defaultClusterIssuer: issuers.defaultIssuer,
      internalCaCertificatePem: issuers.caCertificatePem,
      irsaRoleArns: iam.roleArns,
      serviceAccountAnnotations: byKey(
        Object.entries(iam.roles).map(([k, r]) => [k, r.serviceAccountAnnotations]),
      ),
    };
    this.registerOutputs(this.outputs);
  }
}
