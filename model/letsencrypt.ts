/** Let's Encrypt's ACME directories, by the ClusterIssuer that uses each. */
import type { AcmeIssuerName } from "./enums";

export const LETSENCRYPT: Readonly<Record<AcmeIssuerName, string>> = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
};
