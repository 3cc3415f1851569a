/**
 * Resolution of the `ingress` section: instances with the tier defaults applied, and the checks among them.
 */
import type { IngressConfig, IngressInstanceConfig } from "../../model/config";
import { commonDefaults } from "../../model/defaults";
import type { Scheme } from "../../model/enums";
import { HELM_RELEASE_NAME_MAX, ingressReleaseName } from "../../model/naming";
import type { ResolveContext } from "../addOn";
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
  const defaultClasses = instances.filter((i) => i.isDefaultClass);
  if (defaultClasses.length > 1) {
    problems.add(
      "ingress.instances",
      `at most one instance with default: true; ${defaultClasses.map((i) => i.key).join(" and ")} both set it`,
    );
  }
  return { loadBalancer: input?.loadBalancer ?? commonDefaults.loadBalancer, instances };
}

/** The one instance of a scheme, if there is exactly one; and how many there are. */
export function singleClass(ingress: IngressConfig, scheme: Scheme): { className?: string; count: number } {
  const matching = ingress.instances.filter((i) => i.scheme === scheme);
  return { className: matching.length === 1 ? matching[0].className : undefined, count: matching.length };
}
