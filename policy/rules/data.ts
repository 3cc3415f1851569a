/**
 * Resource data as the rules see it, the resource types they know, and small readers for untyped values.
 */
import { LETSENCRYPT } from "../facts";

/** One resource as a policy sees it. `props` are the inputs (resource rules) or the state (stack rules). */
export interface ResourceData {
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect: boolean;
  /** Only used to point stack-level violations at a resource. */
  urn?: string;
}

/** Receives one message per violation of a resource rule. */
export type Report = (message: string) => void;
/** Receives one message per violation of a stack rule, with the URN of the resource at fault when there is one. */
export type StackReport = (message: string, urn?: string) => void;

/** What a rule may need to know about the stack besides its resources. */
export interface RuleContext {
  /** Name of the stack being checked (from the resource URNs). */
  stack: string;
  /** Stack names treated as production when no namespace of the stack carries the tier label (see stackTier). */
  prodStacks: readonly string[];
}

export const TYPES = {
  role: "aws:iam/role:Role",
  policy: "aws:iam/policy:Policy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  oidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  release: "kubernetes:helm.sh/v3:Release",
  clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
  issuer: "kubernetes:cert-manager.io/v1:Issuer",
  namespace: "kubernetes:core/v1:Namespace",
} as const;

/** Tag that declares a role meant to be assumed by more than one service account. */
export const MULTI_SERVICE_ACCOUNT_TAG = "eks-platform/multi-service-account";

/** Stack names treated as production by the fallback rule when the pack's config does not say otherwise. */
export const DEFAULT_PROD_STACKS: readonly string[] = ["prod"];

/** ACME directories cert-manager may talk to: Let's Encrypt production and staging, as the issuers use them. */
export const LETS_ENCRYPT_DIRECTORIES: readonly string[] = [
  LETSENCRYPT["letsencrypt-prod"],
  LETSENCRYPT["letsencrypt-staging"],
];

/** Record policies external-dns understands. */
export const EXTERNAL_DNS_POLICIES: readonly string[] = ["sync", "upsert-only", "create-only"];

// ---- small readers for untyped data ----------------------------------------------------------------------------

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function dict(value: unknown): Dict {
  return isDict(value) ? value : {};
}

/** IAM's "string or list of strings", and Helm's lists: always a list of the strings in it. */
export function strings(value: unknown): string[] {
  if (typeof value === "string") {
    return [value];
  }
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** A policy document given as JSON text (the usual case) or as an object. */
export function parseDocument(value: unknown): { doc?: Dict; error?: string } {
  if (isDict(value)) {
    return { doc: value };
  }
  if (typeof value !== "string") {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { error: "is not valid JSON" };
  }
  return isDict(parsed) ? { doc: parsed } : { error: "is not a JSON object" };
}

export function statementsOf(doc: Dict): Dict[] {
  const st = doc.Statement;
  return (Array.isArray(st) ? st : [st]).filter(isDict);
}

export function statementLabel(st: Dict, index: number): string {
  return nonEmptyString(st.Sid) ? `"${st.Sid}"` : `#${index}`;
}

/** A statement by its index and, when it has one, its Sid: the index finds it, the Sid is what people wrote. */
export function statementRef(st: Dict, index: number): string {
  return nonEmptyString(st.Sid) ? `#${index} (Sid "${st.Sid}")` : `#${index}`;
}
