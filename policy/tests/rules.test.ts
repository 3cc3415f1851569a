/**
 * A smoke test of every rule family of the pack, run in policy/ alone (`npm test` here): for each rule a valid
 * resource passes and a broken one gives its one violation. The program's tests (tests/policy*.ts at the
 * repository's root) go through every case; these prove the pack works without the program around it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TIER_LABEL } from "../facts";
import { PACK_NAME, policies } from "../pack";
import { TYPES, evaluate, resourceRules, stackRules, stackTier, type ResourceData } from "../rules";

const urn = (stack: string, type: string, name: string) =>
  `urn:pulumi:${stack}::eks-platform::${type}::${name}`;

function res(
  type: string,
  name: string,
  props: Record<string, unknown>,
  protect = true,
  stack = "dev",
): ResourceData {
  return { type, name, props, protect, urn: urn(stack, type, name) };
}

/** `rule: message` per violation of the whole pack over one stack's resources. */
function check(resources: ResourceData[], stack = "dev"): string[] {
  return evaluate(resources, { stack, prodStacks: ["prod"] }).map((v) => `${v.rule}: ${v.message}`);
}

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const trust = (sub: unknown, aud: unknown = "sts.amazonaws.com") =>
  JSON.stringify({
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${ISSUER}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${ISSUER}:sub`]: sub, ...(aud ? { [`${ISSUER}:aud`]: aud } : {}) } },
      },
    ],
  });
const role = (name: string, assumeRolePolicy: string, protect = true, stack = "dev") =>
  res(TYPES.role, name, { name, assumeRolePolicy }, protect, stack);
const SA = "system:serviceaccount:apps:app";

const release = (name: string, props: Record<string, unknown>) =>
  res(TYPES.release, name, { name, ...props });
const dns = (instance: string, owner: string, domain: string) =>
  release(`external-dns-${instance}`, {
    chart: "external-dns",
    version: "1.21.1",
    values: { policy: "sync", txtOwnerId: owner, domainFilters: [domain] },
  });
const namespace = (tier: string | undefined, stack = "dev") =>
  res(
    TYPES.namespace,
    "platform",
    { metadata: { name: "platform", labels: tier === undefined ? {} : { [TIER_LABEL]: tier } } },
    false,
    stack,
  );

describe("the pack's rules, one smoke test per family", () => {
  test("IAM: a write whose resource spans every bucket is reported with role, statement, action and resource", () => {
    const doc = (resource: string) =>
      JSON.stringify({
        Statement: [{ Sid: "Objects", Effect: "Allow", Action: ["s3:PutObject"], Resource: resource }],
      });
    const inline = (resource: string) =>
      res(TYPES.role, "app", {
        name: "app",
        assumeRolePolicy: trust(SA),
        inlinePolicies: [{ name: "objects", policy: doc(resource) }],
      });
    assert.deepEqual(check([inline("arn:aws:s3:::my-bucket/*")]), []);
    assert.deepEqual(check([inline("arn:aws:s3:::*/*")]), [
      'iam-no-wildcard-writes: role app, inline policy "objects", statement #0 (Sid "Objects"): Allow of write actions (s3:PutObject) on "arn:aws:s3:::*/*", which spans every S3 bucket; name the resources it may change',
    ]);
  });

  test("IRSA: the trust pins sub and aud, for one service account", () => {
    assert.deepEqual(check([role("app", trust(SA))]), []);
    assert.deepEqual(check([role("app", trust(SA, null))]), [
      `irsa-trust-pins-sub-and-aud: trust policy of app, statement #0: no StringEquals condition on "${ISSUER}:aud"`,
    ]);
    assert.equal(
      check([role("app", trust([SA, "system:serviceaccount:apps:other"]))])[0]?.split(":")[0],
      "irsa-one-service-account",
    );
  });

  test("Helm: exact chart versions, no community ingress-nginx, cert-manager keeps its CRDs", () => {
    const nginx = { chart: "oci://ghcr.io/nginx/charts/nginx-ingress", version: "2.6.4" };
    const certManager = { chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.1" };
    assert.deepEqual(
      check([
        release("ingress", nginx),
        release("cert-manager", { ...certManager, values: { crds: { keep: true } } }),
      ]),
      [],
    );
    assert.deepEqual(
      check([
        release("ingress", { ...nginx, version: "2.x" }),
        release("community", { chart: "ingress-nginx/ingress-nginx", version: "4.12.1" }),
        release("cert-manager", { ...certManager, values: {} }),
      ]).map((line) => line.split(":")[0]),
      ["helm-chart-version-pinned", "helm-no-community-ingress-nginx", "cert-manager-keeps-crds"],
    );
  });

  test("external-dns: each instance has its policy and owner, and instances do not overlap", () => {
    assert.deepEqual(
      check([dns("private", "a", "internal.example.com"), dns("central", "b", "dev.example.com")]),
      [],
    );
    assert.deepEqual(
      check([dns("private", "a", "internal.example.com"), dns("central", "b", "example.com")]),
      [
        'external-dns-disjoint: external-dns releases external-dns-private and external-dns-central have overlapping domainFilters "internal.example.com" and "example.com"',
      ],
    );
    const noOwner = release("external-dns-x", {
      chart: "external-dns",
      version: "1.21.1",
      values: { policy: "sync" },
    });
    assert.deepEqual(check([noOwner]), [
      "external-dns-policy-and-owner: external-dns release external-dns-x does not set txtOwnerId",
    ]);
  });

  test("ACME issuers use Let's Encrypt", () => {
    const issuer = (server: string) =>
      res(TYPES.clusterIssuer, "le", {
        metadata: { name: "le" },
        spec: { acme: { server, privateKeySecretRef: { name: "le-key" }, solvers: [] } },
      });
    assert.deepEqual(check([issuer("https://acme-v02.api.letsencrypt.org/directory")]), []);
    assert.equal(
      check([issuer("https://acme.example.net/directory")])[0]?.split(":")[0],
      "acme-issuer-lets-encrypt",
    );
  });

  test("protection: prod comes from the namespace's tier label, else from the stack name", () => {
    const unprotected = (stack: string) => role("app", trust(SA), false, stack);
    const levels = (resources: ResourceData[], stack: string) =>
      evaluate(resources, { stack, prodStacks: ["prod"] }).map((v) => `${v.rule} [${v.level}]`);
    // A stack named "staging" on the prod tier is prod; one named "prod" on the dev tier is not.
    assert.deepEqual(levels([namespace("prod", "staging"), unprotected("staging")], "staging"), [
      "protect-identity-in-prod [mandatory]",
    ]);
    assert.deepEqual(levels([namespace("dev", "prod"), unprotected("prod")], "prod"), [
      "protect-identity-outside-prod [advisory]",
    ]);
    // No label: the stack name decides.
    assert.deepEqual(levels([namespace(undefined, "prod"), unprotected("prod")], "prod"), [
      "protect-identity-in-prod [mandatory]",
    ]);
    assert.deepEqual(levels([unprotected("staging")], "staging"), [
      "protect-identity-outside-prod [advisory]",
    ]);
    assert.deepEqual(stackTier([namespace("prod", "x")], { stack: "x", prodStacks: [] }), {
      prod: true,
      reason: `namespace platform is labelled ${TIER_LABEL}=prod`,
    });
  });
});

test("the pack serves every rule under its own name", () => {
  assert.equal(PACK_NAME, "eks-platform");
  assert.deepEqual(
    policies.map((p) => p.name),
    [...resourceRules, ...stackRules].map((r) => r.name),
  );
});
