/** Let's Encrypt's ACME directories, by the ClusterIssuer that uses each. */
import type { AcmeIssuerName } from "./enums";

export const LETSENCRYPT: Readonly<Record<AcmeIssuerName, string>> = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
};

/**
 * Domains reserved for documentation and testing (RFC 2606: example.com, .net and .org, and the TLDs .example,
 * .test, .invalid and .localhost; RFC 6761 keeps them special). Let's Encrypt refuses an ACME account whose
 * contact is at one of them (`invalidContact`), so an issuer with such an e-mail never becomes Ready.
 */
const RESERVED_DOMAINS = ["example.com", "example.net", "example.org"] as const;
const RESERVED_TLDS = ["example", "test", "invalid", "localhost"] as const;

/** Whether a domain is, or lies under, a reserved or example domain. Case-insensitive; a final dot is ignored. */
export function isReservedDomain(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, "");
  const under = (parent: string) => d === parent || d.endsWith(`.${parent}`);
  return RESERVED_DOMAINS.some(under) || RESERVED_TLDS.some(under);
}

/** Whether Let's Encrypt would refuse an e-mail address as an ACME contact for its domain. */
export function isReservedEmail(email: string): boolean {
  const at = email.lastIndexOf("@");
  return at >= 0 && isReservedDomain(email.slice(at + 1));
}
