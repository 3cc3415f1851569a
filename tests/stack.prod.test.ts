/**
 * The real program with the real Pulumi.prod.yaml under mocks: high availability, protection, the central DNS
 * account and the OIDC provider look-up.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { resource, resourcesOfType, type Capture } from "../offline/harness";
import {
  T,
  assertNoPrivateKeyInPlainText,
  assertOneKubernetesProvider,
  policyOf,
  podRoleAnnotations,
  roleArn,
  trustOf,
  valuesOf,
} from "./helpers/program";
import { planStack } from "./helpers/stacks";

let prod: Capture;
before(async () => {
  prod = await planStack("prod", fs.mkdtempSync(path.join(os.tmpdir(), "stack-prod-")));
});

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id)";
const DNS_ROLE = "arn:aws:iam::222222222222:role/prod-eks-external-dns";
const CM_ROLE = "arn:aws:iam::222222222222:role/prod-eks-cert-manager";

describe("prod stack", () => {
  test("looks the OIDC provider up by the cluster's issuer: two AWS calls in a preview", () => {
    assert.deepEqual(prod.invokes, [
      { token: "aws:eks/getCluster:getCluster", inputs: { name: "prod-eks" } },
      {
        token: "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
        inputs: { url: `https://${ISSUER}` },
      },
    ]);
    assert.equal(
      resourcesOfType(prod, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length,
      0,
      "nothing created",
    );
    assertOneKubernetesProvider(prod);
  });

  test("every IAM role is protected, bounded and trusts the looked-up provider for one service account", () => {
    const roles = resourcesOfType(prod, T.role);
    assert.deepEqual(roles.map((r) => r.name).sort(), [
      "prod-cert-manager-platform",
      "prod-ecr-operator-platform",
      "prod-external-dns-central-platform",
      "prod-external-dns-private-platform",
      "prod-orders-api-orders",
    ]);
    for (const role of roles) {
      assert.equal(role.protect, true, role.name);
      assert.equal(
        role.inputs.permissionsBoundary,
        "arn:aws:iam::333333333333:policy/platform-workload-boundary",
      );
      assert.deepEqual(role.inputs.tags, {
        environment: "prod",
        owner: "platform-team",
        "cost-center": "4711",
      });
    }
    assert.deepEqual(trustOf(prod, "prod-external-dns-central-platform"), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::(account-id):oidc-provider/${ISSUER}` },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Condition: {
            StringEquals: {
              [`${ISSUER}:sub`]: "system:serviceaccount:platform:external-dns-central",
              [`${ISSUER}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
  });

  // sts:TagSession too: with EKS Pod Identity the session tags are transitive and ride into the AssumeRole (EKS
  // user guide, pod-id-abac, "Cross-account tags"); granted for either binding (model/iam.ts).
  test("cross-account: cert-manager and external-dns central may only assume (and tag) their DNS-account role", () => {
    const chain = ["sts:AssumeRole", "sts:TagSession"];
    assert.deepEqual(policyOf(prod, "prod-cert-manager-platform"), {
      Version: "2012-10-17",
      Statement: [{ Sid: "AssumeCentralDnsRole", Effect: "Allow", Action: chain, Resource: [CM_ROLE] }],
    });
    assert.deepEqual(policyOf(prod, "prod-external-dns-central-platform"), {
      Version: "2012-10-17",
      Statement: [{ Sid: "AssumeCentralDnsRole", Effect: "Allow", Action: chain, Resource: [DNS_ROLE] }],
    });
    const priv = policyOf(prod, "prod-external-dns-private-platform") as {
      Statement: { Resource: string[] }[];
    };
    assert.deepEqual(priv.Statement[0].Resource, ["arn:aws:route53:::hostedzone/Z0987654PRODPRIVATE1"]);
  });

  test("ingress: replicas, PDB, zone spread, requests, source ranges", () => {
    for (const [key, replicas, ranges] of [
      ["public", 3, undefined],
      ["internal", 2, ["10.0.0.0/8"]],
    ] as const) {
      const controller = (valuesOf(prod, `ingress-${key}`) as { controller: Record<string, unknown> })
        .controller;
      assert.equal(controller.replicaCount, replicas);
      assert.deepEqual(controller.podDisruptionBudget, { enabled: true, minAvailable: 1 });
      assert.deepEqual(controller.resources, { requests: { cpu: "250m", memory: "256Mi" } });
      assert.deepEqual(controller.topologySpreadConstraints, [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: {
            matchLabels: {
              "app.kubernetes.io/name": "nginx-ingress",
              "app.kubernetes.io/instance": `ingress-${key}`,
            },
          },
        },
      ]);
      assert.deepEqual(
        (controller.service as { loadBalancerSourceRanges?: string[] }).loadBalancerSourceRanges,
        ranges,
      );
    }
  });

  test("external-dns: upsert-only, central assumes the DNS account's role with the external ID", () => {
    const central = valuesOf(prod, "external-dns-central");
    assert.equal(central.policy, "upsert-only");
    assert.equal(central.txtOwnerId, "prod-prod-eks-central");
    assert.deepEqual(central.domainFilters, ["prod.example.com"]);
    assert.deepEqual(central.extraArgs, [
      "--aws-zone-type=public",
      "--zone-id-filter=Z0987654PRODPUBLIC01",
      "--ingress-class=nginx-public",
      `--aws-assume-role=${DNS_ROLE}`,
      "--aws-assume-role-external-id=prod-eks-platform",
    ]);
    assert.deepEqual(central.serviceAccount, {
      create: true,
      name: "external-dns-central",
      annotations: { "eks.amazonaws.com/role-arn": roleArn("prod-external-dns-central-platform") },
    });
    const priv = valuesOf(prod, "external-dns-private");
    assert.equal(priv.policy, "upsert-only");
    assert.deepEqual(priv.domainFilters, ["internal.example.com"]);
    assert.deepEqual(priv.extraArgs, [
      "--aws-zone-type=private",
      "--zone-id-filter=Z0987654PRODPRIVATE1",
      "--ingress-class=nginx-internal",
    ]);
    assert.notEqual(priv.txtOwnerId, central.txtOwnerId);
  });

  test("cert-manager: upstream HA, PDBs, no resolver override, as no private zone overlaps a public one", () => {
    assert.deepEqual(valuesOf(prod, "cert-manager"), {
      crds: { enabled: true, keep: true },
      replicaCount: 2,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      webhook: { replicaCount: 3, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
      cainjector: { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
      serviceAccount: {
        create: true,
        name: "cert-manager",
        annotations: { "eks.amazonaws.com/role-arn": roleArn("prod-cert-manager-platform") },
      },
      podAnnotations: podRoleAnnotations("prod-cert-manager-platform"),
      global: { leaderElection: { namespace: "platform" } },
    });
  });

  test("ACME issuers assume the central role for the DNS-01 zone", () => {
    const spec = resource(prod, T.issuer, "letsencrypt-prod").inputs.spec as { acme: { solvers: unknown[] } };
    assert.deepEqual(spec.acme.solvers, [
      {
        selector: { dnsZones: ["prod.example.com"] },
        dns01: { route53: { hostedZoneID: "Z0987654PRODPUBLIC01", role: CM_ROLE } },
      },
      { http01: { ingress: { ingressClassName: "nginx-public" } } },
    ]);
  });

  test("internal CA: configured subject and validity, key protected, certificate free to renew, key never in plain text", () => {
    const cert = resource(prod, "tls:index/selfSignedCert:SelfSignedCert", "internal-ca");
    assert.deepEqual(cert.inputs.subject, {
      commonName: "Example prod internal CA",
      organization: "Example Ltd",
    });
    assert.equal(cert.inputs.validityPeriodHours, 43800);
    // Renewal replaces the certificate (same key): protecting it would make that `pulumi up` fail.
    assert.equal(cert.protect, false);
    assert.equal(resource(prod, "tls:index/privateKey:PrivateKey", "internal-ca").protect, true);
    assertNoPrivateKeyInPlainText(prod);
  });

  test("the platform namespace is protected: deleting it would take cert-manager and the CA secret along", () => {
    assert.equal(resource(prod, T.namespace, "platform").protect, true);
  });

  test("outputs that differ from dev", () => {
    assert.equal(prod.outputs.tier, "prod");
    assert.equal(prod.outputs.defaultClusterIssuer, "letsencrypt-prod");
    assert.deepEqual(prod.outputs.externalDnsDomainFilters, {
      private: ["internal.example.com"],
      central: ["prod.example.com"],
    });
    assert.deepEqual(Object.keys(prod.outputs.irsaRoleArns as object).sort(), [
      "cert-manager",
      "ecr-operator",
      "external-dns-central",
      "external-dns-private",
      "orders-api",
    ]);
  });
});
