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

describe("chart and image mirrors in stack config", () => {
  const mirror = { url: "https://nexus.corp.internal/repository/helm" };

  test("a per-chart mirror wins over charts.mirror; charts without either stay upstream", () => {
    const cfg = load(
      edited("dev", {
        charts: { mirror, certManager: { url: "oci://registry.corp.internal/jetstack/charts" } },
      }),
    );
    assert.deepEqual(cfg.charts.mirrors, {
      nginxIngress: mirror,
      externalDns: mirror,
      certManager: { url: "oci://registry.corp.internal/jetstack/charts" },
      awsLoadBalancerController: mirror,
    });
    assert.deepEqual(load(edited("dev", {})).charts, { mirrors: {}, nginxIngressLocalSchema: false });
    assert.deepEqual(load(edited("dev", {})).images, {
      registry: undefined,
      registries: {},
      pullSecrets: [],
    });
  });

  test("a username needs its password", () => {
    assertOneProblem(
      edited("dev", { charts: { mirror: { ...mirror, username: "deploy" } } }),
      "eks-platform:charts.mirror.password",
      /^set together with the other: Helm logs in with both or neither$/,
    );
  });

  test("a mirror URL is oci:// or http(s)://", () => {
    assertOneProblem(
      edited("dev", { charts: { mirror: { url: "nexus.corp.internal/helm" } } }),
      "eks-platform:charts.mirror.url",
      /an oci:\/\/ registry path/,
    );
  });

  test("a local schema needs a mirror of nginx-ingress", () => {
    assertOneProblem(
      edited("dev", { charts: { nginxIngressLocalSchema: true } }),
      "eks-platform:charts.nginxIngressLocalSchema",
      /^set only with a mirror of nginx-ingress/,
    );
  });

  test("images.registries names upstream registries the charts use", () => {
    assertOneProblem(
      edited("dev", { images: { registries: { "gcr.io": "registry.corp.internal/gcr" } } }),
      "eks-platform:images.registries.gcr.io",
      /^one of the registries the charts' images come from \(docker\.io, public\.ecr\.aws, quay\.io, registry\.k8s\.io\)$/,
    );
  });

  test("an image registry is a host and path, without a scheme", () => {
    assertOneProblem(
      edited("dev", { images: { registry: "https://registry.corp.internal" } }),
      "eks-platform:images.registry",
      /a registry host with an optional path and no scheme/,
    );
  });
});
