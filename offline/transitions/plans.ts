/**
 * The plans the transition judge reads, and how it reads them: the resource shape, the keys that match a
 * resource of one plan with its old self in another (Pulumi's URNs: parent types, type, name, aliases), the
 * input paths that changed, and the order in which replaced outputs reach other inputs. Pure.
 */
import { TYPE_RULES, valueAt, type TypeRule } from "./model";

/** The part of an offline plan (offline/harness.ts Capture) the judge reads. */
export interface JudgedResource {
  id: string;
  type: string;
  name: string;
  parent?: string;
  provider?: string;
  custom?: boolean;
  read?: boolean;
  protect?: boolean;
  dependsOn?: string[];
  inputsFrom?: string[];
  inputs?: Record<string, unknown>;
  options?: { deleteBeforeReplace?: boolean; retainOnDelete?: boolean; aliases?: string[] };
}

export interface JudgedPlan {
  stack?: string;
  resources: JudgedResource[];
}

/** Resources the judge predicts steps for: real objects the program manages (not components or reads). */
export function managed(r: JudgedResource): boolean {
  return !r.read && (r.custom === true || r.type in TYPE_RULES);
}

const NO_RULE: TypeRule = {
  replaceOn: [],
  nameScope: "none",
  replacement: "create-before-delete",
  clusterScoped: false,
  source: "not modelled: treated as updating in place",
};

/** The rule of a type; a type without one is reported by `unmodelledTypes` (and fails tests/transitions.model). */
export const ruleOf = (type: string): TypeRule => TYPE_RULES[type] ?? NO_RULE;

/** URN-like key: the types of the parent chain, the type and the name (a URN holds no parent names). */
export function keys(plan: JudgedPlan, withAliases: boolean): Map<string, string[]> {
  const byId = new Map(plan.resources.map((r) => [r.id, r]));
  const out = new Map<string, string[]>();
  const variants = (r: JudgedResource): { type: string; name: string }[] => [
    { type: r.type, name: r.name },
    ...(withAliases ? (r.options?.aliases ?? []) : []).map((a) => {
      const at = a.lastIndexOf("::");
      return { type: a.slice(0, at), name: a.slice(at + 2) };
    }),
  ];
  for (const r of plan.resources) {
    let prefixes = [""];
    const chain: JudgedResource[] = [];
    for (let p = r.parent && byId.get(r.parent); p; p = p.parent ? byId.get(p.parent) : undefined) {
      chain.unshift(p);
    }
    for (const ancestor of chain) {
      const types = [...new Set(variants(ancestor).map((v) => v.type))];
      prefixes = prefixes.flatMap((pre) => types.map((t) => `${pre}${t}$`));
    }
    out.set(
      r.id,
      prefixes.flatMap((pre) => variants(r).map((v) => `${pre}${v.type}::${v.name}`)),
    );
  }
  return out;
}

export const json = (v: unknown) => JSON.stringify(v ?? null);

export function changedInputPaths(a: unknown, b: unknown, prefix = ""): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .flatMap((k) => changedInputPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return json(a) === json(b) ? [] : [prefix || "(inputs)"];
}

/** How plans mask secret values (offline/harness.ts). */
export const SECRET_MASK = "[secret]";

export const placeholder = (r: { type: string; name: string }) => `<known after apply: ${r.type} ${r.name} `;

/** Paths under `inputs` whose value is computed from `source`'s outputs (mock placeholders name the source). */
export function pathsFrom(inputs: unknown, marker: string, prefix = ""): string[] {
  if (typeof inputs === "string") {
    return inputs.includes(marker) ? [prefix] : [];
  }
  if (inputs !== null && typeof inputs === "object") {
    return Object.entries(inputs).flatMap(([k, v]) =>
      pathsFrom(v, marker, Array.isArray(inputs) ? prefix : prefix ? `${prefix}.${k}` : k),
    );
  }
  return [];
}

export const covers = (rulePath: string, path: string) =>
  path === rulePath || path.startsWith(`${rulePath}.`);

/** The role ARNs (as the mocks render them) that appear anywhere in a value. */
export function roleArnsIn(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      for (const m of v.matchAll(/<known after apply: aws:iam\/role:Role (\S+) arn>/g)) found.add(m[1]);
    } else if (v !== null && typeof v === "object") {
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return [...found].sort();
}

/** `<type> [<namespace>/]<name>` of a resource with a real-world name, or undefined. */
export const qualifiedName = (r: JudgedResource, rule: TypeRule): string | undefined => {
  if (!rule.nameAt || rule.nameScope === "none") {
    return undefined;
  }
  const name = valueAt(r.inputs, rule.nameAt);
  const ns = rule.namespaceAt ? valueAt(r.inputs, rule.namespaceAt) : undefined;
  return typeof name === "string" ? `${r.type} ${typeof ns === "string" ? `${ns}/` : ""}${name}` : undefined;
};

/** Resources ordered so each comes after those its inputs are computed from. */
export function topological(resources: JudgedResource[]): JudgedResource[] {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const done = new Set<string>();
  const out: JudgedResource[] = [];
  const visit = (r: JudgedResource, path: Set<string>) => {
    if (done.has(r.id) || path.has(r.id)) return;
    path.add(r.id);
    for (const d of r.inputsFrom ?? []) {
      const dep = byId.get(d);
      if (dep) visit(dep, path);
    }
    done.add(r.id);
    out.push(r);
  };
  for (const r of resources) visit(r, new Set());
  return out;
}
