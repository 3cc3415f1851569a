/**
 * The add-ons of the platform, in the order their config is resolved and their resources are declared. An
 * add-on may read the resolved config of those listed before it (external-dns and cert-manager read the
 * ingress classes). Adding an add-on: its folder, and one line here.
 */
import type { AnyAddOn } from "./addOn";
import { loadBalancerControllerAddOn } from "./awsLoadBalancerController";
import { certManagerAddOn } from "./certManager";
import { ecrAddOn } from "./ecr";
import { externalDnsAddOn } from "./externalDns";
import { ingressAddOn } from "./ingress";

export const addOns: readonly AnyAddOn[] = [
  // Before ingress: it provides its release, which the ingress releases wait for (DeployContext.provide).
  loadBalancerControllerAddOn,
  ingressAddOn,
  externalDnsAddOn,
  certManagerAddOn,
  ecrAddOn,
];

/** The keys of the add-ons' own workload roles, which no team role may take. */
export const builtInRoleKeys: readonly string[] = addOns.flatMap((a) => a.roleKeys);
