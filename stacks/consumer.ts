/**
 * For application teams: read this platform's outputs from another Pulumi program, typed by the contract.
 *
 *   const platform = platformOutputs("acme/eks-platform/dev");
 *   new k8s.networking.v1.Ingress("web", { spec: { ingressClassName: platform.publicIngressClass, ... } });
 *
 * Every output is read with `requireOutput`, so a missing one fails the consumer's preview loudly instead of
 * yielding `undefined`; and a platform whose contract has another major version is refused.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONTRACT_VERSION, outputContract, type OutputName, type PlatformOutputs } from "./outputs";

export type PlatformOutputValues = { readonly [K in OutputName]: pulumi.Output<PlatformOutputs[K]> };

export function majorOf(version: string): string {
  return version.split(".")[0];
}

/** Checks a platform's contract version against the one this helper was built for. */
export function checkContractVersion(found: string, expected = CONTRACT_VERSION): string {
  if (majorOf(found) !== majorOf(expected)) {
    throw new Error(
      `the platform stack exports output contract ${found}, this helper reads ${expected}: update the helper (major versions differ)`,
    );
  }
  return found;
}

/**
 * Every output of a platform stack (`<org>/eks-platform/<stack>`), typed. Pass an existing StackReference to
 * share one, or a name to create it. Each output is required on first use only, so a consumer depends on
 * (and fails loudly for) exactly the outputs it reads.
 */
export function platformOutputs(
  stack: string | pulumi.StackReference,
  opts?: pulumi.CustomResourceOptions,
): PlatformOutputValues {
  const ref = typeof stack === "string" ? new pulumi.StackReference(stack, { name: stack }, opts) : stack;
  let version: pulumi.Output<string> | undefined;
  const cache = new Map<OutputName, pulumi.Output<unknown>>();
  const values = {} as Record<OutputName, pulumi.Output<unknown>>;
  for (const name of Object.keys(outputContract) as OutputName[]) {
    Object.defineProperty(values, name, {
      enumerable: true,
      get: () => {
        version ??= ref.requireOutput("contractVersion").apply((v) => checkContractVersion(String(v)));
        if (!cache.has(name)) {
          // Every output waits for the version check, so a mismatch fails before any value is used.
          cache.set(
            name,
            pulumi.all([version, ref.requireOutput(name)]).apply(([, value]): unknown => value),
          );
        }
        return cache.get(name);
      },
    });
  }
  return values as PlatformOutputValues;
}

/** The service-account annotations for one IRSA role key; fails if the platform has no such role. */
export function irsaAnnotations(
  outputs: PlatformOutputValues,
  roleKey: string,
): pulumi.Output<Record<string, string>> {
  return outputs.serviceAccountAnnotations.apply((all) => {
    const found = all[roleKey];
    if (!found) {
      throw new Error(`the platform has no IRSA role '${roleKey}'; it has: ${Object.keys(all).join(", ")}`);
    }
    return found;
  });
}
