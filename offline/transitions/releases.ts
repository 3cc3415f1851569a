/**
 * Helm releases as the judge sees them: their chart, their name, and the cluster-scoped objects they render
 * (model.ts CHARTS, the chart's defaults merged with the release's values). Pure.
 */
import { ownedObjects, type OwnedName } from "./model";
import type { JudgedResource } from "./plans";

export const RELEASE = "kubernetes:helm.sh/v3:Release";

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const chartOf = (r: JudgedResource): string => text(r.inputs?.chart) ?? "";
export const releaseName = (r: JudgedResource): string => text(r.inputs?.name) ?? r.name;

export const ownedBy = (r: JudgedResource): OwnedName[] =>
  r.type === RELEASE ? ownedObjects(chartOf(r), releaseName(r), r.inputs?.values) : [];

export const ownedKey = (o: OwnedName) => `${o.kind} ${o.name}`;

/**
 * Whether a release takes ownership of objects that exist already (`takeOwnership`, Helm's `--take-ownership`):
 * Helm then adopts them instead of refusing their ownership annotations (helm v3.20.2 pkg/action/install.go:
 * requireAdoption instead of existingResourceConflict).
 */
export const takesOwnership = (r: JudgedResource): boolean => r.inputs?.takeOwnership === true;

/** The ingress instance key behind an ingress release (`ingress-<key>`). */
export function releaseKey(r: JudgedResource): string {
  return releaseName(r).replace(/^ingress-/, "");
}
