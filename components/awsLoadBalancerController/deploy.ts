/**
 * The AWS Load Balancer Controller add-on's resources, declared when the program deploys. Apart from index.ts so that reading and checking
 * configuration (the doctor, the configuration reference, the config tests) does not load the component modules
 * and with them @pulumi/kubernetes: index.ts loads this file on the first deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LoadBalancerControllerConfig } from "../../model/config";
import { roleKeys } from "../../model/naming";
import type { AddOnOutputs, DeployContext } from "../addOn";
import { releaseSource } from "../versions";
import { AwsLoadBalancerController } from "./awsLoadBalancerController";
import { LOAD_BALANCER_CONTROLLER } from "./provides";

export function deploy(cfg: LoadBalancerControllerConfig, ctx: DeployContext): AddOnOutputs {
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
      source: releaseSource("awsLoadBalancerController", ctx.config.charts.mirrors.awsLoadBalancerController),
      images: ctx.config.images,
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
