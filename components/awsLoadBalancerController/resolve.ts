/**
 * Resolution of the `loadBalancerController` section: the mode (from the cluster and the ingress annotations when
 * not given), and the contradictions between it and the rest of the stack.
 */
import type { LoadBalancerControllerConfig } from "../../model/config";
import { commonDefaults } from "../../model/defaults";
import type { LoadBalancerControllerMode, LoadBalancerMode } from "../../model/enums";
import type { ResolveContext } from "../addOn";
import type { IngressInput } from "../ingress/schema";
import type { LoadBalancerControllerInput } from "./schema";

const KEY = "loadBalancerController";

export function resolveLoadBalancerController(
  input: LoadBalancerControllerInput | undefined,
  ctx: ResolveContext,
): LoadBalancerControllerConfig | undefined {
  const { problems, cluster, core } = ctx;
  // The default mode follows the cluster; its own problems are reported already.
  if (!cluster) {
    return undefined;
  }
  // This add-on is listed before ingress (its release must come first), so it reads the ingress section's input;
  // a broken ingress section is reported there and not checked against here.
  const ingressClean = ctx.clean("ingress");
  const ingress = ingressClean ? (ctx.input("ingress") as IngressInput | undefined) : undefined;
  const loadBalancer: LoadBalancerMode = ingress?.loadBalancer ?? commonDefaults.loadBalancer;
  const fallback: LoadBalancerControllerMode =
    loadBalancer === "in-tree" ? "none" : cluster.mode === "new" ? "install" : "existing";
  const mode = input?.mode ?? fallback;
  const replicas = input?.replicas ?? ctx.defaults.loadBalancerControllerReplicas;

  if (ingressClean && input?.mode !== undefined) {
    if (mode === "none" && loadBalancer === "aws-load-balancer-controller") {
      problems.add(
        `${KEY}.mode`,
        "install or existing: ingress.loadBalancer is aws-load-balancer-controller, so without a controller nothing provisions the ingress NLBs (or set ingress.loadBalancer: in-tree)",
        mode,
      );
    }
    if (mode === "install" && loadBalancer === "in-tree") {
      problems.add(
        `${KEY}.mode`,
        "none or existing: ingress.loadBalancer is in-tree, so the ingress Services do not use a controller installed here (set ingress.loadBalancer: aws-load-balancer-controller to use it)",
        mode,
      );
    }
  }
  if (mode === "existing" && cluster.mode === "new") {
    problems.add(
      `${KEY}.mode`,
      "install: cluster.mode is new, and a cluster this stack creates has no controller running, so the ingress NLBs would never be provisioned",
      mode,
    );
  }
  if (mode !== "install") {
    for (const key of ["namespace", "replicas"] as const) {
      if (input?.[key] !== undefined) {
        problems.add(
          `${KEY}.${key}`,
          `not set: it applies only with ${KEY}.mode install, and mode is ${mode}`,
          input[key],
        );
      }
    }
  } else if (core.tier === "prod" && replicas < 2) {
    problems.add(
      `${KEY}.replicas`,
      "at least 2 in a prod tier (a single pod is a single point of failure)",
      replicas,
    );
  }
  return {
    mode,
    namespace: input?.namespace ?? commonDefaults.loadBalancerControllerNamespace,
    serviceAccount: commonDefaults.serviceAccounts.loadBalancerController,
    replicas,
    podDisruptionBudget: replicas > 1,
  };
}
