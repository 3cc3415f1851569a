/**
 * The transition section of the pull-request plan diff (commands/plan-diff.ts): the replacements and deletions the
 * judge predicts between the base and head plans of a stack, and the unsafe transitions marked as errors.
 */
import { judgeTransition, type JudgedPlan, type JudgedResource, type Verdict } from "./judge";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strs = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;

/** A plan file's resources as the judge reads them; fields of the wrong shape are left out. */
export function toJudgedPlan(plan: { resources: readonly Record<string, unknown>[] }): JudgedPlan {
  return {
    resources: plan.resources.map((r): JudgedResource => {
      const options = isRecord(r.options) ? r.options : {};
      return {
        id: String(r.id),
        type: String(r.type),
        name: String(r.name),
        parent: str(r.parent),
        provider: str(r.provider),
        custom: r.custom === true,
        read: r.read === true,
        protect: r.protect === true,
        dependsOn: strs(r.dependsOn),
        inputsFrom: strs(r.inputsFrom),
        inputs: isRecord(r.inputs) ? r.inputs : {},
        options: {
          deleteBeforeReplace: options.deleteBeforeReplace === true,
          retainOnDelete: options.retainOnDelete === true,
          aliases: strs(options.aliases),
        },
      };
    }),
  };
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** Markdown for one stack's predicted transition. */
export function renderTransition(verdict: Verdict): string {
  const lines = ["#### Predicted replacements and deletions", ""];
  const risky = verdict.steps.filter((s) => s.action === "replace" || s.action === "delete");
  if (risky.length === 0) {
    lines.push("None: every change is a create or an in-place update.");
  }
  for (const s of risky) {
    const how =
      s.action === "delete"
        ? "deleted"
        : `replaced ${s.deleteFirst ? "(old deleted first)" : "(new created first)"} because ${s.paths.map(code).join(", ")} changed`;
    lines.push(`- ${code(s.type)} **${s.name}** ${how}`);
  }
  if (verdict.violations.length) {
    lines.push("", "#### Unsafe transitions", "");
    for (const v of verdict.violations) {
      lines.push(`- :x: **error** (${v.kind}) ${v.message}. Fix: ${v.fix}.`);
    }
  }
  if (verdict.warnings.length) {
    lines.push("", ...verdict.warnings.map((w) => `- :warning: ${w}`));
  }
  return `${lines.join("\n")}\n`;
}

/** Judges base -> head and renders the section. */
export function transitionSection(
  base: { resources: readonly Record<string, unknown>[] },
  head: { resources: readonly Record<string, unknown>[] },
): { markdown: string; safe: boolean } {
  const verdict = judgeTransition(toJudgedPlan(base), toJudgedPlan(head));
  return { markdown: renderTransition(verdict), safe: verdict.safe };
}
