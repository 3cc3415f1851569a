/**
 * The diagnosis: compares what the stack expects with what was observed and names root causes. Pure: no clients,
 * no clock (the observation carries its time), so every scenario is a plain function call in the tests. Each area
 * is a file of diagnose/, called here in the catalogue's causal order (diagnose/findings.ts FINDING_ORDER).
 */
import type { ExpectedPlatform, Finding, Observed } from "./model";
import { checkCertificates } from "./diagnose/certificates";
import { checkExternalDns } from "./diagnose/dns";
import { Findings, sortFindings, type DiagnoseOptions } from "./diagnose/findings";
import { checkIdentity } from "./diagnose/identity";
import { checkIngress } from "./diagnose/ingress";
import { checkIssuers } from "./diagnose/issuers";
import { checkPermissions } from "./diagnose/permissions";
import { reportReadErrors } from "./diagnose/reads";

export {
  FINDING_ORDER,
  sortFindings,
  withinDomain,
  type DiagnoseOptions,
  type FindingId,
} from "./diagnose/findings";
export { ownerOf, ownershipTxtName } from "./diagnose/findings";

export function diagnose(exp: ExpectedPlatform, obs: Observed, opts: DiagnoseOptions = {}): Finding[] {
  const out = new Findings();
  reportReadErrors(out, exp, obs);
  checkIdentity(out, exp, obs);
  checkPermissions(out, exp, obs);
  const states = checkIngress(out, exp, obs);
  checkExternalDns(out, exp, obs, states, opts);
  const broken = checkIssuers(out, exp, obs);
  checkCertificates(out, exp, obs, broken, opts);
  return sortFindings(out.list);
}
