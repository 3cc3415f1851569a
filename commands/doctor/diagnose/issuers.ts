/**
 * The issuers area: each ClusterIssuer the stack creates exists and is Ready.
 */
import type { ExpectedPlatform, Observed } from "../model";
import type { Findings } from "./findings";
import { condition, unread } from "./findings";

export function checkIssuers(out: Findings, exp: ExpectedPlatform, obs: Observed): Set<string> {
  const broken = new Set<string>();
  if (unread(obs, "kubernetes clusterissuers")) {
    return broken;
  }
  for (const name of exp.certManager.issuers) {
    const issuer = obs.kubernetes.clusterIssuers.find((i) => i.metadata.name === name);
    if (!issuer) {
      broken.add(name);
      out.add(
        "issuer-missing",
        "error",
        `clusterissuer ${name}`,
        `The ClusterIssuer ${name} does not exist.`,
        [],
        "kubectl get clusterissuer",
      );
      continue;
    }
    const ready = condition(issuer, "Ready");
    if (ready?.status === "True") {
      continue;
    }
    broken.add(name);
    const evidence = [
      `Ready=${ready?.status ?? "(none)"} reason ${ready?.reason ?? ""}: ${ready?.message ?? ""}`,
    ];
    // pkg/issuer/acme/setup.go (v1.21.1): reason ErrRegisterACMEAccount, message "Failed to register ACME account: "
    // followed by the ACME problem, whose type for a refused e-mail is urn:ietf:params:acme:error:invalidContact.
    if (/invalidContact/.test(ready?.message ?? "")) {
      out.add(
        "acme-contact-rejected",
        "error",
        `clusterissuer ${name}`,
        `The ACME server refused the account's contact e-mail ${issuer.spec?.acme?.email ?? ""}: no certificate from ${name} can be issued until certManager.email is an address the CA accepts (not example.com or another reserved domain).`,
        evidence,
        `pulumi config set --path certManager.email <a mailbox of your domain> -s ${exp.stack}`,
      );
      continue;
    }
    out.add(
      "issuer-not-ready",
      "error",
      `clusterissuer ${name}`,
      `The ClusterIssuer ${name} is not Ready: ${ready?.reason ?? "no Ready condition"}.`,
      evidence,
      `kubectl describe clusterissuer ${name}`,
    );
  }
  return broken;
}
