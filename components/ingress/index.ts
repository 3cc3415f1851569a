/**
 * The F5 NGINX Ingress Controller add-on: one Helm release, IngressClass and NLB per instance.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IngressConfig } from "../../model/config";
import type { Scheme } from "../../model/enums";
import type { AddOn, AddOnOutputs, DeployContext } from "../addOn";
import { nginxIngressCrdsUrl } from "../versions";
import { LOAD_BALANCER_CONTROLLER } from "../awsLoadBalancerController";
import { NginxIngress } from "./nginxIngress";
import { resolveIngress } from "./resolve";
import { ingressSchema } from "./schema";

function deploy(cfg: IngressConfig, ctx: DeployContext): AddOnOutputs {
  // Cluster-scoped and shared by every instance. Installed whether or not an instance watches them yet, so
  // turning enableCustomResources on later finds them; kept on delete, because deleting a CRD deletes every
  // VirtualServer and Policy in the cluster. A remote component: its inputs (the versioned URL) show in a plan.
  const crds = new k8s.yaml.v2.ConfigFile(
    "nginx-ingress-crds",
    { file: nginxIngressCrdsUrl },
    { parent: ctx.parent, provider: ctx.provider, retainOnDelete: true },
  );
  const controller = ctx.needs(LOAD_BALANCER_CONTROLLER);
  const instances = cfg.instances.map((instance) => ({
    instance,
    controller: new NginxIngress(
      `ingress-${instance.key}`,
      {
        instance,
        loadBalancer: cfg.loadBalancer,
        namespace: ctx.namespace,
        provider: ctx.provider,
        crds,
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

export const ingressAddOn: AddOn<"ingress", typeof ingressSchema> = {
  key: "ingress",
  schema: ingressSchema,
  required: false,
  resolve: resolveIngress,
  roles: () => [],
  deploy,
};
