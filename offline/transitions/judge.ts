/**
 * The transition judge: given the offline plans of a stack before and after a change, predict what `pulumi up`
 * would do to each resource (create, update, replace, delete) with the model in model.ts, and report the
 * transitions a real account would not survive (checks.ts):
 * - `protected`: a protected resource would be replaced or deleted (Pulumi refuses; the update fails);
 * - `collision`: something would be created while an old object still holds its name (a create-before-delete
 *   replacement, or a create and a delete in one update: Pulumi creates first and deletes last), or a new Helm
 *   release would meet objects kept from an old one, which Helm refuses to adopt ("invalid ownership metadata")
 *   unless the release takes ownership;
 * - `stale-credentials`: the role (or binding) behind a release's service account changes but nothing in its
 *   pod template does, so running pods keep the old credentials (EKS injects them when a pod is created);
 * - `deletes-kept`: a CRD, a kept object or a ClusterIssuer would be deleted;
 * - `missing-crds`: a chart feature that needs CRDs is turned on in a running release, and Helm installs a
 *   chart's `crds/` only on install;
 * - `helm-name`: a release name over Helm's limit;
 * - `binding-move`: a role moves between IRSA and Pod Identity in one update (bindingMoves.ts).
 * What the program meets already in the cluster (`exists`) is judged by existing.ts. Each violation names the
 * fix path. Warnings are things to know that do not fail an update.
 */
import { bindingMoveViolations } from "./bindingMoves";
import { CHECKS, type CheckContext } from "./checks";
import { replaceOn, replacingPaths, TYPE_RULES, PASSIVE_TYPE } from "./model";
import {
  changedInputPaths,
  covers,
  keys,
  managed,
  pathsFrom,
  placeholder,
  qualifiedName,
  ruleOf,
  SECRET_MASK,
  topological,
  type JudgedPlan,
  type JudgedResource,
} from "./plans";
import type { Step, Verdict, ViolationKind } from "./verdict";

export type { JudgedPlan, JudgedResource } from "./plans";
export { ruleOf } from "./plans";
export type { Action, Step, Verdict, Violation, ViolationKind } from "./verdict";

export interface JudgeOptions {
  /**
   * Ids of resources the provider will replace for reasons the plans cannot show, such as a certificate inside
   * its early-renewal window (`pulumi up --replace` does the same).
   */
  forceReplace?: string[];
}

/** The types a plan registers (reads aside) that the model has no rule for (neither in TYPE_RULES nor passive). */
export function unmodelledTypes(plan: JudgedPlan): string[] {
  return [...new Set(plan.resources.filter((r) => !r.read).map((r) => r.type))]
    .filter((t) => !(t in TYPE_RULES) && !PASSIVE_TYPE.test(t))
    .sort();
}

/** Matches every resource of the new plan with its old self, through its aliases if need be. */
function matchPlans(before: JudgedPlan, after: JudgedPlan): Map<string, JudgedResource> {
  const oldKeys = keys(before, false);
  const newKeys = keys(after, true);
  const oldByKey = new Map<string, JudgedResource>();
  for (const r of before.resources) oldByKey.set(oldKeys.get(r.id)![0], r);
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
  return matchOf;
}

/** Steps, in dependency order so a replaced resource's new outputs reach the inputs computed from them. */
function predictSteps(
  before: JudgedPlan,
  after: JudgedPlan,
  matchOf: Map<string, JudgedResource>,
  opts: JudgeOptions,
): Map<string, Step> {
  const newById = new Map(after.resources.map((r) => [r.id, r]));
  const steps = new Map<string, Step>();
  const replaced = new Set<string>();
  const forced = new Set(opts.forceReplace ?? []);
  for (const r of topological(after.resources)) {
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
  const matchedOld = new Set([...matchOf.values()].map((o) => o.id));
  for (const old of before.resources) {
    if (managed(old) && !matchedOld.has(old.id)) {
      steps.set(`-${old.id}`, { id: old.id, type: old.type, name: old.name, action: "delete", paths: [] });
    }
  }
  return steps;
}

export function judgeTransition(before: JudgedPlan, after: JudgedPlan, opts: JudgeOptions = {}): Verdict {
  const matchOf = matchPlans(before, after);
  const steps = predictSteps(before, after, matchOf, opts);
  const oldById = new Map(before.resources.map((r) => [r.id, r]));
  const verdict: Verdict = { steps: [...steps.values()], violations: [], warnings: [], safe: true };
  const ctx: CheckContext = {
    before,
    after,
    steps: verdict.steps,
    stepOf: (id) => steps.get(id),
    matchOf: (id) => matchOf.get(id),
    oldOf: (s) => (s.action === "delete" ? oldById.get(s.id) : matchOf.get(s.id)),
    newById: new Map(after.resources.map((r) => [r.id, r])),
    oldById,
    violate: (kind: ViolationKind, resource, message, fix) =>
      verdict.violations.push({ kind, resource, message, fix }),
    warn: (message) => verdict.warnings.push(message),
  };
  for (const check of CHECKS) check(ctx);
  for (const type of unmodelledTypes(after)) {
    verdict.warnings.push(`${type} has no rule in the transition model: its changes are treated as updates`);
  }
  // Moves between IRSA and Pod Identity done in one update (bindingMoves.ts).
  verdict.violations.push(...bindingMoveViolations(before, after, verdict.steps));
  verdict.safe = verdict.violations.length === 0;
  return verdict;
}
