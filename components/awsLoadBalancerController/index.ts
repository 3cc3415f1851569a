/**
 * The AWS Load Balancer Controller add-on: installed here (`install`), relied on (`existing`), or not used
 * (`none`, the in-tree load balancer mode). Listed before ingress: it provides its release under
 * LOAD_BALANCER_CONTROLLER, and the ingress releases depend on it, so its webhooks serve before any Service it
 * handles is created.
 */
import { roleKeys } from "../../model/naming";
import type { AddOn } from "../addOn";
import type * as Deployment from "./deploy";
import { loadBalancerControllerPolicy } from "./policy";
import { resolveLoadBalancerController } from "./resolve";
import { loadBalancerControllerSchema } from "./schema";

export { LOAD_BALANCER_CONTROLLER } from "./provides";

/** Loads the resources' module on the first deploy (deploy.ts says why). */
function deploy(...args: Parameters<typeof Deployment.deploy>): ReturnType<typeof Deployment.deploy> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("./deploy") as typeof Deployment).deploy(...args);
}

export const loadBalancerControllerAddOn: AddOn<
  "loadBalancerController",
  typeof loadBalancerControllerSchema
> = {
  key: "loadBalancerController",
  schema: loadBalancerControllerSchema,
  required: false,
  roleKeys: [roleKeys.loadBalancerController],
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
