/**
 * Turning schema failures into problems a person can act on: the full key, the value, what is expected, and a
 * "did you mean" for a misspelt key.
 */
import { z } from "zod";
import type { Problems } from "../model/problems";
import { UNDECRYPTED_SECRET } from "./load";
import { requiredSections, sections } from "./schema";

function issuePath(section: string, path: readonly PropertyKey[]): string {
  let out = section;
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") {
      return undefined;
    }
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** Edit distance, for "did you mean" hints on misspelt keys. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      prev = keep;
    }
  }
  return row[b.length];
}

function suggestion(key: string, known: readonly string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(key, k) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(c.k.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return best ? ` Did you mean "${best.k}"?` : "";
}

/** Known keys of the object schema at a path, for the "did you mean" hint. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): string[] {
  let cur: z.ZodType | undefined = schema;
  const walk = (s: z.ZodType, v: unknown): z.ZodType | undefined => {
    let t: z.ZodType = s;
    while (t instanceof z.ZodOptional || t instanceof z.ZodDefault) {
      t = t.unwrap() as z.ZodType;
    }
    if (t instanceof z.ZodDiscriminatedUnion) {
      const options = t.options as z.ZodType[];
      const mode = (v as Record<string, unknown> | undefined)?.mode;
      return (
        options.find(
          (o) =>
            o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>).mode?.safeParse(mode).success,
        ) ?? options[0]
      );
    }
    return t;
  };
  let v: unknown = value;
  for (const part of path) {
    cur = cur && walk(cur, v);
    if (cur instanceof z.ZodObject) {
      cur = (cur.shape as Record<string, z.ZodType>)[String(part)];
    } else if (cur instanceof z.ZodRecord) {
      cur = cur.valueType as z.ZodType;
    } else if (cur instanceof z.ZodArray) {
      cur = cur.element as z.ZodType;
    } else {
      return [];
    }
    v = (v as Record<PropertyKey, unknown> | undefined)?.[part];
  }
  const last = cur && walk(cur, v);
  return last instanceof z.ZodObject ? Object.keys(last.shape) : [];
}

/** The kind of a value, in the words of a stack file (YAML): text, a number, a list, a map. */
function typeName(value: unknown): string {
  if (value === null) {
    return "nothing (null)";
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  const words: Record<string, string> = {
    string: "text",
    number: "a number",
    boolean: "true or false",
    object: "a map",
  };
  return words[typeof value] ?? typeof value;
}

/** What a schema type expects, in the same words (zod's names: `record`, `int`, `object`, ...). */
function expectedName(expected: string): string {
  const words: Record<string, string> = {
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "a map of keys",
    record: "a map of key: value entries",
    array: "a list",
  };
  return words[expected] ?? expected;
}

/** A size limit in the project's words, or undefined for a limit whose schema wrote its own message. */
function sizeLimit(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string | undefined {
  if (!/^Too (small|big)/.test(issue.message)) {
    return undefined;
  }
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  const bound =
    issue.inclusive === false ? (small ? "more than" : "less than") : small ? "at least" : "at most";
  const unit =
    issue.origin === "string"
      ? ` character${limit === 1 ? "" : "s"}`
      : issue.origin === "array" || issue.origin === "set"
        ? limit === 1
          ? " entry"
          : " entries"
        : "";
  return `expected ${bound} ${limit}${unit}`;
}

/**
 * What to set for a required section that is missing: its keys without a default, the values of an enum, a
 * union's modes; the section's own `missing` metadata; for a section whose keys are all optional (one of them
 * is needed), the keys it has.
 */
function missingSection(key: string, schema: z.ZodType): string {
  // A section whose keys are all optional but that needs some of them says which, in its `missing` metadata.
  const hint = (schema.meta() as { missing?: unknown } | undefined)?.missing;
  if (typeof hint === "string") {
    return `missing: ${hint}`;
  }
  let t: z.ZodType = schema;
  while (t instanceof z.ZodOptional || t instanceof z.ZodDefault) {
    t = t.unwrap() as z.ZodType;
  }
  if (t instanceof z.ZodEnum) {
    return `missing: set it to one of ${t.options.map((o) => JSON.stringify(o)).join(", ")}`;
  }
  if (t instanceof z.ZodDiscriminatedUnion) {
    const modes = (t.options as z.ZodType[]).flatMap((o) =>
      o instanceof z.ZodObject && o.shape.mode instanceof z.ZodLiteral ? [String(o.shape.mode.value)] : [],
    );
    return `missing: set ${key}.mode (${modes.join(" or ")}) and that mode's keys (docs/configuration.md)`;
  }
  if (t instanceof z.ZodObject) {
    const shape = t.shape as Record<string, z.ZodType>;
    const required = Object.keys(shape).filter((k) => !shape[k].safeParse(undefined).success);
    return required.length
      ? `missing: set ${required.map((k) => `${key}.${k}`).join(", ")}`
      : `missing: set it, with one or more of ${Object.keys(shape)
          .map((k) => `${key}.${k}`)
          .join(", ")} (docs/configuration.md)`;
  }
  return "missing: set it (docs/configuration.md)";
}

function describeIssue(issue: z.core.$ZodIssue, known: () => string[]): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key.${suggestion(issue.keys[0], known())} Known keys: ${known().join(", ")}`;
    case "invalid_type": {
      // The input is there only because the schemas are parsed with `reportInput` (zod 4 omits it otherwise).
      if (issue.input === undefined) {
        return `missing: set it (${expectedName(issue.expected)})`;
      }
      const scalar = typeof issue.input === "number" || typeof issue.input === "boolean";
      const quote =
        issue.expected === "string" && scalar ? `; quote it in YAML: "${JSON.stringify(issue.input)}"` : "";
      // A number where a whole number belongs: the value (shown beside the key) says it all.
      if (issue.expected === "int" && typeof issue.input === "number") {
        return "expected a whole number";
      }
      return `expected ${expectedName(issue.expected)}, got ${typeName(issue.input)}${quote}`;
    }
    case "too_small":
    case "too_big":
      return sizeLimit(issue) ?? issue.message;
    case "invalid_key":
      // A record's key (a tag key, an instance or role key, an IAM condition operator) broke its format.
      return `a valid key: ${issue.issues.map((i) => i.message).join("; ")}`;
    case "invalid_value": {
      const one = `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
      return issue.input === undefined ? `missing: set it to ${one}` : `expected ${one}`;
    }
    case "invalid_union":
      return "expected `mode: existing` or `mode: new` with that mode's keys";
    default:
      return issue.message;
  }
}

/**
 * What is left of a section that failed its schema, for its own cross-key checks: values of the right type but
 * the wrong content (an unknown enum value, a malformed ARN) stay, as the checks can still compare them; keys of
 * the wrong type, unknown keys and record entries with a bad key are removed, and so is the smallest enclosing
 * object key (or record entry) when a removed key was required. `noisy` lists the paths the schema reported or
 * the salvage removed: a check's problem at, above or below one of them is a consequence, not news.
 */
export interface Salvaged {
  readonly value: unknown;
  readonly noisy: readonly string[];
}

/** Issues about a value's content: the value has the right type and can still be compared. */
const CONTENT_ISSUES: ReadonlySet<string> = new Set([
  "invalid_value",
  "invalid_format",
  "too_small",
  "too_big",
  "not_multiple_of",
  "custom",
]);

function deleteAt(root: unknown, path: readonly PropertyKey[]): void {
  const parent = valueAt(root, path.slice(0, -1));
  if (parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
    delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1]];
  }
}

/** The path without trailing array indices: array elements are never removed, so indices in keys stay true. */
function objectKeyPath(path: readonly PropertyKey[]): PropertyKey[] {
  const out = [...path];
  while (out.length > 0 && typeof out[out.length - 1] === "number") {
    out.pop();
  }
  return out;
}

/** A value of the right type for a missing required scalar, or undefined when there is none to make up. */
function standIn(issue: z.core.$ZodIssue): unknown {
  if (issue.path.length === 0 || issue.input !== undefined) {
    return undefined;
  }
  if (issue.code === "invalid_value") {
    return issue.values[0];
  }
  if (issue.code === "invalid_type") {
    const byType: Record<string, unknown> = { string: "", number: 1, int: 1, boolean: false };
    return byType[issue.expected];
  }
  return undefined;
}

function salvage(
  section: string,
  schema: z.ZodType,
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
): Salvaged | undefined {
  const current: unknown = structuredClone(value);
  const noisy = new Set<string>();
  for (const issue of issues) {
    const extra = issue.code === "unrecognized_keys" ? issue.keys : [];
    noisy.add(issuePath(section, issue.path));
    extra.forEach((k) => noisy.add(issuePath(section, [...issue.path, k])));
  }
  // Each round removes what the last one reported; a required key removed shows up as missing in the next.
  for (let round = 0; round < 10; round++) {
    const result = schema.safeParse(current);
    const structural = result.success ? [] : result.error.issues.filter((i) => !CONTENT_ISSUES.has(i.code));
    if (structural.length === 0) {
      return { value: current, noisy: [...noisy] };
    }
    for (const issue of structural) {
      if (issue.code === "unrecognized_keys") {
        issue.keys.forEach((k) => deleteAt(current, [...issue.path, k]));
        continue;
      }
      // A missing scalar gets a stand-in of its type, so the rest of its object (a role's statements when its
      // description is missing) is still checked; problems at the stand-in's path are dropped as noisy.
      const stand = standIn(issue);
      const parent = valueAt(current, issue.path.slice(0, -1));
      if (stand !== undefined && parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
        (parent as Record<PropertyKey, unknown>)[issue.path[issue.path.length - 1]] = stand;
        noisy.add(issuePath(section, issue.path));
        continue;
      }
      let path = objectKeyPath(issue.path);
      if (path.length > 0 && valueAt(current, path) === undefined) {
        path = objectKeyPath(path.slice(0, -1));
      }
      if (path.length === 0) {
        return undefined;
      }
      deleteAt(current, path);
      noisy.add(issuePath(section, path));
    }
  }
  return undefined;
}

/** Whether one config path is the other or lies inside it (`a.b` and `a.b[0].c`, not `a.bc`). */
export function pathsRelated(a: string, b: string): boolean {
  const inside = (x: string, y: string) => x === y || x.startsWith(`${y}.`) || x.startsWith(`${y}[`);
  return inside(a, b) || inside(b, a);
}

/**
 * Parses every section on its own (so one broken section hides nothing in the others) and reports unknown
 * top-level keys and missing required sections. Returns the sections that passed their schema, and what could
 * be salvaged of those that did not.
 */
export function parseSections(
  values: Record<string, unknown>,
  problems: Problems,
): { parsed: Record<string, unknown>; salvaged: Record<string, Salvaged> } {
  const parsed: Record<string, unknown> = {};
  const salvaged: Record<string, Salvaged> = {};
  const sectionKeys = Object.keys(sections);
  for (const key of Object.keys(values)) {
    if (!sectionKeys.includes(key)) {
      problems.add(
        key,
        `unknown key.${suggestion(key, sectionKeys)} Known keys: ${sectionKeys.join(", ")}`,
        values[key],
      );
    }
  }
  for (const key of sectionKeys) {
    const value = values[key];
    if (value === undefined) {
      if (requiredSections.includes(key)) {
        problems.add(key, missingSection(key, sections[key]));
      }
      continue;
    }
    const schema = sections[key];
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) {
      parsed[key] = result.data;
      continue;
    }
    const issues = result.error.issues.filter(
      (i) => !(CONTENT_ISSUES.has(i.code) && valueAt(value, i.path) === UNDECRYPTED_SECRET),
    );
    if (issues.length === 0) {
      // Only undecrypted secrets failed their formats; the schemas transform nothing, so the input is the data.
      parsed[key] = value;
      continue;
    }
    for (const issue of issues) {
      if (issue.code === "unrecognized_keys") {
        for (const extra of issue.keys) {
          const path = [...issue.path, extra];
          const known = () => knownKeysAt(schema, issue.path, value);
          problems.add(
            issuePath(key, path),
            describeIssue({ ...issue, keys: [extra] }, known),
            valueAt(value, path),
          );
        }
        continue;
      }
      problems.add(
        issuePath(key, issue.path),
        describeIssue(issue, () => []),
        issue.code === "invalid_key" ? issue.input : valueAt(value, issue.path),
      );
    }
    const rest = salvage(key, schema, value, issues);
    if (rest) {
      salvaged[key] = rest;
    }
  }
  return { parsed, salvaged };
}
