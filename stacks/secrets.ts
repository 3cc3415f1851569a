/**
 * Keeping secret config secret, value by value. The program reads its config as plain text
 * (`pulumi.runtime.allConfig()`), so it must itself carry each secret value into the inputs and outputs that hold
 * it, as `config.requireSecret` would.
 *
 * What is secret is a config path, as the stack file records it: `pulumi config set --path --secret a.b` writes
 * `secure:` at `a.b` inside the key `a`. The engine lists a key as secret when its value or any value nested in it
 * is `secure:` (pulumi/pulumi v3.270.0 sdk/go/common/resource/config/map.go `SecureKeys`, value.go `Secure`) and
 * hands the program every key decrypted, so only the stack file says where inside a key the secret sits. A key
 * that is secret but whose stack file shows no `secure:` in it (a value from a Pulumi ESC environment) is secret
 * whole. Only the values at those paths are secrets: another value of the same key, or a value that the program
 * derives without them, is not.
 */
import { parse } from "yaml";

/** Texts shorter than this (`true`, `dev`) are too common to mark everything that contains them. */
const MIN_WHOLE_KEY_TEXT = 4;

/** One step into a config value: a key of an object or an index of a list. */
type Step = string | number;

/**
 * The config paths where a stack file holds `secure:` values, as `<ns>:<key>` followed by `.name` and `[index]`
 * steps (`eks-platform:dns.centralDnsAccount.externalId`). Keys without a namespace are the project's.
 */
export function securePaths(stackFileText: string, project: string): string[] {
  const doc = parse(stackFileText) as { config?: Record<string, unknown> } | null;
  const found: string[] = [];
  const walk = (value: unknown, at: string): void => {
    if (isRecord(value) && "secure" in value && Object.keys(value).length === 1) {
      found.push(at);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`));
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
    }
  };
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    walk(value, key.includes(":") ? key : `${project}:${key}`);
  }
  return found;
}

/** Whether `path` is `key` or a path inside it. */
const isIn = (path: string, key: string): boolean =>
  path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);

/** The keys that hold a secret: those the stack file shows a `secure:` in, and those the SDK lists as secret. */
export function secretKeysOf(
  keys: readonly string[],
  paths: readonly string[],
  listedSecret: (key: string) => boolean,
): string[] {
  return keys.filter((key) => listedSecret(key) || paths.some((p) => isIn(p, key)));
}

/**
 * The secret values to carry: for each secret key, the texts at its `secure:` paths, or every text of the key when
 * the stack file shows none there. Longest first, so a value inside another is found inside it.
 */
export function secretValues(
  all: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
  paths: readonly string[],
): string[] {
  const found = new Set<string>();
  for (const key of secretKeys) {
    if (all[key] === undefined) continue;
    const value = decode(all[key]);
    const inKey = paths.filter((p) => isIn(p, key));
    if (inKey.length === 0) {
      for (const text of textsIn(value, false)) if (text.length >= MIN_WHOLE_KEY_TEXT) found.add(text);
      continue;
    }
    const atPaths = inKey.map((p) => valueAt(value, steps(p.slice(key.length))));
    // A path the value does not have means the value came from elsewhere than that file: secret whole.
    const texts = atPaths.includes(undefined)
      ? textsIn(value, false).filter((t) => t.length >= MIN_WHOLE_KEY_TEXT)
      : atPaths.flatMap((v) => textsIn(v, true)).filter((t) => t !== "");
    texts.forEach((t) => found.add(t));
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Whether a resolved value (any depth) contains one of the secret texts. */
export function containsSecret(value: unknown, secrets: readonly string[]): boolean {
  if (secrets.length === 0) {
    return false;
  }
  if (typeof value === "string") {
    return secrets.some((s) => value.includes(s));
  }
  // Inside JSON a secret's quotes and backslashes are escaped: look for it as JSON writes it.
  const text = JSON.stringify(value);
  return text !== undefined && secrets.some((s) => text.includes(JSON.stringify(s).slice(1, -1)));
}

/** `.a.b[0]` as steps. */
function steps(rest: string): Step[] {
  return [...rest.matchAll(/\.([^.[]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

function valueAt(value: unknown, path: readonly Step[]): unknown {
  let at = value;
  for (const step of path) {
    if (typeof step === "number" ? !Array.isArray(at) : !isRecord(at)) return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/** The texts in a value; with `scalars`, numbers and booleans as their text too (a `secure:` one is secret). */
function textsIn(value: unknown, scalars: boolean): string[] {
  if (typeof value === "string") return [value];
  if (scalars && (typeof value === "number" || typeof value === "boolean")) return [String(value)];
  if (Array.isArray(value)) return value.flatMap((v) => textsIn(v, scalars));
  if (isRecord(value)) return Object.values(value).flatMap((v) => textsIn(v, scalars));
  return [];
}

/** Pulumi hands a structured key as JSON text and a scalar as its text. */
function decode(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
