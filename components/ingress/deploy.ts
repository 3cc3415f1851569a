/**
 * The NGINX ingress add-on's resources, declared when the program deploys. Apart from index.ts so that reading and checking
 * configuration (the doctor, the configuration reference, the config tests) does not load the component modules
 * and with them @pulumi/kubernetes: index.ts loads this file on the first deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IngressConfig } from "../../model/config";
import type { Scheme } from "../../model/enums";
import type { AddOnOutputs, DeployContext } from "../addOn";
import { LOAD_BALANCER_CONTROLLER } from "../awsLoadBalancerController/provides";
import { nginxIngressCrds, releaseSource } from "../versions";
import { NginxIngressCrds, PREVIOUS_CONFIG_FILE } from "./nginxCrds";
import { NginxIngress } from "./nginxIngress";
import { rolloutNotes } from "./resolve";

export function deploy(cfg: IngressConfig, ctx: DeployContext): AddOnOutputs {
  // Cluster-scoped and shared by every instance. Installed whether or not an instance watches them yet, so
  // turning enableCustomResources on later finds them; kept on delete, because deleting a CRD deletes every
  // VirtualServer and Policy in the cluster. nginxCrds.ts says how they meet CRDs already in the cluster.
  const crds = new NginxIngressCrds(
    "nginx-ingress-crds",
    {
      pin: nginxIngressCrds,
      url: cfg.crdsUrl,
      kubeconfig: ctx.kubeconfig,
      previousConfigFileUrn: pulumi.createUrn(
        PREVIOUS_CONFIG_FILE,
        "kubernetes:yaml/v2:ConfigFile",
        ctx.parent,
      ),
    },
    { parent: ctx.parent },
  );
  for (const note of rolloutNotes(cfg)) void pulumi.log.warn(note);
  const controller = ctx.needs(LOAD_BALANCER_CONTROLLER);
  const instances = cfg.instances.map((instance) => ({
    instance,
    controller: new NginxIngress(
      `ingress-${instance.key}`,
      {
        instance,
        source: releaseSource("nginxIngress", ctx.config.charts.mirrors.nginxIngress),
        images: ctx.config.images,
        loadBalancer: cfg.loadBalancer,
        namespace: ctx.namespace,
        provider: ctx.provider,
        crds: crds.crds,
        dependsOn: controller,
      },
      { parent: ctx.parent },
    ),
  }));
  const classOf = (scheme: Scheme) => cfg.instances.find((i) => i.scheme === scheme)?.className ?? "";
  return {
    ingressClasses: pulumi.output(
      Object.fromEntries(instances.map((i) => [i.instance.key, i.controller.ingressClassName])),
    ),
    defaultIngressClass: pulumi.output(cfg.instances.find((i) => i.isDefaultClass)?.className ?? ""),
    publicIngressClass: pulumi.output(classOf("internet-facing")),
    internalIngressClass: pulumi.output(classOf("internal")),
    loadBalancerHostnames: pulumi.output(
      Object.fromEntries(instances.map((i) => [i.instance.key, i.controller.loadBalancerHostname])),
    ),
  };
}
