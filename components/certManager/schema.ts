/**
 * The `certManager` section of a stack file: cert-manager and its ClusterIssuers.
 */
import { z } from "zod";
import { CLUSTER_ISSUERS } from "../../model/enums";
import { domainName, k8sName } from "../../model/formats";
import { isReservedEmail } from "../../model/letsencrypt";

export const certManagerSchema = z
  .strictObject({
    letsEncrypt: z
      .boolean()
      .optional()
      .describe(
        "Create the Let's Encrypt ClusterIssuers (staging and prod) and their ACME solvers. `false` for an environment that Let's Encrypt cannot reach or that needs no public certificates: then only `internal-ca` is created, no ACME e-mail and no cert-manager IAM role are needed, and cert-manager contacts no ACME directory. Default: true.",
      ),
    email: z
      .email("an e-mail address such as platform-team@acme-corp.com")
      .refine(
        (email) => !isReservedEmail(email),
        "an address at a real domain: Let's Encrypt refuses contacts at reserved and example domains (example.com, .test, ...: RFC 2606, RFC 6761)",
      )
      .optional()
      .describe(
        "ACME account e-mail (Let's Encrypt expiry notices). Not at a reserved or example domain (example.com, .example, .test, .invalid, .localhost), which Let's Encrypt refuses. Required unless `letsEncrypt` is false.",
      ),
    defaultIssuer: z
      .enum(CLUSTER_ISSUERS)
      .optional()
      .describe(
        "The ClusterIssuer exported as the environment's default. Default: dev letsencrypt-staging, prod letsencrypt-prod; `internal-ca` when `letsEncrypt` is false.",
      ),
    dns01Zones: z
      .array(domainName)
      .optional()
      .describe("Public zones (by name) that get a Route53 DNS-01 solver. Default: every public zone."),
    http01: z
      .boolean()
      .optional()
      .describe("Add an HTTP-01 solver for names no DNS-01 solver covers. Default: true."),
    http01IngressClass: k8sName
      .optional()
      .describe("IngressClass of the HTTP-01 solver. Default: the internet-facing ingress instance's class."),
    recursiveNameservers: z
      .array(
        z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}$/, "an IPv4 address and port such as 1.1.1.1:53"),
      )
      .optional()
      .describe(
        "Resolvers for the DNS-01 self-check. Needed when a private zone shadows a public one (split horizon). Default: 1.1.1.1:53 and 8.8.8.8:53 when a private zone contains or sits inside a DNS-01 zone, else the cluster's resolver.",
      ),
    internalCa: z
      .strictObject({
        commonName: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe("Subject CN. Default: `<environment> internal CA`."),
        organization: z.string().min(1).max(64).optional().describe("Subject O. Default: `eks-platform`."),
        validityHours: z
          .int()
          .min(24 * 30)
          .max(24 * 365 * 20)
          .optional()
          .describe(
            "Validity of the CA certificate in hours. Default: dev 8760 (1 year), prod 43800 (5 years).",
          ),
      })
      .optional()
      .describe("The internal CA behind the `internal-ca` ClusterIssuer. Default: see its keys."),
  })
  .describe("cert-manager and its ClusterIssuers. Required (for the ACME e-mail, or `letsEncrypt: false`).")
  .meta({
    missing: "set certManager.email (the Let's Encrypt account's contact), or certManager.letsEncrypt: false",
  });

export type CertManagerInput = z.infer<typeof certManagerSchema>;
