/**
 * Secrets in what the offline plan records: the SDK's wrapped secrets masked as `[secret]`, where the engine would
 * keep them (offline/harness.ts records each registration through these).
 */
import { SECRET } from "./stackFile";

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces the runtime's wrapped secrets with `[secret]`, recursively. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(maskSecrets);
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      return SECRET;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

export type RegisterRequest = {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
};
export type Monitor = { registerResource(req: RegisterRequest, callback: unknown): Promise<void> };

/** Signatures of the SDK's special values other than a secret (assets, archives, resource references, outputs). */
const OTHER_SIGS = new Set([
  "c44067f5952c0a294b673a41bacd8c17",
  "0def7320c3a5731c473e5ecbe6d01bc7",
  "5cf8f73096256a8f31e491e813e4eb8e",
  "d0e6a833031e9bbcd3f4e8bde6ca49a4",
]);

/**
 * A value as the program sent it, with each secret inside it masked where it sits. The engine keeps a secret
 * nested in a map (a Helm release's `values` holding one key) where it is; the mocks' decoding raises it to the
 * whole top-level property (@pulumi/pulumi runtime/rpc.js deserializeProperty), which would hide every other
 * value from the plan. Undefined when the value holds another special value, left to the mocks' decoding.
 */
export function maskNestedSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(maskNestedSecrets);
    return items.includes(undefined) ? undefined : items;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      return SECRET;
    }
    if (typeof obj[SIG_KEY] === "string" && OTHER_SIGS.has(obj[SIG_KEY])) {
      return undefined;
    }
    const entries = Object.entries(obj).map(([k, v]) => [k, maskNestedSecrets(v)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
  }
  return value;
}

/**
 * Inputs as recorded: the mocks' decoding, except that a secret nested in a property stays nested. The request is
 * read again only for a property the decoding made secret whole (rare: reading every request costs time at scale).
 */
export function recordedInputs(
  decoded: Record<string, unknown>,
  req: RegisterRequest | undefined,
): Record<string, unknown> {
  let raw: Record<string, unknown> | undefined;
  return Object.fromEntries(
    Object.entries(decoded).map(([key, value]) => {
      const masked = maskSecrets(value);
      if (masked !== SECRET || !req) {
        return [key, masked];
      }
      raw ??= (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const nested = maskNestedSecrets(raw[key]);
      return [key, nested === undefined ? masked : nested];
    }),
  );
}
