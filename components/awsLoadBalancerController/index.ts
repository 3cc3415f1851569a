/**
 * The AWS Load Balancer Controller add-on: installed here (`install`), relied on (`existing`), or not used
 * (`none`, the in-tree load balancer mode). Listed before ingress: it provides its release under
 * LOAD_BALANCER_CONTROLLER, and the ingress releases depend on it, so its webhooks serve before any Service it
 * handles is created.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LoadBalancerControllerConfig } from "../../model/config";
import { roleKeys } from "../../model/naming";
import type { AddOn, AddOnOutputs, DeployContext } from "../addOn";
import { AwsLoadBalancerController } from "./awsLoadBalancerController";
import { loadBalancerControllerPolicy } from "./policy";
import { resolveLoadBalancerController } from "./resolve";
import { loadBalancerControllerSchema } from "./schema";

/** What this add-on provides to later ones (DeployContext.provide): the controller's release, when installed. */
export const LOAD_BALANCER_CONTROLLER = "aws-load-balancer-controller";

function deploy(cfg: LoadBalancerControllerConfig, ctx: DeployContext): AddOnOutputs {
  const managed = pulumi.output(cfg.mode === "install");
  if (cfg.mode !== "install") {
    return { loadBalancerControllerManaged: managed, loadBalancerControllerRoleArn: pulumi.output("") };
  }
  const serviceAccount = ctx.serviceAccount(roleKeys.loadBalancerController);
  if (!serviceAccount) {
    throw new Error("the AWS Load Balancer Controller has no workload role");
  }
  const inPlatformNamespace = cfg.namespace === ctx.config.namespace;
  const controller = new AwsLoadBalancerController(
    "aws-load-balancer-controller",
    {
      config: cfg,
      serviceAccount,
      clusterName: ctx.clusterName,
      region: ctx.config.region,
      vpcId: ctx.vpcId,
      namespace: inPlatformNamespace ? ctx.namespace : cfg.namespace,
      createNamespace: !inPlatformNamespace && cfg.namespace !== "kube-system",
      provider: ctx.provider,
    },
    { parent: ctx.parent },
  );
  ctx.provide(LOAD_BALANCER_CONTROLLER, [controller.release]);
  return { loadBalancerControllerManaged: managed, loadBalancerControllerRoleArn: serviceAccount.roleArn };
}

export const loadBalancerControllerAddOn: AddOn<
  "loadBalancerController",
  typeof loadBalancerControllerSchema
> = {
  key: "loadBalancerController",
  schema: loadBalancerControllerSchema,
  required: false,
  resolve: resolveLoadBalancerController,
  roles: (cfg, core) =>
    cfg.mode === "install"
      ? [
          {
            key: roleKeys.loadBalancerController,
            namespace: cfg.namespace,
            serviceAccount: cfg.serviceAccount,
            description:
              "AWS Load Balancer Controller: the NLBs and ALBs of this cluster's Services and Ingresses",
            // Upstream's policy exactly (policy.ts): the policy pack recognises it as this role's.
            policy: loadBalancerControllerPolicy(core.partition),
            configKey: "loadBalancerController.namespace",
          },
        ]
      : [],
  deploy,
};
