/**
 * How findings are shown: a text report for people (root cause first, each with its next command) and the same
 * findings as JSON for scripts.
 */
import type { Finding } from "./model";

export function renderText(stack: string, findings: readonly Finding[], checked: string): string {
  if (findings.length === 0) {
    return `doctor ${stack}: nothing wrong found (${checked}).\n`;
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const lines = [
    `doctor ${stack}: ${findings.length} finding${findings.length === 1 ? "" : "s"} (${errors} error${errors === 1 ? "" : "s"}), root cause first (${checked}).`,
    "",
  ];
  findings.forEach((f, i) => {
    lines.push(`${i + 1}. [${f.severity}] ${f.id}  ${f.subject}`);
    lines.push(`   ${f.message}`);
    for (const e of f.evidence) {
      lines.push(`   - ${e}`);
    }
    lines.push(`   next: ${f.next}`, "");
  });
  return `${lines.join("\n").trimEnd()}\n`;
}

export function renderJson(stack: string, findings: readonly Finding[]): string {
  return `${JSON.stringify({ stack, ok: !findings.some((f) => f.severity === "error"), findings }, null, 2)}\n`;
}

export function exitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.severity === "error") ? 1 : 0;
}
