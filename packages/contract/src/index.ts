/**
 * The package's main entry: a typed StackReference helper for application teams.
 *
 *   const platform = platformOutputs("acme/eks-platform/dev");
 *   new k8s.networking.v1.Ingress("web", { spec: { ingressClassName: platform.publicIngressClass, ... } });
 *
 * The behaviour is stacks/consumer.ts's; this file gives it declarations in plain TypeScript types (types.ts),
 * so a consumer's compiler never reads zod's declarations. Each signature below is checked against the
 * implementation when the package is built.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as consumer from "../../../stacks/consumer";
import type { PlatformOutputValues } from "./types";

export type { OutputName, PlatformOutputs, PlatformOutputValues } from "./types";

/**
 * Every output of a platform stack (`<org>/eks-platform/<stack>`), typed. Pass an existing StackReference to
 * share one, or a name to create it. Each output is read with `requireOutput` on first use, so a missing one
 * fails the preview naming it, and a platform whose contract has another major version is refused.
 */
export function platformOutputs(
  stack: string | pulumi.StackReference,
  opts?: pulumi.CustomResourceOptions,
): PlatformOutputValues {
  return consumer.platformOutputs(stack, opts);
}

/** The service-account annotations for one role key; fails if the platform has no such role. */
export function irsaAnnotations(
  outputs: PlatformOutputValues,
  roleKey: string,
): pulumi.Output<Record<string, string>> {
  return consumer.irsaAnnotations(outputs, roleKey);
}

/** Checks a platform's contract version against the one this package reads; throws when the majors differ. */
export function checkContractVersion(found: string, expected?: string): string {
  return consumer.checkContractVersion(found, expected);
}

/** The major part of a `<major>.<minor>` contract version. */
export function majorOf(version: string): string {
  return consumer.majorOf(version);
}
