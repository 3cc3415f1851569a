/**
 * Reading a stack's raw configuration: Pulumi's flat config map as the program receives it, turned into the
 * project's keys and values.
 */
import { PROJECT } from "./schema";

/**
 * What the offline plan (offline/harness.ts) puts where a stack file holds ciphertext it cannot decrypt. Such a
 * value is not checked against its format: `pulumi up` decrypts it and checks the real value.
 */
export const UNDECRYPTED_SECRET = "[secret]";

export interface ConfigSource {
  /** Pulumi's config map: `pulumi.runtime.allConfig()`. */
  readonly all: Readonly<Record<string, string>>;
  /** Stack name: the default environment name. */
  readonly stack: string;
  readonly project?: string;
}

/**
 * Turns Pulumi's flat config map (`"<ns>:<key>" -> string`, structured values as JSON) into the project's keys,
 * plus the `aws:region` the program also needs.
 */
export function splitRawConfig(all: Readonly<Record<string, string>>, project = PROJECT) {
  const values: Record<string, unknown> = {};
  const prefix = `${project}:`;
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) {
      continue;
    }
    values[fullKey.slice(prefix.length)] = decodeConfigValue(raw);
  }
  return { values, region: all["aws:region"] };
}

/** Pulumi hands structured values as JSON strings and scalars as their text. */
function decodeConfigValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || trimmed === "true" || trimmed === "false") {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}
