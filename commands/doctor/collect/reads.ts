/**
 * What every reader shares: a read that records its failure instead of throwing, the wire form of client objects,
 * and the ledger of which identity read what.
 */
import type { Observed } from "../model";

export type ReadErrors = Observed["readErrors"];

/** The identity of the operator's own credentials until STS names it. */
export const OWN_CREDENTIALS = "the operator's credentials";

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split("\n")[0] : String(err);
}

/** The SDK's error name (`NoSuchEntityException`, `AccessDenied`, ...). */
export const errorName = (err: unknown): string => (err as { name?: string }).name ?? "";

export async function read<T>(
  errors: ReadErrors,
  source: string,
  fallback: T,
  fn: () => Promise<T>,
  identity?: string,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    errors.push({ source, message: errorMessage(err), ...(identity ? { identity } : {}) });
    return fallback;
  }
}

/** The client's model objects carry Dates; the doctor works on the wire form. */
export function wire<T>(items: unknown): T[] {
  return JSON.parse(JSON.stringify(items ?? [])) as T[];
}

/** Which identity read what, in the order the reads were made. */
export class Readers {
  private readonly byIdentity = new Map<string, string[]>();
  note(identity: string, what: string): void {
    const reads = this.byIdentity.get(identity) ?? [];
    if (!reads.includes(what)) {
      reads.push(what);
    }
    this.byIdentity.set(identity, reads);
  }
  /** Renames the operator's identity once STS has named it. */
  rename(from: string, to: string): void {
    if (from === to || !this.byIdentity.has(from)) {
      return;
    }
    // In place: the operator's own reads stay first.
    const entries = [...this.byIdentity].map(([id, reads]) => [id === from ? to : id, reads] as const);
    this.byIdentity.clear();
    for (const [id, reads] of entries) {
      this.byIdentity.set(id, [...(this.byIdentity.get(id) ?? []), ...reads]);
    }
  }
  list(): Observed["readers"] {
    return [...this.byIdentity].map(([identity, reads]) => ({ identity, reads }));
  }
}
