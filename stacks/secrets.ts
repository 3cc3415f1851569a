/**
 * Keeping secret config secret. The program reads its config as plain text (`pulumi.runtime.allConfig()`), so
 * Pulumi would no longer know which resource inputs and outputs carry a secret. Pulumi hands a nested secret
 * (`pulumi config set --path --secret`) as the whole top-level key, decrypted, and lists that key as a secret:
 * every text inside such a key counts as secret, and any input or output that contains one is marked secret.
 */
import { splitRawConfig } from "./load";

/** Texts shorter than this (`true`, `dev`) are too common to mark everything that contains them. */
const MIN_SECRET_LENGTH = 4;

/** Every text inside the config keys that are secrets, longest first. */
export function secretTexts(
  all: Readonly<Record<string, string>>,
  isSecret: (key: string) => boolean,
): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.length >= MIN_SECRET_LENGTH) {
        found.add(value);
      }
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === "object") {
      Object.values(value).forEach(walk);
    }
  };
  for (const key of Object.keys(all).filter(isSecret)) {
    const at = key.indexOf(":");
    const { values } = splitRawConfig({ [key]: all[key] }, key.slice(0, at));
    walk(values[key.slice(at + 1)]);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Whether a resolved value (any depth) contains one of the secret texts. */
export function containsSecret(value: unknown, secrets: readonly string[]): boolean {
  if (secrets.length === 0) {
    return false;
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text !== undefined && secrets.some((s) => text.includes(s));
}
