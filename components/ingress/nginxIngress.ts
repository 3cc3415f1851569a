/**
 * One F5 NGINX Ingress Controller instance: its own Helm release, IngressClass and NLB.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ImagesConfig, IngressInstanceConfig } from "../../model/config";
import type { LoadBalancerMode } from "../../model/enums";
import { ingressReleaseName, ingressServiceName } from "../../model/naming";
import type { ReleaseSource } from "../versions";
import { ingressValues } from "./values";

export interface NginxIngressArgs {
  /** The instance, from stack config. */
  instance: IngressInstanceConfig;
  /** Where the chart comes from (its upstream repository or a mirror), at the pinned version. */
  source: ReleaseSource;
  /** Where the images come from. */
  images: ImagesConfig;
  /** Which Service annotations provision the NLB. */
  loadBalancer: LoadBalancerMode;
  /** Namespace of the release. */
  namespace: pulumi.Input<string>;
  /** The cluster's Kubernetes provider. */
  provider: k8s.Provider;
  /** The controller's CRDs (installed once per cluster): the release waits for them. */
  crds: pulumi.Resource[];
  /** What must be ready before the release: the AWS Load Balancer Controller's release when this stack installs it. */
  dependsOn: pulumi.Resource[];
}

export class NginxIngress extends pulumi.ComponentResource {
  /** IngressClass name Ingresses use to pick this controller. */
  readonly ingressClassName: pulumi.Output<string>;
  /** DNS name of the NLB in front of the controller, from the Service's status. */
  readonly loadBalancerHostname: pulumi.Output<string>;
  /** The Helm release. */
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: NginxIngressArgs, opts?: pulumi.ComponentResourceOptions) {
    const renamedFrom = args.instance.renamedFrom;
    // After a key rename, the alias makes the new release the old one's successor (a replacement) instead of a
    // second release that would meet the old one's IngressClass.
    const previous = renamedFrom === undefined ? undefined : ingressReleaseName(renamedFrom);
    super(
      "eks-platform:ingress:NginxIngress",
      name,
      {},
      {
        ...opts,
        aliases: [...(opts?.aliases ?? []), ...(previous ? [{ name: previous }] : [])],
      },
    );
    const release = ingressReleaseName(args.instance.key);
    this.release = new k8s.helm.v3.Release(
      release,
      {
        name: release,
        ...args.source,
        namespace: args.namespace,
        values: ingressValues(args.instance, args.loadBalancer, args.images),
        // The CRDs come from their own resource (args.crds): Helm would apply the chart's only on install.
        skipCrds: true,
        atomic: true,
        timeout: 600,
      },
      {
        parent: this,
        provider: args.provider,
        // Helm waits for a LoadBalancer Service's address: the controller that provisions it must be up first.
        dependsOn: [...args.crds, ...args.dependsOn],
        aliases: previous ? [{ name: previous }] : [],
        // A replacement (a new namespace, a renamed key) renders the same IngressClass, which the old release
        // owns until it is deleted (pulumi-kubernetes replaces releases create-before-delete): delete it first.
        deleteBeforeReplace: true,
      },
    );
    // Read the Service the chart made, after the release: its status carries the NLB's DNS name. The ID is
    // unknown in a first preview, so the read is skipped then instead of failing on a Service not yet there.
    const service = k8s.core.v1.Service.get(
      `${release}-service`,
      pulumi.interpolate`${this.release.status.namespace}/${ingressServiceName(release)}`,
      { parent: this, provider: args.provider, dependsOn: [this.release] },
    );
    this.ingressClassName = pulumi.output(args.instance.className);
    this.loadBalancerHostname = service.status.loadBalancer.ingress.apply(
      (ingress) => ingress?.[0]?.hostname ?? "",
    );
    this.registerOutputs({
      ingressClassName: this.ingressClassName,
      loadBalancerHostname: this.loadBalancerHostname,
    });
  }
}
