/**
 * What the program does with objects it meets already in place: a cluster and an account are not empty. Given a
 * plan and the objects that exist before `pulumi up` (what `pulumi destroy` left, what another stack or a hand
 * install made), the judge says for each one it would meet whether the update adopts it, leaves it alone, or
 * fails, and for a failure what to run. docs/operations.md has the same rules as a table; the tests check both.
 *
 * The rules, each from the code that decides it:
 * - `adopting-provider`: an object of a provider with `upsertExistingObjects` is applied server-side over the
 *   existing one (pulumi-kubernetes provider/pkg/await/await.go Creation), fields of other managers forced
 *   (`enablePatchForce`, the same file's patchForce): the NGINX CRDs.
 * - `helm-owner`: an object a release renders that exists with that release's ownership annotations is adopted
 *   (helm v3.20.2 pkg/action/validate.go existingResourceConflict, checkOwnership); with other or no annotations
 *   Helm refuses it ("invalid ownership metadata"), unless the release takes ownership (install.go
 *   requireAdoption).
 * - `helm-crds-folder`: a CRD of a chart's `crds/` that exists is skipped (install.go installCRDs).
 * - `helm-release`: a release that exists under the same name and namespace makes the install fail ("cannot
 *   re-use a name that is still in use", install.go availableName): import it.
 * - `created`: any other named object the program creates fails: Kubernetes answers AlreadyExists to the
 *   client-side create (await.go, since pulumi-kubernetes 4.29.0), IAM EntityAlreadyExists: import it.
 */
import { CHARTS } from "./charts";
import { qualifiedName, ruleOf, managed, type JudgedPlan, type JudgedResource } from "./plans";
import { RELEASE, chartOf, ownedBy, releaseName, takesOwnership } from "./releases";
import type { Violation } from "./verdict";

/** An object in the cluster or the account before the update. */
export interface InPlace {
  /** Kubernetes kind (`CustomResourceDefinition`, `IngressClass`, `HelmRelease`) or the Pulumi type of an AWS resource. */
  kind: string;
  name: string;
  namespace?: string;
  /** The Helm release its ownership annotations name (`meta.helm.sh/release-name` and `-namespace`). */
  helmOwner?: { release: string; namespace: string };
}

export type Outcome = "adopt" | "leave" | "fail";

export interface Meeting {
  object: InPlace;
  /** The plan resource that meets it. */
  resource: string;
  outcome: Outcome;
  rule: "adopting-provider" | "helm-owner" | "helm-crds-folder" | "helm-release" | "created";
  /** What to run, for a failure. */
  fix?: string;
}

const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

const key = (o: { kind: string; name: string; namespace?: string }) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

const text = (v: unknown) => (typeof v === "string" ? v : undefined);
const truthy = (v: unknown) => v === true || v === "true";

/** The Kubernetes kind (or the AWS type) of a plan resource. */
function kindOf(r: JudgedResource): string {
  if (r.type === RELEASE) return "HelmRelease";
  return r.type.startsWith("kubernetes:") ? r.type.slice(r.type.lastIndexOf(":") + 1) : r.type;
}

/** The object a plan resource creates, by its real-world name. */
export function createdObject(r: JudgedResource): InPlace | undefined {
  const rule = ruleOf(r.type);
  if (!rule.nameAt || !qualifiedName(r, rule)) return undefined;
  const name = qualifiedName(r, rule)!.split(" ").pop()!;
  const [namespace, own] = name.includes("/") ? name.split("/") : [undefined, name];
  return { kind: kindOf(r), name: own, ...(namespace ? { namespace } : {}) };
}

/** What `pulumi destroy` of this plan leaves: retained resources, kept chart objects, charts' `crds/`. */
export function leftAfterDestroy(plan: JudgedPlan): InPlace[] {
  const out: InPlace[] = [];
  for (const r of plan.resources.filter(managed)) {
    const made = createdObject(r);
    if (made && r.options?.retainOnDelete) out.push(made);
    if (r.type !== RELEASE) continue;
    const owner = { release: releaseName(r), namespace: text(r.inputs?.namespace) ?? "" };
    for (const o of ownedBy(r).filter((x) => x.kept))
      out.push({ kind: o.kind, name: o.name, helmOwner: owner });
    if (r.inputs?.skipCrds !== true) {
      for (const name of CHARTS[chartOf(r)]?.crdsFolder ?? [])
        out.push({ kind: "CustomResourceDefinition", name });
    }
  }
  return out;
}

/** Everything the plan makes, in place as a running installation of it has it (another stack's, say). */
export function installedBy(plan: JudgedPlan): InPlace[] {
  const out = leftAfterDestroy(plan);
  for (const r of plan.resources.filter(managed)) {
    const made = createdObject(r);
    if (made && !r.options?.retainOnDelete) out.push(made);
    if (r.type !== RELEASE) continue;
    const owner = { release: releaseName(r), namespace: text(r.inputs?.namespace) ?? "" };
    for (const o of ownedBy(r).filter((x) => !x.kept))
      out.push({ kind: o.kind, name: o.name, helmOwner: owner });
  }
  return out;
}

/** The ID `pulumi import` takes: namespace/name for Kubernetes objects, the ARN for an IAM policy, else the name. */
const importId = (r: JudgedResource, o: InPlace) =>
  r.type === "aws:iam/policy:Policy"
    ? `arn:<partition>:iam::<account-id>:policy/${o.name}`
    : `${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

const importFix = (r: JudgedResource, o: InPlace) =>
  `remove it from the stack that manages it without deleting it (pulumi state delete there), then adopt it here with the parent npm run plan shows: pulumi import ${r.type} ${r.name} ${importId(r, o)}`;

/** How the program meets each object in place, and the failures as violations (kind `exists`). */
export function meetExisting(
  plan: JudgedPlan,
  inPlace: readonly InPlace[],
): { meetings: Meeting[]; violations: Violation[] } {
  const byKey = new Map(inPlace.map((o) => [key(o), o]));
  const providers = new Map(plan.resources.map((r) => [r.id, r]));
  const meetings: Meeting[] = [];
  for (const r of plan.resources.filter(managed)) {
    const made = createdObject(r);
    const found = made && byKey.get(key(made));
    if (found) {
      const adopts = r.type === CRD && truthy(providers.get(r.provider ?? "")?.inputs?.upsertExistingObjects);
      meetings.push(
        adopts
          ? { object: found, resource: r.id, outcome: "adopt", rule: "adopting-provider" }
          : {
              object: found,
              resource: r.id,
              outcome: "fail",
              rule: r.type === RELEASE ? "helm-release" : "created",
              fix: importFix(r, found),
            },
      );
    }
    if (r.type !== RELEASE) continue;
    const release = releaseName(r);
    const namespace = text(r.inputs?.namespace) ?? "";
    for (const o of ownedBy(r)) {
      const there = byKey.get(key({ kind: o.kind, name: o.name }));
      if (!there) continue;
      const ours = there.helmOwner?.release === release && there.helmOwner.namespace === namespace;
      meetings.push(
        ours || takesOwnership(r)
          ? { object: there, resource: r.id, outcome: "adopt", rule: "helm-owner" }
          : {
              object: there,
              resource: r.id,
              outcome: "fail",
              rule: "helm-owner",
              fix: there.helmOwner
                ? `it belongs to release ${there.helmOwner.release} in ${there.helmOwner.namespace}: uninstall that release first (helm uninstall ${there.helmOwner.release} -n ${there.helmOwner.namespace}), or give this one another name`
                : `it was made outside Helm: delete it (kubectl delete ${o.kind.toLowerCase()} ${o.name}) or choose another name`,
            },
      );
    }
    if (r.inputs?.skipCrds !== true) {
      for (const name of CHARTS[chartOf(r)]?.crdsFolder ?? []) {
        const there = byKey.get(key({ kind: "CustomResourceDefinition", name }));
        if (there)
          meetings.push({ object: there, resource: r.id, outcome: "leave", rule: "helm-crds-folder" });
      }
    }
  }
  const violations = meetings
    .filter((m) => m.outcome === "fail")
    .map((m) => ({
      kind: "exists" as const,
      resource: m.resource,
      message: `${key(m.object)} exists already${m.object.helmOwner ? ` (owned by release ${m.object.helmOwner.namespace}/${m.object.helmOwner.release})` : ""}`,
      fix: m.fix!,
    }));
  return { meetings, violations };
}
