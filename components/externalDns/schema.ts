/**
 * The `externalDns` section of a stack file: the `private` and `central` external-dns instances.
 */
import { z } from "zod";
import { RECORD_POLICIES } from "../../model/enums";
import { domainName, k8sName, zoneId } from "../../model/formats";

const externalDnsInstance = z.strictObject({
  ownerId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, "1-63 characters of lower-case letters, digits, '.' or '-'")
    .optional()
    .describe("`txtOwnerId` of this instance. Default: `<environment>-<cluster>-<instance>`."),
  zoneIds: z
    .array(zoneId)
    .optional()
    .describe(
      "Zones this instance may write (`--zone-id-filter`). Default: every zone of its kind in `dns`.",
    ),
  domainFilters: z
    .array(domainName)
    .optional()
    .describe("Domains this instance manages (`domainFilters`). Default: the names of its zones."),
  ingressClass: k8sName
    .optional()
    .describe(
      "IngressClass it watches. Default: private watches the internal instance's class, central the internet-facing one's.",
    ),
  policy: z
    .enum(RECORD_POLICIES)
    .optional()
    .describe("Override the record policy for this instance. Default: externalDns.policy."),
});

export const externalDnsSchema = z
  .strictObject({
    policy: z
      .enum(RECORD_POLICIES)
      .optional()
      .describe(
        "Record policy: `sync` also deletes records it owns, `upsert-only` never deletes. Default: dev sync, prod upsert-only.",
      ),
    txtPrefix: z
      .string()
      .regex(
        /^(?=.{1,40}$)[a-z0-9_-]*(?:%\{record_type\})?[a-z0-9_-]*[.-]?$/,
        "up to 40 lower-case letters, digits, '_' or '-', optionally with %{record_type}, ending in '.' or '-'",
      )
      .optional()
      .describe(
        "Prefix of the ownership TXT records, so they never clash with a CNAME of the same name. Keep `%{record_type}` and the final `.` if an instance manages apex names: without them the TXT record falls outside the zone. Default: `extdns-%{record_type}.`.",
      ),
    private: externalDnsInstance.optional().describe("The `private` instance (private zones)."),
    central: externalDnsInstance.optional().describe("The `central` instance (public zones)."),
  })
  .describe("The two external-dns instances. Default: both, derived from `dns` and `ingress`.");

export type ExternalDnsInput = z.infer<typeof externalDnsSchema>;
export type ExternalDnsInstanceInput = z.infer<typeof externalDnsInstance>;
