/**
 * The package's `./outputs` entry: the stack-output contract itself (names, meanings, a conformance check).
 * The behaviour is stacks/outputs.ts's; this file declares it in plain TypeScript types (types.ts), so a
 * consumer's compiler never reads zod's declarations. Each declaration is checked against the implementation
 * when the package is built.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as contract from "../../../stacks/outputs";
import type { OutputName } from "./types";

export type { OutputName, PlatformOutputs } from "./types";

/** The contract version this package reads, `<major>.<minor>`. */
export const CONTRACT_VERSION = contract.CONTRACT_VERSION;

/** What the package declares of one output's schema (at run time it is the zod schema itself). */
export interface OutputSchema {
  /** What the output means, and since which contract version it exists. */
  readonly description?: string | undefined;
  /** Checks one value against the output's shape; `success` tells whether it conforms. */
  safeParse(value: unknown): { readonly success: boolean };
}

/** Every output's schema, by output name. */
export const outputContract: { readonly [K in OutputName]: OutputSchema } = contract.outputContract;

/** Validates a set of resolved outputs against the contract; returns problems (empty when it conforms). */
export function checkOutputs(values: Record<string, unknown>): string[] {
  return contract.checkOutputs(values);
}

/** Each output's shape as a short type expression (`string`, `record<string[]>`, `"dev" | "prod"`). */
export function contractShapes(): Record<OutputName, string> {
  return contract.contractShapes();
}

/**
 * The platform program's own use: its exports, checked to be exactly the contract's names (a missing or
 * extra name throws).
 */
export function contractOutputs(
  outputs: Readonly<Record<string, pulumi.Output<unknown>>>,
  version: pulumi.Output<string>,
): Record<string, pulumi.Output<unknown>> {
  return contract.contractOutputs(outputs, version);
}
