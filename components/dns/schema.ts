/**
 * The `dns` section of a stack file: the Route53 zones and the central DNS account.
 */
import { z } from "zod";
import { domainName, roleArn, zoneId } from "../../model/formats";

const zone = z.strictObject({
  name: domainName.describe("The zone's domain name."),
  zoneId: zoneId.describe("The zone's Route53 hosted zone ID."),
});

export const dnsSchema = z
  .strictObject({
    privateZones: z
      .array(zone)
      .optional()
      .describe("Private Route53 zones of this account, managed by external-dns `private`. Default: none."),
    publicZones: z
      .array(zone)
      .optional()
      .describe(
        "Public Route53 zones, managed by external-dns `central` and used for DNS-01. Default: none.",
      ),
    centralDnsAccount: z
      .strictObject({
        externalDnsRoleArn: roleArn.describe(
          "Role in the DNS account that external-dns `central` assumes (`--aws-assume-role`). It must trust this stack's external-dns-central role.",
        ),
        externalId: z
          .string()
          .regex(/^[\w+=,.@:/-]{2,1224}$/, "2-1224 characters of letters, digits and +=,.@:/-")
          .optional()
          .describe("External ID external-dns passes when assuming its role. Default: none."),
        certManagerRoleArn: roleArn
          .optional()
          .describe(
            "Role in the DNS account that cert-manager's DNS-01 solvers assume. It must trust this stack's cert-manager role and cannot require an external ID (the solver cannot send one). Default: externalDnsRoleArn when no externalId is set.",
          ),
      })
      .optional()
      .describe(
        "Set when the public zones live in a central DNS account: the workloads then get only `sts:AssumeRole` and `sts:TagSession` on these roles and no Route53 rights of their own. The roles' trust and permission documents, to create them there, are the `centralDnsRoles` output (and a section of the plan). Default: the public zones are in this account.",
      ),
  })
  .describe("Route53 zones. At least one zone is required.");

export type DnsInput = z.infer<typeof dnsSchema>;
