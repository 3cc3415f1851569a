/**
 * The stack configuration schema: every key a `Pulumi.<stack>.yaml` may set under the `eks-platform:` namespace.
 *
 * Each top-level key is its own schema, so a malformed section does not hide problems in the others (config.ts
 * parses them one by one, then resolves them). The stack-wide keys are here; `cluster`, `dns` and `iam` come
 * from their folders under components/, and every add-on's section from the add-on list. The descriptions are
 * the configuration reference: `npm run docs:config` renders them and a test fails if they drift.
 */
import { z } from "zod";
import { addOns, builtInRoleKeys } from "../components/addOns";
import { clusterSchema } from "../components/cluster/schema";
import { dnsSchema } from "../components/dns/schema";
import { iamSchema, roleBindingsDescription } from "../components/identity/schema";
import { TIERS } from "../model/enums";
import { environmentName, k8sName, tags } from "../model/formats";

export const PROJECT = "eks-platform";

// ---- sections ------------------------------------------------------------------------------------------------

export const tierSchema = z
  .enum(TIERS)
  .describe(
    "Which defaults the stack gets: `dev` (one replica, Let's Encrypt staging, external-dns `sync`, nothing protected) or `prod` (highly available, Let's Encrypt prod, `upsert-only`, IAM roles protected). Required.",
  );

export const environmentSchema = environmentName.describe(
  "Environment name used in every resource name (`<environment>-<key>-<namespace>` for IAM roles). Default: the stack name.",
);

export const namespaceSchema = k8sName.describe(
  "The one platform namespace for the ingress controllers, external-dns and cert-manager, and the default namespace of their service accounts. Default: `platform`.",
);

export const tagsSchema = tags.describe(
  "Tags added to every AWS resource this program creates. Default: none.",
);

export const protectSchema = z
  .boolean()
  .describe(
    "Protect IAM roles, the OIDC provider (when created here) and the internal CA key from deletion. Default: dev false, prod true.",
  );

/** The `iam` section, its reference naming every add-on's role key. */
const iamSection = iamSchema
  .extend({ roleBindings: iamSchema.shape.roleBindings.describe(roleBindingsDescription(builtInRoleKeys)) })
  .describe(iamSchema.description ?? "");

/** Every top-level key, in the order the reference documents them. */
export const sections: Readonly<Record<string, z.ZodType>> = {
  tier: tierSchema,
  environment: environmentSchema,
  namespace: namespaceSchema,
  protect: protectSchema,
  tags: tagsSchema,
  cluster: clusterSchema,
  dns: dnsSchema,
  ...Object.fromEntries(addOns.map((a) => [a.key, a.schema])),
  iam: iamSection,
};

export const requiredSections: readonly string[] = [
  "tier",
  "cluster",
  "dns",
  ...addOns.filter((a) => a.required).map((a) => a.key),
];
