/**
 * Stack files as Pulumi hands them to a program: `Pulumi.<stack>.yaml` read into the `"<ns>:<key>" -> string`
 * map the SDK reads config from. Apart from offline/harness.ts (which re-exports it) so that the tools that only
 * read a stack file or need the root (the doctor, the configuration reference, the benchmarks) do not load
 * @pulumi/pulumi.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { UNDECRYPTED_SECRET } from "../stacks/load";

/** How secrets show; also what stands for ciphertext the offline plan cannot decrypt. */
export const SECRET = UNDECRYPTED_SECRET;
export const ROOT = path.resolve(__dirname, "..");

/** The project name from Pulumi.yaml. */
export function projectName(dir = ROOT): string {
  const doc = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name: string };
  return doc.name;
}

/** A stack file's YAML; a syntax error names the file, line and column, as an editor would jump to it. */
function parseStackFile(file: string): unknown {
  try {
    return parseYaml(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      const where = at ? `:${at.line}:${at.col}` : "";
      const shown = path.relative(process.cwd(), file);
      throw new Error(`${shown.startsWith("..") ? file : shown}${where}: not valid YAML: ${err.message}`);
    }
    throw err;
  }
}

/** What a stack file gives the program, as Pulumi would hand it over. */
export interface StackConfig {
  /** `"<ns>:<key>" -> string`, structured values as JSON. */
  config: Record<string, string>;
  /** Top-level keys that are secrets (a `secure:` value anywhere inside makes the whole key one). */
  secretKeys: string[];
  /** Pulumi ESC environments the stack file imports (`environment:`); the offline plan cannot open them. */
  environments: string[];
}

function isSecure(value: unknown): value is { secure: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value;
}

/**
 * Replaces every `secure:` value (ciphertext we cannot decrypt offline) with `[secret]`; tells whether there was
 * one. `pulumi config set --path --secret` writes such a value inside a structured key; the CLI then hands the
 * program the whole top-level key, decrypted, as one JSON string and lists the key as a secret.
 */
function maskSecure(value: unknown): { value: unknown; secret: boolean } {
  if (isSecure(value)) {
    return { value: SECRET, secret: true };
  }
  if (Array.isArray(value)) {
    const items = value.map(maskSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, maskSecure(v)] as const);
    return {
      value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])),
      secret: entries.some(([, v]) => v.secret),
    };
  }
  return { value, secret: false };
}

/** `environment:` of a stack file: a list of ESC environments, or `{ imports: [...] }`. */
function environmentsOf(doc: { environment?: unknown }): string[] {
  const env = doc.environment;
  const list = Array.isArray(env) ? env : isRecord(env) && Array.isArray(env.imports) ? env.imports : [];
  return list.map((e) => (typeof e === "string" ? e : JSON.stringify(e)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A `config:` map as Pulumi hands it to a program; keys without a namespace go in the project's. */
export function configMap(
  raw: Readonly<Record<string, unknown>>,
  project = projectName(),
): { config: Record<string, string>; secretKeys: string[] } {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    const masked = maskSecure(value);
    if (masked.secret) {
      secretKeys.push(key);
    }
    config[key] = typeof masked.value === "string" ? masked.value : JSON.stringify(masked.value);
  }
  return { config, secretKeys };
}

/**
 * A stack file's `config:` as Pulumi hands it to a program: `"<ns>:<key>" -> string`, structured values as
 * JSON, keys without a namespace put in the project's. `secure:` values, at the top or nested, become `[secret]`
 * and their top-level keys are listed in `secretKeys`.
 */
export function readStackConfig(
  stack: string,
  dir = ROOT,
  file = path.join(dir, `Pulumi.${stack}.yaml`),
): StackConfig {
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(dir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.slice(1, 2) ?? []);
    throw new Error(
      `no stack file ${path.relative(process.cwd(), file)}; stacks here: ${known.join(", ") || "none"}`,
    );
  }
  const doc = (parseStackFile(file) ?? {}) as { config?: Record<string, unknown>; environment?: unknown };
  return { ...configMap(doc.config ?? {}), environments: environmentsOf(doc) };
}
