/**
 * The checks of the transition judge: given the predicted steps (judge.ts), the transitions a real account would
 * not survive. Each check is one function of the same context, so a new rule is one more entry in CHECKS.
 */
import { HELM_RELEASE_NAME_MAX } from "../../model/naming";
import { CHARTS, valueAt, type OwnedName } from "./model";
import { json, qualifiedName, roleArnsIn, ruleOf, type JudgedPlan, type JudgedResource } from "./plans";
import { RELEASE, chartOf, ownedBy, ownedKey, releaseKey, releaseName, takesOwnership } from "./releases";
import type { Step, ViolationKind } from "./verdict";

const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";

/** What every check reads. */
export interface CheckContext {
  before: JudgedPlan;
  after: JudgedPlan;
  steps: readonly Step[];
  stepOf(id: string): Step | undefined;
  /** The old self of a resource of the new plan. */
  matchOf(id: string): JudgedResource | undefined;
  /** The old resource a step is about (for a delete: the deleted one). */
  oldOf(s: Step): JudgedResource | undefined;
  newById: ReadonlyMap<string, JudgedResource>;
  oldById: ReadonlyMap<string, JudgedResource>;
  violate(kind: ViolationKind, resource: string, message: string, fix: string): void;
  warn(message: string): void;
}

export type Check = (c: CheckContext) => void;

/** Pulumi checks the protect flag of the state it is about to change. */
const protection: Check = (c) => {
  for (const s of c.steps) {
    const old = c.oldOf(s);
    if ((s.action === "replace" || s.action === "delete") && old?.protect) {
      c.violate(
        "protected",
        s.id,
        `${s.type} ${s.name} is protected and would be ${s.action === "replace" ? `replaced (${s.paths.join(", ")} changed)` : "deleted"}`,
        s.action === "replace"
          ? "keep the inputs that force the replacement, or unprotect the resource in its own update first if replacing it is really intended"
          : "keep the resource, or unprotect it in its own update first (and check nothing still needs it)",
      );
    }
  }
};

const sharedOwned = (a: JudgedResource, b: JudgedResource): OwnedName[] => {
  const old = new Set(ownedBy(a).map(ownedKey));
  return ownedBy(b).filter((o) => old.has(ownedKey(o)));
};

/** Replacements that meet their own old object, or objects kept from the old release. */
const replacementCollisions: Check = (c) => {
  for (const s of c.steps.filter((x) => x.action === "replace")) {
    const r = c.newById.get(s.id)!;
    const old = c.matchOf(s.id)!;
    const rule = ruleOf(r.type);
    const name = qualifiedName(r, rule);
    if (!s.deleteFirst && name !== undefined && name === qualifiedName(old, rule)) {
      c.violate(
        "collision",
        s.id,
        `${name} would be created again before the old one is deleted, and the name is taken`,
        "set deleteBeforeReplace on the resource",
      );
    }
    const shared = sharedOwned(old, r);
    const kept = shared.filter((o) => o.kept);
    if (kept.length && !takesOwnership(r)) {
      c.violate(
        "collision",
        s.id,
        `release ${s.name} moves (${s.paths.join(", ")}) but ${kept.map(ownedKey).join(", ")} are kept from the old release and carry its ownership annotations, which Helm refuses to adopt`,
        "set takeOwnership on the release (Helm --take-ownership adopts them), or keep the release where it is",
      );
    }
    const live = shared.filter((o) => !o.kept);
    if (live.length && !s.deleteFirst) {
      c.violate(
        "collision",
        s.id,
        `release ${s.name} is replaced (${s.paths.join(", ")}) create-before-delete, but the new release renders ${live.map(ownedKey).join(", ")}, which the old one still owns`,
        "set deleteBeforeReplace on the release",
      );
    }
  }
};

/** A create and a delete in one update: Pulumi creates first and deletes last. */
const createDeleteCollisions: Check = (c) => {
  const creates = c.steps.filter((s) => s.action === "create").map((s) => c.newById.get(s.id)!);
  const deletes = c.steps.filter((s) => s.action === "delete").map((s) => c.oldById.get(s.id)!);
  for (const cr of creates) {
    const name = qualifiedName(cr, ruleOf(cr.type));
    for (const d of deletes) {
      if (name !== undefined && name === qualifiedName(d, ruleOf(d.type))) {
        c.violate(
          "collision",
          cr.id,
          `${name} would be created under a new name in the program (${cr.id}) before the old one (${d.id}) is deleted`,
          `alias the new resource to the old one (aliases: ["${d.id}"]) so it is updated or replaced, not created again`,
        );
      }
      const shared = ownedBy(cr).filter((o) => ownedBy(d).some((p) => ownedKey(p) === ownedKey(o)));
      if (shared.length) {
        c.violate(
          "collision",
          cr.id,
          `new release ${cr.name} renders ${shared.map(ownedKey).join(", ")}, still owned by release ${d.name}, which Pulumi deletes only after creating the new one`,
          cr.type === RELEASE && chartOf(cr).includes("nginx-ingress")
            ? `keep the instance key, or rename it with renamedFrom: ${releaseKey(d)} (an alias: the release is then replaced, deleting the old one first)`
            : "alias the new release to the old one, so it is replaced with deleteBeforeReplace",
        );
      }
    }
  }
};

/** A release whose service account's role or binding changes must roll its pods. */
const credentials: Check = (c) => {
  // An association is named after its service account (components/identity/workloadRole.ts): find its role.
  const bindingOf = (plan: JudgedPlan, role: string) =>
    plan.resources.some((r) => r.type === ASSOCIATION && roleArnsIn(r.inputs?.roleArn).includes(role))
      ? "pod-identity"
      : "irsa";
  for (const r of c.after.resources.filter((x) => x.type === RELEASE)) {
    const s = c.stepOf(r.id);
    const old = c.matchOf(r.id);
    if (!old || s?.action === "replace" || s?.action === "create") continue;
    const rolesBefore = roleArnsIn(old.inputs?.values);
    const rolesAfter = roleArnsIn(r.inputs?.values);
    const roleChanged = json(rolesBefore) !== json(rolesAfter);
    const bindingChanged = rolesAfter.some(
      (role) => rolesBefore.includes(role) && bindingOf(c.before, role) !== bindingOf(c.after, role),
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
      c.violate(
        "stale-credentials",
        r.id,
        `release ${r.name}: ${what} but nothing in its pod template does, so running pods keep their old credentials`,
        "put the role ARN and binding into the pod template (podAnnotations) so the Deployment rolls",
      );
    }
  }
};

function holdsCrds(r: JudgedResource): boolean {
  return r.type === CRD || /crds?\b|customresourcedefinition/i.test(JSON.stringify(r.inputs ?? {}));
}

/** Kept objects, CRDs and ClusterIssuers must not be deleted. */
const keptObjects: Check = (c) => {
  for (const d of c.steps.filter((s) => s.action === "delete").map((s) => c.oldById.get(s.id)!)) {
    const lost = ownedBy(d).filter((o) => o.kind === "CustomResourceDefinition" && !o.kept);
    if (lost.length) {
      c.violate(
        "deletes-kept",
        d.id,
        `deleting release ${d.name} deletes ${lost.length} CRDs and with them every object of their kinds`,
        "set the chart's keep option (crds.keep) in an update before removing the release",
      );
    } else if (ownedBy(d).some((o) => o.kept)) {
      c.warn(`release ${d.name} is deleted; its kept objects (CRDs) stay, still annotated as owned by it`);
    }
    if ((d.type === CRD || d.type === CONFIG_FILE) && d.options?.retainOnDelete !== true && holdsCrds(d)) {
      c.violate(
        "deletes-kept",
        d.id,
        `${d.id} would delete CRDs and every object of their kinds`,
        "set retainOnDelete on the CRD resources before removing them",
      );
    }
    if (d.type === CLUSTER_ISSUER) {
      c.violate(
        "deletes-kept",
        d.id,
        `ClusterIssuer ${d.name} would be deleted; every Certificate that names it stops renewing`,
        "keep the issuer until no Certificate uses it (kubectl get certificates -A -o jsonpath='{..issuerRef.name}')",
      );
    }
  }
};

/**
 * A replaced CRD deletes every object of its kind with the old one, unless the old one is retained: the delete
 * step of a replacement skips a retainOnDelete resource (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep).
 */
const replacedCrds: Check = (c) => {
  for (const s of c.steps.filter((x) => x.action === "replace" && x.type === CRD)) {
    if (c.matchOf(s.id)?.options?.retainOnDelete === true) continue;
    c.violate(
      "deletes-kept",
      s.id,
      `CRD ${s.name} would be replaced (${s.paths.join(", ")} changed) and the old one deleted, with every object of its kind`,
      "set retainOnDelete on the CRD in an update before the change",
    );
  }
};

/** CRDs a running release starts to need. */
const missingCrds: Check = (c) => {
  for (const r of c.after.resources.filter((x) => x.type === RELEASE)) {
    const old = c.matchOf(r.id);
    if (!old || c.stepOf(r.id)?.action !== "update") continue;
    const needs = CHARTS[chartOf(r)]?.crdsOnInstallOnly;
    if (!needs) continue;
    const wasOn = valueAt(old.inputs?.values, needs.enabledBy) === true;
    const isOn = valueAt(r.inputs?.values, needs.enabledBy) === true;
    const providers = c.after.resources.filter(
      (x) => !x.read && x.id !== r.id && JSON.stringify(x.inputs ?? {}).includes(needs.providedBy),
    );
    const waits = providers.some((p) => (r.dependsOn ?? []).includes(p.id));
    if (isOn && !wasOn && !waits) {
      c.violate(
        "missing-crds",
        r.id,
        `release ${r.name} turns on ${needs.enabledBy} in an upgrade, but Helm installs the chart's crds/ only on install: the controller would wait for CRDs that never come`,
        "install the CRDs as their own resource from the pinned version and make the release depend on it",
      );
    }
  }
};

/** Helm's release-name limit. */
const helmName: Check = (c) => {
  for (const r of c.after.resources.filter((x) => x.type === RELEASE)) {
    const name = releaseName(r);
    const s = c.stepOf(r.id);
    if (name.length > HELM_RELEASE_NAME_MAX && (s?.action === "create" || s?.action === "replace")) {
      c.violate(
        "helm-name",
        r.id,
        `release name "${name}" has ${name.length} characters; Helm refuses more than ${HELM_RELEASE_NAME_MAX}`,
        "choose a shorter instance key",
      );
    }
  }
};

const roleWarnings: Check = (c) => {
  for (const s of c.steps) {
    if (s.action === "replace" && s.type === ROLE) {
      c.warn(`role ${s.name} is replaced: its ARN's sessions end; pods re-assume it`);
    }
  }
};

/**
 * A rollout of an ingress release (an upgrade that changes its pod template or chart) with one replica: the old
 * pod goes before the new one is a healthy target, a moment without a ready target behind the NLB.
 */
const rolloutGaps: Check = (c) => {
  for (const s of c.steps.filter((x) => x.action === "update" && x.type === RELEASE)) {
    const r = c.newById.get(s.id)!;
    const replicas = valueAt(r.inputs?.values, "controller.replicaCount");
    if (chartOf(r).includes("nginx-ingress") && typeof replicas === "number" && replicas < 2) {
      c.warn(
        `release ${s.name} rolls its only replica: its NLB has no ready target for a moment (set replicas: 2)`,
      );
    }
  }
};

/** Every check, in the order their findings are reported. Add a rule here. */
export const CHECKS: Check[] = [
  protection,
  replacementCollisions,
  createDeleteCollisions,
  credentials,
  keptObjects,
  replacedCrds,
  missingCrds,
  helmName,
  roleWarnings,
  rolloutGaps,
];
