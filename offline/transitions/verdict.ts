/** What the transition judge answers: the predicted steps, the violations with their fixes, and warnings. */

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
  | "helm-name"
  | "exists";

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
