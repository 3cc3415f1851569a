/**
 * Plan diff: `node --require ./runtime/transpile.ts commands/plan-diff.ts <base.json> <head.json> [--title TEXT]`.
 *
 * Compares two offline plans written by `npm run plan` (the base revision's and the head revision's) and prints
 * a Markdown summary for a pull request's step summary: resources added, removed and changed (each changed value
 * as `old → new`) and stack outputs added, removed and changed (per key of a map output). Long values are cut
 * around their first difference, never before it. `npm run plan:diff` (commands/plan-diff-rev.ts) runs the same
 * comparison between the working tree and a git revision.
 *
 * The base plan may legitimately be missing (the base revision has no offline plan yet, or its plan failed): then
 * the summary says so and describes the head plan alone, and the command still exits 0. A missing or unreadable
 * head plan is an error (exit 1): the pull request's own plan must work.
 *
 * With a base plan, a last section lists the replacements and deletions the transition judge
 * (offline/transitions/judge.ts) predicts, and the unsafe transitions as errors; `--strict` makes those exit 3.
 */
import * as fs from "node:fs";
import { transitionSection } from "../offline/transitions/report";

/** Exit code with `--strict` when the judge finds an unsafe transition. */
export const STRICT_UNSAFE = 3;

export interface PlanResource {
  id: string;
  type: string;
  name: string;
  custom?: boolean;
  [key: string]: unknown;
}

export interface PlanFile {
  stack: string;
  resources: PlanResource[];
  outputs: Record<string, unknown>;
  [key: string]: unknown;
}

/** One value that differs: where, and what it was and is (`undefined` where the key does not exist). */
export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ChangedResource {
  id: string;
  type: string;
  name: string;
  /** Dotted paths of the values that differ, e.g. `inputs.values.controller.replicaCount`. */
  paths: string[];
  /** The same paths with their old and new values. */
  changes: Change[];
}

export interface ChangedOutput {
  name: string;
  before: unknown;
  after: unknown;
  /** The keys (paths inside the output) that differ, with their values. */
  changes: Change[];
}

export interface PlanDiff {
  stack: string;
  added: PlanResource[];
  removed: PlanResource[];
  changed: ChangedResource[];
  unchanged: number;
  outputsAdded: { name: string; value: unknown }[];
  outputsRemoved: string[];
  outputsChanged: ChangedOutput[];
}

/** How many changed values to list per resource (or output) before summarising the rest. */
const MAX_PATHS = 8;
/** How long a rendered value may get before it is cut (around the first difference). */
const MAX_VALUE = 120;
/** How much of the common text to keep before the first difference of a cut value. */
const CONTEXT = 30;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Reads and checks the shape of a plan file's text. Throws with a readable message when it is not a plan. */
export function parsePlan(text: string, source = "plan"): PlanFile {
  const doc = JSON.parse(text) as unknown;
  if (!isRecord(doc) || !Array.isArray(doc.resources) || !isRecord(doc.outputs)) {
    throw new Error(`${source} is not an offline plan (expected "resources" and "outputs")`);
  }
  for (const r of doc.resources as unknown[]) {
    if (
      !isRecord(r) ||
      typeof r.id !== "string" ||
      typeof r.type !== "string" ||
      typeof r.name !== "string"
    ) {
      throw new Error(`${source} has a resource without id, type and name`);
    }
  }
  return {
    ...doc,
    stack: typeof doc.stack === "string" ? doc.stack : "(unknown stack)",
    resources: doc.resources as PlanResource[],
    outputs: doc.outputs,
  };
}

/** Strings that hold JSON documents (IAM policies, for one) are compared as the structures they encode. */
function expand(value: unknown): unknown {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

const joinPath = (prefix: string, key: string): string => (prefix ? `${prefix}.${key}` : key);

/** The values at which two values differ: as deep as both sides are objects or arrays, then the leaf. */
export function changedValues(before: unknown, after: unknown, prefix = ""): Change[] {
  const a = expand(before);
  const b = expand(after);
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      out.push(...changedValues(a[i], b[i], `${prefix}[${i}]`));
    }
    return out;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => {
      const at = joinPath(prefix, k);
      if (!(k in a) || !(k in b)) {
        return [{ path: at, before: a[k], after: b[k] }];
      }
      return changedValues(a[k], b[k], at);
    });
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: prefix || "(value)", before: a, after: b }];
}

/** The paths at which two values differ. */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
  return changedValues(before, after, prefix).map((c) => c.path);
}

export function diffPlans(base: PlanFile, head: PlanFile): PlanDiff {
  const before = new Map(base.resources.map((r) => [r.id, r]));
  const after = new Map(head.resources.map((r) => [r.id, r]));
  const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);

  const added = head.resources.filter((r) => !before.has(r.id)).sort(byId);
  const removed = base.resources.filter((r) => !after.has(r.id)).sort(byId);
  const changed: ChangedResource[] = [];
  let unchanged = 0;
  for (const r of head.resources) {
    const old = before.get(r.id);
    if (!old) {
      continue;
    }
    const changes = changedValues(old, r);
    if (changes.length) {
      changed.push({ id: r.id, type: r.type, name: r.name, paths: changes.map((c) => c.path), changes });
    } else {
      unchanged++;
    }
  }
  changed.sort(byId);

  const outputNames = [...new Set([...Object.keys(base.outputs), ...Object.keys(head.outputs)])].sort();
  const diff: PlanDiff = {
    stack: head.stack,
    added,
    removed,
    changed,
    unchanged,
    outputsAdded: [],
    outputsRemoved: [],
    outputsChanged: [],
  };
  for (const name of outputNames) {
    const inBase = name in base.outputs;
    const inHead = name in head.outputs;
    if (!inBase) {
      diff.outputsAdded.push({ name, value: head.outputs[name] });
    } else if (!inHead) {
      diff.outputsRemoved.push(name);
    } else {
      const changes = changedValues(base.outputs[name], head.outputs[name]);
      if (changes.length) {
        diff.outputsChanged.push({ name, before: base.outputs[name], after: head.outputs[name], changes });
      }
    }
  }
  return diff;
}

const text = (value: unknown): string =>
  value === undefined
    ? "(none)"
    : typeof value === "string"
      ? value
      : (JSON.stringify(value) ?? typeof value);

/** Inline code that survives any value: backticks inside are swapped for quotes, newlines for spaces. */
function inline(textValue: string): string {
  return `\`${textValue.replace(/`/g, "'").replace(/\r?\n/g, " ")}\``;
}

/** A value as inline code, cut to MAX_VALUE characters. */
function code(value: unknown): string {
  const t = text(value);
  return inline(t.length > MAX_VALUE ? `${t.slice(0, MAX_VALUE - 1)}…` : t);
}

/**
 * Old and new value as `old` → `new`. A long value is cut to a window that starts a little before the first
 * character where the two differ, so the difference is always shown (two cut values never look the same).
 */
export function contrast(before: unknown, after: unknown): string {
  const a = text(before);
  const b = text(after);
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const cut = (t: string): string => {
    if (t.length <= MAX_VALUE) return t;
    const start = Math.max(0, Math.min(first - CONTEXT, t.length - MAX_VALUE));
    const end = Math.min(t.length, start + MAX_VALUE);
    return `${start > 0 ? "…" : ""}${t.slice(start, end)}${end < t.length ? "…" : ""}`;
  };
  return `${inline(cut(a))} → ${inline(cut(b))}`;
}

/** Up to MAX_PATHS changes as nested list items, then how many more. */
function changeLines(changes: Change[], indentBy = "  "): string[] {
  const lines = changes
    .slice(0, MAX_PATHS)
    .map((c) => `${indentBy}- ${inline(c.path)}: ${contrast(c.before, c.after)}`);
  if (changes.length > MAX_PATHS) lines.push(`${indentBy}- and ${changes.length - MAX_PATHS} more`);
  return lines;
}

const resourceLine = (r: { type: string; name: string }): string => `- ${code(r.type)} **${r.name}**`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderDiff(diff: PlanDiff, title = `Offline plan diff: \`${diff.stack}\``): string {
  const outputChanges = diff.outputsAdded.length + diff.outputsRemoved.length + diff.outputsChanged.length;
  const lines = [`### ${title}`, ""];
  if (!diff.added.length && !diff.removed.length && !diff.changed.length && !outputChanges) {
    lines.push(
      `No changes: the head plan matches the base plan (${plural(diff.unchanged, "resource")} unchanged).`,
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    `**Resources:** ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ` +
      `${diff.unchanged} unchanged. **Outputs:** ${diff.outputsAdded.length} added, ` +
      `${diff.outputsRemoved.length} removed, ${diff.outputsChanged.length} changed.`,
  );
  if (diff.added.length) {
    lines.push("", "#### Added resources", "", ...diff.added.map(resourceLine));
  }
  if (diff.removed.length) {
    lines.push("", "#### Removed resources", "", ...diff.removed.map(resourceLine));
  }
  if (diff.changed.length) {
    lines.push("", "#### Changed resources", "");
    for (const r of diff.changed) {
      lines.push(resourceLine(r), ...changeLines(r.changes));
    }
  }
  if (outputChanges) {
    lines.push("", "#### Changed outputs", "");
    for (const o of diff.outputsAdded) lines.push(`- added ${code(o.name)}: ${code(o.value)}`);
    for (const name of diff.outputsRemoved) lines.push(`- removed ${code(name)}`);
    for (const o of diff.outputsChanged) {
      // A scalar output is one line; a map or list output lists the keys that changed.
      const whole = o.changes.length === 1 && o.changes[0].path === "(value)";
      lines.push(
        ...(whole
          ? [`- ${code(o.name)}: ${contrast(o.before, o.after)}`]
          : [`- ${code(o.name)}`, ...changeLines(o.changes)]),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The summary when there is no base plan to compare with. */
export function renderWithoutBase(head: PlanFile, reason: string, title?: string): string {
  const custom = head.resources.filter((r) => r.custom !== false).length;
  return [
    `### ${title ?? `Offline plan diff: \`${head.stack}\``}`,
    "",
    `> No base plan to compare with: ${reason}. This is expected when the base revision has no offline plan ` +
      `yet (the first pull request that adds it) or when the base revision's plan fails.`,
    "",
    // Counted as `npm run plan` counts: every registered resource, components included.
    `The head plan has ${plural(head.resources.length, "resource")}: ${custom} to create or read and ` +
      `${plural(head.resources.length - custom, "component")}, and ${plural(Object.keys(head.outputs).length, "output")}.`,
    "",
  ].join("\n");
}

/** Reads the base plan; a missing or unreadable one is reported as a reason, never thrown. */
export function readBase(file: string): { plan: PlanFile } | { missing: string } {
  if (!fs.existsSync(file)) {
    return { missing: `${file} does not exist` };
  }
  try {
    return { plan: parsePlan(fs.readFileSync(file, "utf8"), file) };
  } catch (err) {
    return { missing: `${file} could not be read (${err instanceof Error ? err.message : String(err)})` };
  }
}

export function main(argv: string[]): number {
  const titleAt = argv.indexOf("--title");
  const title = titleAt >= 0 ? argv[titleAt + 1] : undefined;
  const files = argv.filter((a, i) => !a.startsWith("--") && (titleAt < 0 || i !== titleAt + 1));
  if (files.length !== 2) {
    process.stderr.write("usage: plan-diff <base.json> <head.json> [--title TEXT] [--strict]\n");
    return 2;
  }
  const [baseFile, headFile] = files;
  let head: PlanFile;
  try {
    head = parsePlan(fs.readFileSync(headFile, "utf8"), headFile);
  } catch (err) {
    process.stderr.write(`head plan: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const base = readBase(baseFile);
  // The day-2 judge (offline/transitions): predicted replacements and deletions, unsafe ones as errors.
  const transition = "plan" in base ? transitionSection(base.plan, head) : undefined;
  process.stdout.write(
    "plan" in base
      ? `${renderDiff(diffPlans(base.plan, head), title)}\n${transition!.markdown}`
      : renderWithoutBase(head, base.missing, title),
  );
  return argv.includes("--strict") && transition?.safe === false ? STRICT_UNSAFE : 0;
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
