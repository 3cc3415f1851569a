/**
 * The contract package declares its outputs in plain TypeScript (packages/contract/src/types.ts, generated from
 * the zod contract in stacks/outputs.ts). This file proves the two agree: the generated file is current, and
 * (checked by `npm run typecheck`) the written interface is exactly the type zod infers, output by output.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { contractTypes, TYPES_FILE } from "../devtools/contract-types";
import type { PlatformOutputs as Inferred, OutputName as InferredName } from "../stacks/outputs";
import type { PlatformOutputValues as InferredValues } from "../stacks/consumer";
import type { OutputName, PlatformOutputs, PlatformOutputValues } from "../packages/contract/src/types";

/** `true` only when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// A type error here means the package would declare another type than the program exports: run
// `npm run contract:types`.
export const sameNames: Equal<OutputName, InferredName> = true;
export const sameOutputs: Equal<PlatformOutputs, Inferred> = true;
export const sameValues: Equal<PlatformOutputValues, InferredValues> = true;
export const outputOf: Equal<PlatformOutputValues["tier"], pulumi.Output<"dev" | "prod">> = true;

test("packages/contract/src/types.ts is generated from the current contract (npm run contract:types)", async () => {
  assert.equal(
    fs.readFileSync(TYPES_FILE, "utf8"),
    await contractTypes(),
    "stale: run npm run contract:types",
  );
});
