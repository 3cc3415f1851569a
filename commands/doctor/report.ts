/**
 * How findings are shown: a text report for people (root cause first, each with its next command) and the same
 * findings as JSON for scripts.
 */
import type { Finding, Observed } from "./model";

/** Which identity read what: cross-account reads are only as good as the role that made them. */
function readLines(readers: Observed["readers"]): string[] {
  return readers.map((r) => `read as ${r.identity}: ${r.reads.join(", ")}`);
}

export function renderText(
  stack: string,
  findings: readonly Finding[],
  checked: string,
  readers: Observed["readers"] = [],
): string {
  if (findings.length === 0) {
    return [`doctor ${stack}: nothing wrong found (${checked}).`, ...readLines(readers), ""].join("\n");
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
  lines.push(...readLines(readers));
  return `${lines.join("\n").trimEnd()}\n`;
}

export function renderJson(
  stack: string,
  findings: readonly Finding[],
  readers: Observed["readers"] = [],
): string {
  const ok = !findings.some((f) => f.severity === "error");
  return `${JSON.stringify({ stack, ok, findings, readers }, null, 2)}\n`;
}

export function exitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.severity === "error") ? 1 : 0;
}
