/**
 * The contract package's output types, generated from the zod contract (stacks/outputs.ts) so they cannot drift:
 * `npm run contract:types` rewrites packages/contract/src/types.ts; tests/contract.types.test.ts fails when it
 * is stale, and the type check proves the written interface equals the type zod infers.
 *
 * Why plain types: the package's declarations must not mention zod. zod's own declarations do not compile under
 * `module: commonjs` / `moduleResolution: node` without `esModuleInterop` or `skipLibCheck` (the settings of
 * Pulumi's TypeScript templates before nodenext), so a consumer would get errors from a dependency's files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { z } from "zod";
import { outputContract, type OutputName } from "../stacks/outputs";

const ROOT = path.resolve(__dirname, "..");
export const TYPES_FILE = path.join(ROOT, "packages", "contract", "src", "types.ts");

/** The parts of a JSON Schema (as zod emits it) an output's shape uses. */
interface Json {
  type?: string;
  enum?: string[];
  items?: Json;
  additionalProperties?: Json;
}

/** The TypeScript type of one JSON Schema shape, as `z.infer` writes it. */
function typeOf(schema: Json): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.type === "array") return `${typeOf(schema.items ?? {})}[]`;
  if (schema.type === "object" && schema.additionalProperties) {
    return `Record<string, ${typeOf(schema.additionalProperties)}>`;
  }
  if (schema.type === "string" || schema.type === "boolean" || schema.type === "number") return schema.type;
  throw new Error(`contract-types: no TypeScript type for ${JSON.stringify(schema)}`);
}

/** A description that starts with "Deprecated" marks the output deprecated (editors strike it through). */
export const DEPRECATED = /^Deprecated\b/;

function docComment(description: string): string {
  const text = description.replace(/\*\//g, "*\\/");
  // `@deprecated <why>`: editors strike the name through and show the reason.
  const line = DEPRECATED.test(text) ? `@deprecated ${text.replace(DEPRECATED, "").trim()}` : text;
  return `/** ${line} */`;
}

/** The source of packages/contract/src/types.ts. */
export async function contractTypes(): Promise<string> {
  const members = (Object.keys(outputContract) as OutputName[]).map((name) => {
    const schema = outputContract[name];
    const type = typeOf(z.toJSONSchema(schema) as Json);
    return `${docComment(schema.description ?? "")}\n${name}: ${type};`;
  });
  const source = [
    "// Generated from stacks/outputs.ts by `npm run contract:types`: do not edit.",
    'import type * as pulumi from "@pulumi/pulumi";',
    "",
    "/** Every output of a platform stack, resolved: name, type and meaning. */",
    "export interface PlatformOutputs {",
    ...members,
    "}",
    "",
    "/** The name of one platform output. */",
    "export type OutputName = keyof PlatformOutputs;",
    "",
    "/** Every output of a platform stack as read from a StackReference. */",
    "export type PlatformOutputValues = { readonly [K in keyof PlatformOutputs]: pulumi.Output<PlatformOutputs[K]> };",
    "",
  ].join("\n");
  const options = (await prettier.resolveConfig(TYPES_FILE)) ?? {};
  return prettier.format(source, { ...options, filepath: TYPES_FILE });
}

if (require.main === module) {
  void contractTypes().then((text) => {
    if (process.argv.includes("--write")) {
      fs.writeFileSync(TYPES_FILE, text);
      console.log(`wrote ${path.relative(ROOT, TYPES_FILE)}`);
    } else {
      process.stdout.write(text);
    }
  });
}
