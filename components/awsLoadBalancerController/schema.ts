/**
 * The `loadBalancerController` section of a stack file: where the AWS Load Balancer Controller comes from.
 */
import { z } from "zod";
import { LOAD_BALANCER_CONTROLLER_MODES } from "../../model/enums";
import { k8sName } from "../../model/formats";

export const loadBalancerControllerSchema = z
  .strictObject({
    mode: z
      .enum(LOAD_BALANCER_CONTROLLER_MODES)
      .optional()
      .describe(
        "`install`: this stack installs the controller (chart aws-load-balancer-controller) with its own IAM role, before the ingress releases. `existing`: one already runs in the cluster and this stack only relies on it. `none`: no controller; only with `ingress.loadBalancer: in-tree`. Default: `none` with `ingress.loadBalancer: in-tree`, else `install` for `cluster.mode: new` and `existing` for an existing cluster.",
      ),
    namespace: k8sName
      .optional()
      .describe(
        "Namespace of the release and of its service account `aws-load-balancer-controller` (`install` only). Default: `kube-system`, where AWS's installation guide puts it.",
      ),
    replicas: z
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe(
        "Controller replicas (`install` only); with more than one, a PodDisruptionBudget keeps one running. Default: dev 1, prod 2 (prod requires at least 2).",
      ),
  })
  .describe(
    "The AWS Load Balancer Controller, which provisions the ingress instances' NLBs. Default: see `mode`.",
  );

export type LoadBalancerControllerInput = z.infer<typeof loadBalancerControllerSchema>;
