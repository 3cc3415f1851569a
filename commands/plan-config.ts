/**
 * The configuration the offline plan runs with: the stack file, `--config-file` files and `--set` values, and the
 * note about Pulumi ESC imports, which the plan cannot open.
 */
import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { configMap, projectName, readStackConfig, ROOT, type StackConfig } from "../offline/harness";

/**
 * The stack's config as the plan runs it: the stack file, then `--config-file` files (a `config:` map as in a
 * stack file), then `--set key=value` (a JSON object or array for a structured key), each over the one before.
 * A key that is a secret in the stack file stays one whatever supplies its value.
 */
export function planConfig(
  stack: string,
  stackFile: string | undefined,
  configFiles: readonly string[],
  sets: readonly string[],
): StackConfig {
  const base = readStackConfig(stack, ROOT, stackFile);
  const config = { ...base.config };
  const secretKeys = new Set(base.secretKeys);
  for (const file of configFiles) {
    const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const extra = configMap(doc.config ?? {});
    Object.assign(config, extra.config);
    extra.secretKeys.forEach((k) => secretKeys.add(k));
  }
  const project = projectName();
  for (const set of sets) {
    const at = set.indexOf("=");
    if (at <= 0) {
      throw new Error(
        `--set ${set}: expected key=value, such as --set tier=prod or --set 'certManager={"email":"ops@acme-corp.com"}'`,
      );
    }
    const key = set.slice(0, at);
    config[key.includes(":") ? key : `${project}:${key}`] = set.slice(at + 1);
  }
  return { config, secretKeys: [...secretKeys], environments: base.environments };
}

/** What the plan says about ESC imports: it cannot open them, and how to supply their values instead. */
export function environmentsNote(environments: readonly string[]): string {
  if (environments.length === 0) {
    return "";
  }
  return [
    `Note: this stack imports Pulumi ESC environment(s) ${environments.join(", ")}. The offline plan does not resolve`,
    "ESC imports (that needs Pulumi Cloud), so keys they provide are missing here unless you supply them:",
    "--config-file FILE (a config: map, as in a stack file) or --set key=value (JSON for structured keys).",
  ].join("\n");
}
