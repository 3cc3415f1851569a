/**
 * The transition judge: given the offline plans of a stack before and after a change, predict what `pulumi up`
 * would do to each resource (create, update, replace, delete) with the model in model.ts, and report the
 * transitions a real account would not survive:
 * - `protected`: a protected resource would be replaced or deleted (Pulumi refuses; the update fails);
 * - `collision`: something would be created while an old object still holds its name (a create-before-delete
 *   replacement, or a create and a delete in one update: Pulumi creates first and deletes last), or a new Helm
 *   release would meet objects kept from an old one, which Helm refuses to adopt ("invalid ownership metadata");
 * - `stale-credentials`: the role (or binding) behind a release's service account changes but nothing in its
 *   pod template does, so running pods keep the old credentials (EKS injects them when a pod is created);
 * - `deletes-kept`: a CRD, a kept object or a ClusterIssuer would be deleted;
 * - `missing-crds`: a chart feature that needs CRDs is turned on in a running release, and Helm installs a
 *   chart's `crds/` only on install;
 * - `helm-name`: a release name over Helm's limit;
 * - `binding-move`: a role moves between IRSA and Pod Identity in one update (bindingMoves.ts).
 * Each violation names the fix path. Warnings are things to know that do not fail an update.
 */
import { HELM_RELEASE_NAME_MAX } from "../../model/naming";
import { bindingMoveViolations } from "./bindingMoves";
import {
  CHARTS,
  TYPE_RULES,
  ownedObjects,
  replaceOn,
  replacingPaths,
  valueAt,
  type OwnedName,
  type TypeRule,
} from "./model";

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

export type Action = "create" | "update" | "replace" | "delete";

export interface Step {
  /** The resource's id in the plan after (before, for a delete). */
  id: string;
  type: string;
  name: string;
  action: Action;
  /** For a replace: whether the old object is deleted first. */
  deleteFirst?: boolean;
  /** Input paths that changed (for a replace: the ones that force it). */
  paths: string[];
  /** The id it had before, when an alias matched it under another name. */
  from?: string;
}

export type ViolationKind =
  | "protected"
  | "collision"
  | "stale-credentials"
  | "binding-move"
  | "deletes-kept"
  | "missing-crds"
  | "helm-name";

export interface Violation {
  kind: ViolationKind;
  /** Resource id the violation is about. */
  resource: string;
  message: string;
  /** What to do instead. */
  fix: string;
}

export interface Verdict {
  steps: Step[];
  violations: Violation[];
  warnings: string[];
  /** No violation. */
  safe: boolean;
}

export interface JudgeOptions {
  /**
   * Ids of resources the provider will replace for reasons the plans cannot show, such as a certificate inside
   * its early-renewal window (`pulumi up --replace` does the same).
   */
  forceReplace?: string[];
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";

/** Resources the judge predicts steps for: real objects the program manages (not components or reads). */
function managed(r: JudgedResource): boolean {
  return !r.read && (r.custom === true || r.type in TYPE_RULES);
}

const NO_RULE: TypeRule = {
  replaceOn: [],
  nameScope: "none",
  replacement: "create-before-delete",
  clusterScoped: false,
  source: "not modelled: treated as updating in place",
};

export const ruleOf = (type: string): TypeRule => TYPE_RULES[type] ?? NO_RULE;

/** URN-like key: the types of the parent chain, the type and the name (a URN holds no parent names). */
function keys(plan: JudgedPlan, withAliases: boolean): Map<string, string[]> {
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

const json = (v: unknown) => JSON.stringify(v ?? null);

function changedInputPaths(a: unknown, b: unknown, prefix = ""): string[] {
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
const SECRET_MASK = "[secret]";

const placeholder = (r: { type: string; name: string }) => `<known after apply: ${r.type} ${r.name} `;

/** Paths under `inputs` whose value is computed from `source`'s outputs (mock placeholders name the source). */
function pathsFrom(inputs: unknown, marker: string, prefix = ""): string[] {
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

const covers = (rulePath: string, path: string) => path === rulePath || path.startsWith(`${rulePath}.`);

/** The role ARNs (as the mocks render them) that appear anywhere in a value. */
function roleArnsIn(value: unknown): string[] {
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

const qualifiedName = (r: JudgedResource, rule: TypeRule): string | undefined => {
  if (!rule.nameAt || rule.nameScope === "none") {
    return undefined;
  }
  const name = valueAt(r.inputs, rule.nameAt);
  const ns = rule.namespaceAt ? valueAt(r.inputs, rule.namespaceAt) : undefined;
  return typeof name === "string" ? `${r.type} ${typeof ns === "string" ? `${ns}/` : ""}${name}` : undefined;
};

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const chartOf = (r: JudgedResource): string => text(r.inputs?.chart) ?? "";
const releaseName = (r: JudgedResource): string => text(r.inputs?.name) ?? r.name;

const ownedBy = (r: JudgedResource): OwnedName[] =>
  r.type === RELEASE ? ownedObjects(chartOf(r), releaseName(r), r.inputs?.values) : [];

const ownedKey = (o: OwnedName) => `${o.kind} ${o.name}`;

export function judgeTransition(before: JudgedPlan, after: JudgedPlan, opts: JudgeOptions = {}): Verdict {
  const oldKeys = keys(before, false);
  const newKeys = keys(after, true);
  const oldByKey = new Map<string, JudgedResource>();
  const oldById = new Map(before.resources.map((r) => [r.id, r]));
  for (const r of before.resources) oldByKey.set(oldKeys.get(r.id)![0], r);
  const newById = new Map(after.resources.map((r) => [r.id, r]));

  // Match every resource of the new plan with its old self, through its aliases if need be.
  const matchOf = new Map<string, JudgedResource>();
  const matchedOld = new Set<string>();
  for (const r of after.resources) {
    const old = newKeys
      .get(r.id)!
      .map((k) => oldByKey.get(k))
      .find((o) => o !== undefined && !matchedOld.has(o.id));
    if (old) {
      matchOf.set(r.id, old);
      matchedOld.add(old.id);
    }
  }

  // Steps, in dependency order so a replaced resource's new outputs reach the inputs computed from them.
  const steps = new Map<string, Step>();
  const replaced = new Set<string>();
  const forced = new Set(opts.forceReplace ?? []);
  const order = topological(after.resources);
  for (const r of order) {
    if (!managed(r)) continue;
    const old = matchOf.get(r.id);
    if (!old || !managed(old)) {
      steps.set(r.id, { id: r.id, type: r.type, name: r.name, action: "create", paths: [] });
      continue;
    }
    const rule = ruleOf(r.type);
    const changed = changedInputPaths(old.inputs, r.inputs);
    // Inputs computed from a replaced resource change too, though both plans show the same placeholder.
    for (const src of r.inputsFrom ?? []) {
      if (replaced.has(src)) {
        const from = newById.get(src);
        // A secret hides which output it holds: a masked value computed from a replaced resource may change.
        if (from)
          changed.push(...pathsFrom(r.inputs, placeholder(from)), ...pathsFrom(r.inputs, SECRET_MASK));
      }
    }
    const paths = replaceOn(rule, r.provider ? newById.get(r.provider)?.inputs : undefined);
    const forcing = [
      ...new Set([
        ...replacingPaths(paths, old.inputs, r.inputs),
        ...paths.filter((p) => changed.some((c) => covers(p, c))),
      ]),
    ].sort();
    const from = old.id !== r.id ? { from: old.id } : {};
    if (forcing.length > 0 || forced.has(r.id)) {
      const sameName =
        qualifiedName(old, rule) !== undefined && qualifiedName(old, rule) === qualifiedName(r, rule);
      const deleteFirst =
        r.options?.deleteBeforeReplace === true ||
        (rule.replacement === "delete-before-replace-if-same-name" && sameName);
      replaced.add(r.id);
      steps.set(r.id, {
        id: r.id,
        type: r.type,
        name: r.name,
        action: "replace",
        deleteFirst,
        paths: forcing.length ? forcing : ["(renewal)"],
        ...from,
      });
    } else if (changed.length > 0) {
      steps.set(r.id, {
        id: r.id,
        type: r.type,
        name: r.name,
        action: "update",
        paths: [...new Set(changed)],
        ...from,
      });
    }
  }
  for (const old of before.resources) {
    if (managed(old) && !matchedOld.has(old.id)) {
      steps.set(`-${old.id}`, { id: old.id, type: old.type, name: old.name, action: "delete", paths: [] });
    }
  }

  const verdict: Verdict = { steps: [...steps.values()], violations: [], warnings: [], safe: true };
  const violate = (kind: ViolationKind, resource: string, message: string, fix: string) =>
    verdict.violations.push({ kind, resource, message, fix });
  const oldOf = (s: Step) => (s.action === "delete" ? oldById.get(s.id) : matchOf.get(s.id));

  // 1. Protection: Pulumi checks the protect flag of the state it is about to change.
  for (const s of verdict.steps) {
    const old = oldOf(s);
    if ((s.action === "replace" || s.action === "delete") && old?.protect) {
      violate(
        "protected",
        s.id,
        `${s.type} ${s.name} is protected and would be ${s.action === "replace" ? `replaced (${s.paths.join(", ")} changed)` : "deleted"}`,
        s.action === "replace"
          ? "keep the inputs that force the replacement, or unprotect the resource in its own update first if replacing it is really intended"
          : "keep the resource, or unprotect it in its own update first (and check nothing still needs it)",
      );
    }
  }

  // 2. Collisions.
  const creates = verdict.steps.filter((s) => s.action === "create").map((s) => newById.get(s.id)!);
  const deletes = verdict.steps.filter((s) => s.action === "delete").map((s) => oldById.get(s.id)!);
  for (const s of verdict.steps.filter((x) => x.action === "replace")) {
    const r = newById.get(s.id)!;
    const old = matchOf.get(s.id)!;
    const rule = ruleOf(r.type);
    const name = qualifiedName(r, rule);
    if (!s.deleteFirst && name !== undefined && name === qualifiedName(old, rule)) {
      violate(
        "collision",
        s.id,
        `${name} would be created again before the old one is deleted, and the name is taken`,
        "set deleteBeforeReplace on the resource",
      );
    }
    const shared = sharedOwned(old, r);
    const kept = shared.filter((o) => o.kept);
    if (kept.length) {
      violate(
        "collision",
        s.id,
        `release ${s.name} moves (${s.paths.join(", ")}) but ${kept.map(ownedKey).join(", ")} are kept from the old release and carry its ownership annotations, which Helm refuses to adopt`,
        "move the kept objects first: annotate them with the new release's meta.helm.sh/release-name and meta.helm.sh/release-namespace (docs/operations.md), or keep the release where it is",
      );
    }
    const live = shared.filter((o) => !o.kept);
    if (live.length && !s.deleteFirst) {
      violate(
        "collision",
        s.id,
        `release ${s.name} is replaced (${s.paths.join(", ")}) create-before-delete, but the new release renders ${live.map(ownedKey).join(", ")}, which the old one still owns`,
        "set deleteBeforeReplace on the release",
      );
    }
  }
  for (const c of creates) {
    const rule = ruleOf(c.type);
    const name = qualifiedName(c, rule);
    for (const d of deletes) {
      if (name !== undefined && name === qualifiedName(d, ruleOf(d.type))) {
        violate(
          "collision",
          c.id,
          `${name} would be created under a new name in the program (${c.id}) before the old one (${d.id}) is deleted`,
          `alias the new resource to the old one (aliases: ["${d.id}"]) so it is updated or replaced, not created again`,
        );
      }
      const shared = ownedBy(c).filter((o) => ownedBy(d).some((p) => ownedKey(p) === ownedKey(o)));
      if (shared.length) {
        violate(
          "collision",
          c.id,
          `new release ${c.name} renders ${shared.map(ownedKey).join(", ")}, still owned by release ${d.name}, which Pulumi deletes only after creating the new one`,
          c.type === RELEASE && chartOf(c).includes("nginx-ingress")
            ? `keep the instance key, or rename it with renamedFrom: ${releaseKey(d)} (an alias: the release is then replaced, deleting the old one first)`
            : "alias the new release to the old one, so it is replaced with deleteBeforeReplace",
        );
      }
    }
  }

  // 3. Credentials: a release whose service account's role or binding changes must roll its pods.
  // An association is named after its service account (components/identity/workloadRole.ts): find its role.
  const bindingOf = (plan: JudgedPlan, role: string) =>
    plan.resources.some((r) => r.type === ASSOCIATION && roleArnsIn(r.inputs?.roleArn).includes(role))
      ? "pod-identity"
      : "irsa";
  for (const r of after.resources.filter((x) => x.type === RELEASE)) {
    const s = steps.get(r.id);
    const old = matchOf.get(r.id);
    if (!old || s?.action === "replace" || s?.action === "create") continue;
    const rolesBefore = roleArnsIn(old.inputs?.values);
    const rolesAfter = roleArnsIn(r.inputs?.values);
    const roleChanged = json(rolesBefore) !== json(rolesAfter);
    const bindingChanged = rolesAfter.some(
      (role) => rolesBefore.includes(role) && bindingOf(before, role) !== bindingOf(after, role),
    );
    if (!roleChanged && !bindingChanged) continue;
    const chart = CHARTS[chartOf(r)];
    const rolls = (chart?.podTemplate ?? []).some(
      (p) => json(valueAt(old.inputs?.values, p)) !== json(valueAt(r.inputs?.values, p)),
    );
    if (!rolls) {
      const what = roleChanged
        ? `its role changes (${rolesBefore.join(", ") || "none"} -> ${rolesAfter.join(", ") || "none"})`
        : "its role's binding changes";
      violate(
        "stale-credentials",
        r.id,
        `release ${r.name}: ${what} but nothing in its pod template does, so running pods keep their old credentials`,
        "put the role ARN and binding into the pod template (podAnnotations) so the Deployment rolls",
      );
    }
  }

  // 4. Kept objects and CRDs.
  for (const d of deletes) {
    const lost = ownedBy(d).filter((o) => o.kind === "CustomResourceDefinition" && !o.kept);
    if (lost.length) {
      violate(
        "deletes-kept",
        d.id,
        `deleting release ${d.name} deletes ${lost.length} CRDs and with them every object of their kinds`,
        "set the chart's keep option (crds.keep) in an update before removing the release",
      );
    } else if (ownedBy(d).some((o) => o.kept)) {
      verdict.warnings.push(
        `release ${d.name} is deleted; its kept objects (CRDs) stay, still annotated as owned by it`,
      );
    }
    if ((d.type === CRD || d.type === CONFIG_FILE) && d.options?.retainOnDelete !== true && holdsCrds(d)) {
      violate(
        "deletes-kept",
        d.id,
        `${d.id} would delete CRDs and every object of their kinds`,
        "set retainOnDelete on the CRD resources before removing them",
      );
    }
    if (d.type === CLUSTER_ISSUER) {
      violate(
        "deletes-kept",
        d.id,
        `ClusterIssuer ${d.name} would be deleted; every Certificate that names it stops renewing`,
        "keep the issuer until no Certificate uses it (kubectl get certificates -A -o jsonpath='{..issuerRef.name}')",
      );
    }
  }

  // 5. CRDs a running release starts to need.
  for (const r of after.resources.filter((x) => x.type === RELEASE)) {
    const old = matchOf.get(r.id);
    const s = steps.get(r.id);
    if (!old || s?.action !== "update") continue;
    const rule = CHARTS[chartOf(r)];
    const needs = rule?.crdsOnInstallOnly;
    if (!needs) continue;
    const wasOn = valueAt(old.inputs?.values, needs.enabledBy) === true;
    const isOn = valueAt(r.inputs?.values, needs.enabledBy) === true;
    const provider = after.resources.find(
      (x) => !x.read && JSON.stringify(x.inputs ?? {}).includes(needs.providedBy),
    );
    if (isOn && !wasOn && !(provider && (r.dependsOn ?? []).includes(provider.id))) {
      violate(
        "missing-crds",
        r.id,
        `release ${r.name} turns on ${needs.enabledBy} in an upgrade, but Helm installs the chart's crds/ only on install: the controller would wait for CRDs that never come`,
        "install the CRDs as their own resource from the pinned version and make the release depend on it",
      );
    }
  }

  // 6. Helm's release-name limit.
  for (const r of after.resources.filter((x) => x.type === RELEASE)) {
    const name = releaseName(r);
    const s = steps.get(r.id);
    if (name.length > HELM_RELEASE_NAME_MAX && (s?.action === "create" || s?.action === "replace")) {
      violate(
        "helm-name",
        r.id,
        `release name "${name}" has ${name.length} characters; Helm refuses more than ${HELM_RELEASE_NAME_MAX}`,
        "choose a shorter instance key",
      );
    }
  }

  for (const s of verdict.steps) {
    if (s.action === "replace" && s.type === ROLE) {
      verdict.warnings.push(`role ${s.name} is replaced: its ARN's sessions end; pods re-assume it`);
    }
  }
  // 7. Moves between IRSA and Pod Identity done in one update (bindingMoves.ts).
  verdict.violations.push(...bindingMoveViolations(before, after, verdict.steps));
  verdict.safe = verdict.violations.length === 0;
  return verdict;

  function sharedOwned(a: JudgedResource, b: JudgedResource): OwnedName[] {
    const old = new Set(ownedBy(a).map(ownedKey));
    return ownedBy(b).filter((o) => old.has(ownedKey(o)));
  }
}

/** The ingress instance key behind an ingress release (`ingress-<key>`). */
function releaseKey(r: JudgedResource): string {
  return releaseName(r).replace(/^ingress-/, "");
}

function holdsCrds(r: JudgedResource): boolean {
  return r.type === CRD || /crds?\b|customresourcedefinition/i.test(JSON.stringify(r.inputs ?? {}));
}

/** Resources ordered so each comes after those its inputs are computed from. */
function topological(resources: JudgedResource[]): JudgedResource[] {
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
