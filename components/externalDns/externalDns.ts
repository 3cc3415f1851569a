/**
 * One external-dns instance (`private` or `central`): a Helm release whose service account is bound to the
 * instance's workload role.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExternalDnsInstanceConfig, ImagesConfig } from "../../model/config";
import { externalDnsReleaseName } from "../../model/naming";
import type { ServiceAccountBinding } from "../addOn";
import type { ReleaseSource } from "../versions";
import { externalDnsValues } from "./values";

export interface ExternalDnsArgs {
  /** The instance, from stack config. */
  instance: ExternalDnsInstanceConfig;
  /** The service account of the instance's workload role (its trust names this service account). */
  serviceAccount: ServiceAccountBinding;
  /** Where the chart comes from (its upstream repository or a mirror), at the pinned version. */
  source: ReleaseSource;
  /** Where the images come from. */
  images: ImagesConfig;
  /** AWS region for the SDK (Route53 itself is global). */
  region: string;
  /** Namespace of the release. */
  namespace: pulumi.Input<string>;
  /** The cluster's Kubernetes provider. */
  provider: k8s.Provider;
}

export class ExternalDns extends pulumi.ComponentResource {
  /** `txtOwnerId` of this instance. */
  readonly ownerId: pulumi.Output<string>;
  /** Hosted zone IDs it may write. */
  readonly zoneIds: pulumi.Output<string[]>;
  /** Domains it manages. */
  readonly domainFilters: pulumi.Output<string[]>;
  /** The IngressClass it watches. */
  readonly ingressClass: pulumi.Output<string>;

  constructor(name: string, args: ExternalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:dns:ExternalDns", name, {}, opts);
    const inst = args.instance;
    const release = externalDnsReleaseName(inst.name);
    new k8s.helm.v3.Release(
      release,
      {
        name: release,
        ...args.source,
        namespace: args.namespace,
        values: pulumi
          .all([args.serviceAccount.annotations, args.serviceAccount.podAnnotations])
          .apply(([annotations, podAnnotations]) =>
            externalDnsValues(
              inst,
              { name: args.serviceAccount.name, annotations, podAnnotations },
              args.region,
              args.images,
            ),
          ),
        atomic: true,
      },
      // Its ClusterRole and binding are named after the release: a replacement (a new namespace) deletes first.
      { parent: this, provider: args.provider, deleteBeforeReplace: true },
    );
    this.ownerId = pulumi.output(inst.ownerId);
    this.zoneIds = pulumi.output([...inst.zoneIds]);
    this.domainFilters = pulumi.output([...inst.domainFilters]);
    this.ingressClass = pulumi.output(inst.ingressClass);
    this.registerOutputs({
      ownerId: this.ownerId,
      zoneIds: this.zoneIds,
      domainFilters: this.domainFilters,
      ingressClass: this.ingressClass,
    });
  }
}
