/**
 * A stack without the Let's Encrypt issuers (`certManager.letsEncrypt: false`): the internal CA alone, no ACME
 * e-mail, no ACME solver and so no cert-manager role. The private-only fixture stack
 * (tests/fixtures/stacks/Pulumi.private.yaml: private zones only, one internal ingress class) is such a stack; the
 * existing stack files keep the Let's Encrypt issuers.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { issuerManifests } from "../components/certManager/issuerSpecs";
import { assertOneProblem, edited, load, problems } from "./helpers/config";

describe("the Let's Encrypt issuers turned off", () => {
  test("a private-only stack resolves: internal-ca is the only and the default issuer, no e-mail, no solver, no role", () => {
    const cfg = load(edited("private", {}), "private");
    assert.equal(cfg.certManager.letsEncrypt, false);
    assert.equal(cfg.certManager.email, undefined);
    assert.equal(cfg.certManager.defaultIssuer, "internal-ca");
    assert.deepEqual(cfg.certManager.dns01Zones, []);
    assert.equal(cfg.certManager.http01IngressClass, undefined);
    assert.deepEqual(
      issuerManifests(cfg.certManager).map((m) => m.metadata.name),
      ["internal-ca"],
    );
    assert.deepEqual(
      cfg.identity.roles.map((r) => r.key),
      ["aws-load-balancer-controller", "external-dns-private"],
    );
  });

  test("the same stack with the issuers on asks for its ACME solver and e-mail", () => {
    // What the start of this feature refused for every private-only stack: no public zone, no public ingress.
    const found = problems(edited("private", { "certManager.letsEncrypt": undefined }), "private");
    assert.deepEqual(
      found.map((p) => `${p.key}: ${p.expected}`),
      [
        "eks-platform:certManager.email: required: the ACME account e-mail of the Let's Encrypt issuers (or certManager.letsEncrypt: false for the internal CA only)",
        "eks-platform:certManager.http01IngressClass: a public ingress class for HTTP-01: no ingress instance is internet-facing (set certManager.http01: false to use DNS-01 only)",
        "eks-platform:certManager: at least one ACME solver: a public zone for DNS-01 or an internet-facing ingress class for HTTP-01",
      ],
    );
  });

  for (const [key, value] of [
    ["dns01Zones", ["dev.example.com"]],
    ["http01IngressClass", "nginx-public"],
    ["recursiveNameservers", ["1.1.1.1:53"]],
    ["http01", true],
  ] as const) {
    test(`certManager.${key} with the issuers off is refused`, () => {
      assertOneProblem(
        edited("dev", {
          "certManager.letsEncrypt": false,
          [`certManager.${key}`]: value,
          "certManager.defaultIssuer": undefined,
        }),
        `eks-platform:certManager.${key}`,
        /^not set: it configures the ACME solvers of the Let's Encrypt issuers, which certManager.letsEncrypt: false turns off$/,
      );
    });
  }

  test("a Let's Encrypt default issuer with the issuers off is refused", () => {
    assertOneProblem(
      edited("dev", { "certManager.letsEncrypt": false }),
      "eks-platform:certManager.defaultIssuer",
      /^internal-ca: the Let's Encrypt issuers are off/,
    );
  });

  test("http01: false with the issuers off is accepted (it says the same)", () => {
    const cfg = load(
      edited("dev", {
        "certManager.letsEncrypt": false,
        "certManager.http01": false,
        "certManager.defaultIssuer": undefined,
      }),
    );
    assert.equal(cfg.certManager.defaultIssuer, "internal-ca");
    assert.equal(
      cfg.certManager.email,
      "platform-team@acme-corp.com",
      "kept, for turning the issuers back on",
    );
  });

  test("dev and prod keep their three issuers and their defaults", () => {
    for (const [stack, def] of [
      ["dev", "letsencrypt-staging"],
      ["prod", "letsencrypt-prod"],
    ] as const) {
      const cfg = load(edited(stack, {}), stack);
      assert.equal(cfg.certManager.letsEncrypt, true);
      assert.equal(cfg.certManager.defaultIssuer, def);
      assert.deepEqual(
        issuerManifests(cfg.certManager).map((m) => m.metadata.name),
        ["letsencrypt-staging", "letsencrypt-prod", "internal-ca"],
      );
    }
  });
});
