/**
 * The stack-output contract is a public API. This test pins every output's name and shape: renaming,
 * removing or reshaping one fails here. Adding one means adding it below too (and a minor version bump).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { CONTRACT_VERSION, checkOutputs, contractShapes } from "../stacks/outputs";
import { checkContractVersion } from "../stacks/consumer";
import { planStack } from "./helpers/stacks";
import { stackNames } from "../commands/stacks";
import { ROOT } from "./helpers/cli";

/** Every stack file: a new environment exports the contract too, with no change here. */
const STACKS = stackNames(ROOT);

const PINNED: Record<string, string> = {
  contractVersion: "string",
  environment: "string",
  tier: '"dev" | "prod"',
  clusterName: "string",
  platformNamespace: "string",
  ingressClasses: "record<string>",
  defaultIngressClass: "string",
  publicIngressClass: "string",
  internalIngressClass: "string",
  loadBalancerHostnames: "record<string>",
  externalDnsOwnerIds: "record<string>",
  externalDnsZoneIds: "record<string[]>",
  externalDnsDomainFilters: "record<string[]>",
  externalDnsIngressClasses: "record<string>",
  clusterIssuers: "string[]",
  defaultClusterIssuer: "string",
  internalCaCertificatePem: "string",
  irsaRoleArns: "record<string>",
  serviceAccountAnnotations: "record<record<string>>",
  // 1.1: the workload identity seam (IRSA or EKS Pod Identity).
  workloadRoleArns: "record<string>",
  workloadRoleBindings: 'record<"irsa" | "pod-identity">',
  // 1.2: the internal CA's expiry, for monitoring its renewal.
  internalCaNotAfter: "string",
  // 1.2: the central DNS account's roles, as documents to apply there.
  centralDnsRoles: "record<record<string>>",
  // 1.2: the AWS Load Balancer Controller as an add-on.
  loadBalancerControllerManaged: "boolean",
  loadBalancerControllerRoleArn: "string",
};

const out = fs.mkdtempSync(path.join(os.tmpdir(), "contract-"));
const outputs: Record<string, Record<string, unknown>> = {};

before(async () => {
  for (const stack of STACKS) {
    // The real stack files, whatever teams put in them (the fixtures are for exact expectations).
    outputs[stack] = (await planStack(stack, out, path.join(ROOT, `Pulumi.${stack}.yaml`))).outputs;
  }
});

test("no output was renamed, removed or reshaped", () => {
  assert.deepEqual(contractShapes(), PINNED);
});

test("the contract version is major.minor, major 1", () => {
  assert.match(CONTRACT_VERSION, /^1\.\d+$/);
});

test("every stack exports exactly the contract, every value of its shape", () => {
  assert.ok(STACKS.length >= 2, STACKS.join(", "));
  for (const stack of STACKS) {
    assert.deepEqual(Object.keys(outputs[stack]).sort(), Object.keys(PINNED).sort(), stack);
    assert.deepEqual(checkOutputs(outputs[stack]), [], stack);
    assert.equal(outputs[stack].contractVersion, CONTRACT_VERSION);
  }
});

test("the conformance check catches a renamed and a reshaped output", () => {
  const renamed: Record<string, unknown> = { ...outputs.dev, ingressClassNames: outputs.dev.ingressClasses };
  delete renamed.ingressClasses;
  const problems = checkOutputs({ ...renamed, clusterIssuers: "letsencrypt-prod" });
  assert.deepEqual(
    problems.map((p) => p.split(":")[0]),
    ["ingressClasses", "clusterIssuers", "ingressClassNames"],
  );
});

test("consumers refuse a platform of another major contract version", () => {
  assert.equal(checkContractVersion("1.7"), "1.7");
  assert.throws(() => checkContractVersion("2.0"), /exports output contract 2\.0, this helper reads 1\.2/);
});
