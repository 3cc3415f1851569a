/**
 * Resolution of the `ingress` section: instances with the tier defaults applied, and the checks among them.
 */
import type { IngressConfig, IngressInstanceConfig } from "../../model/config";
import { commonDefaults } from "../../model/defaults";
import type { Scheme } from "../../model/enums";
import { HELM_RELEASE_NAME_MAX, ingressReleaseName } from "../../model/naming";
import type { ResolveContext } from "../addOn";
import { nginxIngressCrds } from "../versions";
import type { IngressInput, IngressInstanceInput } from "./schema";

export function resolveIngress(input: IngressInput | undefined, ctx: ResolveContext): IngressConfig {
  const { problems, defaults: d } = ctx;
  const given: Record<string, IngressInstanceInput> = input?.instances ?? {
    ...commonDefaults.ingressInstances,
  };
  const instances = Object.entries(given).map(([key, inst]): IngressInstanceConfig => ({
    key,
    className: inst.className,
    scheme: inst.scheme,
    isDefaultClass: inst.default ?? false,
    sourceRanges: inst.sourceRanges ?? [],
    replicas: inst.replicas ?? d.ingressReplicas,
    highAvailability: d.ingressHighAvailability,
    requests: d.ingressRequests,
    enableCustomResources: inst.enableCustomResources ?? false,
    renamedFrom: inst.renamedFrom,
  }));
  if (instances.length === 0) {
    problems.add("ingress.instances", "at least one instance", {});
  }
  instances.forEach((inst, i) => {
    const release = ingressReleaseName(inst.key);
    if (release.length > HELM_RELEASE_NAME_MAX) {
      problems.add(
        `ingress.instances.${inst.key}`,
        `a shorter instance key: its Helm release "${release}" has ${release.length} characters and Helm allows ${HELM_RELEASE_NAME_MAX}`,
      );
    }
    if (inst.renamedFrom !== undefined && (inst.renamedFrom === inst.key || inst.renamedFrom in given)) {
      problems.add(
        `ingress.instances.${inst.key}.renamedFrom`,
        `the key of an instance that no longer exists; '${inst.renamedFrom}' is ${inst.renamedFrom === inst.key ? "this instance's own key" : "another instance's key"}`,
        inst.renamedFrom,
      );
    }
    const first = instances.findIndex((o) => o.className === inst.className);
    if (first !== i) {
      problems.add(
        `ingress.instances.${inst.key}.className`,
        `a class name of its own; instance '${instances[first].key}' uses it already, and two controllers on one class would both serve its Ingresses`,
        inst.className,
      );
    }
    if (ctx.core.tier === "prod" && inst.replicas < 2) {
      problems.add(
        `ingress.instances.${inst.key}.replicas`,
        "at least 2 in a prod tier (a single pod is a single point of failure)",
        inst.replicas,
      );
    }
  });
  // A cluster created on the account's default VPC: every default subnet routes to an internet gateway, and none
  // is tagged kubernetes.io/role/internal-elb, so the AWS Load Balancer Controller finds no subnet for an internal
  // NLB (v3.5.0 pkg/networking/subnet_resolver.go: without role tags it falls back to reachability, public vs
  // private by a route to an igw-). The Service would stay pending and the atomic release fail after 600 s.
  const loadBalancer = input?.loadBalancer ?? commonDefaults.loadBalancer;
  if (
    ctx.cluster?.mode === "new" &&
    ctx.cluster.vpcId === undefined &&
    loadBalancer === "aws-load-balancer-controller"
  ) {
    for (const inst of instances.filter((i) => i.scheme === "internal")) {
      problems.add(
        `ingress.instances.${inst.key}.scheme`,
        "internet-facing, or cluster.vpcId set to a VPC with private subnets tagged kubernetes.io/role/internal-elb=1: cluster.vpcId is unset, so the cluster is created on the account's default VPC, whose subnets are all public, and the AWS Load Balancer Controller finds no subnet for an internal NLB",
        inst.scheme,
      );
    }
  }
  const defaultClasses = instances.filter((i) => i.isDefaultClass);
  if (defaultClasses.length > 1) {
    problems.add(
      "ingress.instances",
      `at most one instance with default: true; ${defaultClasses.map((i) => i.key).join(" and ")} both set it`,
    );
  }
  return {
    loadBalancer,
    instances,
    crdsUrl: input?.crdsUrl ?? nginxIngressCrds.url,
  };
}

/** The one instance of a scheme, if there is exactly one; and how many there are. */
export function singleClass(ingress: IngressConfig, scheme: Scheme): { className?: string; count: number } {
  const matching = ingress.instances.filter((i) => i.scheme === scheme);
  return { className: matching.length === 1 ? matching[0].className : undefined, count: matching.length };
}

/**
 * What a rollout of each instance means for its traffic, for the plan and `pulumi preview` to say: one replica
 * behind an NLB cannot roll without a moment with no ready target (the old pod goes before the new one counts),
 * whatever the readiness gates do.
 */
export function rolloutNotes(ingress: IngressConfig): string[] {
  return ingress.instances
    .filter((i) => i.replicas < 2)
    .map(
      (i) =>
        `ingress.instances.${i.key}: 1 replica, so a rollout (a chart bump, a values change, a role change) leaves its NLB without a ready target for a moment; set replicas: 2 for rollouts without a gap`,
    );
}
