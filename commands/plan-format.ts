/**
 * The offline plan's shared pieces: the byte-stable JSON plan, YAML and indentation helpers, and the central DNS
 * account's section, which both printouts (summary and `--verbose`) show.
 */
import { stringify } from "yaml";
import type { Capture } from "../offline/harness";

/** Values as YAML, long lines kept whole. */
export const toYaml = (value: unknown): string => stringify(value, { lineWidth: 0 });

/** Recursively sorts object keys so the JSON is byte-stable. Arrays keep their order (it is meaningful). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function planJson(capture: Capture): string {
  return `${JSON.stringify(sortKeys({ ...capture, invokes: [...capture.invokes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }), null, 2)}\n`;
}

export function parseJsonField(value: unknown): unknown {
  if (typeof value !== "string") {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

/**
 * The central DNS account's roles, as their owners apply them: each role's trust and permissions policy, in full.
 * Nothing when the stack has no central DNS account.
 */
export function centralDnsSection(capture: Capture): string[] {
  const roles = (capture.outputs.centralDnsRoles ?? {}) as Record<string, Record<string, string>>;
  const arns = Object.keys(roles);
  if (arns.length === 0) {
    return [];
  }
  const lines = [
    "",
    "Central DNS account: create these roles there, with these documents as they are (output centralDnsRoles):",
  ];
  for (const arn of arns) {
    lines.push(`  ${arn}`);
    for (const doc of ["trustPolicy", "permissionsPolicy"]) {
      lines.push(`    ${doc}:`, indent(JSON.stringify(parseJsonField(roles[arn][doc]), null, 2), "      "));
    }
  }
  return lines;
}
