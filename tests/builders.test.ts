/**
 * Pure builders, without Pulumi: IAM documents, Helm values, ClusterIssuer manifests, names, kubeconfig.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { acmeIssuer, acmeSolvers, caIssuer } from "../components/certManager/issuerSpecs";
import { loadBalancerControllerPolicy } from "../components/awsLoadBalancerController/policy";
import { certManagerPolicy } from "../components/certManager/policy";
import { certManagerValues } from "../components/certManager/values";
import { eksKubeconfig } from "../components/cluster/kubeconfig";
import { ecrOperatorPolicy } from "../components/ecr/policy";
import { externalDnsPolicy } from "../components/externalDns/policy";
import { externalDnsArgs, externalDnsValues } from "../components/externalDns/values";
import { extraRolePolicy, irsaTrustPolicy } from "../components/identity/policies";
import { ingressValues, nlbAnnotations } from "../components/ingress/values";
import type { CertManagerConfig, ExternalDnsInstanceConfig, IngressInstanceConfig } from "../model/config";
import { isReadOnlyAction, isServiceWildcardAction, isWildcardResource } from "../model/iamActions";
import {
  externalDnsOwnerId,
  hostedZoneArn,
  ingressServiceName,
  oidcIssuerHostPath,
  serviceAccountSubject,
  workloadRoleName,
} from "../model/naming";
import { edited, load } from "./helpers/config";

/** A service account bound with IRSA, as the workload role hands it to values builders. */
const sa = (name: string, arn: string) => ({
  name,
  annotations: { "eks.amazonaws.com/role-arn": arn },
  podAnnotations: { "eks-platform.io/workload-role": arn, "eks-platform.io/workload-binding": "irsa" },
});

const OIDC =
  "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";

describe("naming", () => {
  test("role names, subjects, zone ARNs, issuer paths, owner IDs, service names", () => {
    assert.equal(
      workloadRoleName("prod", "external-dns-central", "platform"),
      "prod-external-dns-central-platform",
    );
    assert.equal(
      serviceAccountSubject("platform", "cert-manager"),
      "system:serviceaccount:platform:cert-manager",
    );
    assert.equal(hostedZoneArn("Z123", "aws"), "arn:aws:route53:::hostedzone/Z123");
    assert.equal(hostedZoneArn("Z123", "aws-cn"), "arn:aws-cn:route53:::hostedzone/Z123");
    assert.equal(oidcIssuerHostPath(OIDC), ISSUER);
    assert.throws(() => oidcIssuerHostPath("arn:aws:iam::1:role/x"), /not an IAM OIDC provider ARN/);
    assert.equal(externalDnsOwnerId("dev", "Dev_EKS", "private"), "dev-dev-eks-private");
    assert.equal(ingressServiceName("ingress-public"), "ingress-public-nginx-ingress-controller");
    assert.equal(ingressServiceName("edge-nginx-ingress"), "edge-nginx-ingress-controller");
  });
});

describe("IAM action classification", () => {
  test("reads and writes", () => {
    for (const read of [
      "route53:GetChange",
      "route53:ListHostedZones",
      "ecr:BatchGetImage",
      "s3:Get*",
      "ec2:DescribeVpcs",
    ]) {
      assert.equal(isReadOnlyAction(read), true, read);
    }
    for (const write of [
      "route53:ChangeResourceRecordSets",
      "sts:AssumeRole",
      "s3:PutObject",
      "iam:Getaway",
      "s3:*",
      "*",
    ]) {
      assert.equal(isReadOnlyAction(write), false, write);
    }
    assert.equal(isServiceWildcardAction("s3:*"), true);
    assert.equal(isServiceWildcardAction("s3:Get*"), false);
  });

  test("wildcard resources", () => {
    for (const wild of [
      "*",
      "arn:aws:route53:::hostedzone/*",
      "arn:aws:ecr:*:1:repository/x",
      "arn:aws:s3:::*",
      "arn:aws:sqs:eu-west-1:*:q",
    ]) {
      assert.equal(isWildcardResource(wild), true, wild);
    }
    for (const specific of [
      "arn:aws:route53:::hostedzone/Z1",
      "arn:aws:s3:::bucket/*",
      "arn:aws:ecr:eu-west-1:1:repository/team/*",
    ]) {
      assert.equal(isWildcardResource(specific), false, specific);
    }
  });
});

describe("IAM documents", () => {
  test("IRSA trust: one service account, one audience, StringEquals on both", () => {
    assert.deepEqual(irsaTrustPolicy(OIDC, "platform", "cert-manager"), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Condition: {
            StringEquals: {
              [`${ISSUER}:sub`]: "system:serviceaccount:platform:cert-manager",
              [`${ISSUER}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
  });

  test("cert-manager in this account: TXT _acme-challenge records only, in the ACME zones only", () => {
    const doc = certManagerPolicy([{ name: "dev.example.com", zoneId: "Z1" }], {
      allZonesPinned: true,
      partition: "aws",
    });
    assert.deepEqual(doc.Statement, [
      {
        Sid: "ReadChangeStatus",
        Effect: "Allow",
        Action: ["route53:GetChange"],
        Resource: ["arn:aws:route53:::change/*"],
      },
      {
        Sid: "WriteAcmeChallengeRecords",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: ["arn:aws:route53:::hostedzone/Z1"],
        Condition: {
          "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
            "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
          },
          "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"],
          },
        },
      },
    ]);
  });

  test("cert-manager looks zones up by name only when a solver has no pinned zone ID", () => {
    const doc = certManagerPolicy([{ name: "a.example.com", zoneId: "Z1" }], {
      allZonesPinned: false,
      partition: "aws",
    });
    assert.deepEqual(doc.Statement.at(-1), {
      Sid: "FindZones",
      Effect: "Allow",
      Action: ["route53:ListHostedZonesByName"],
      Resource: ["*"],
    });
  });

  // sts:TagSession too: EKS Pod Identity's session tags are transitive (EKS user guide, pod-id-abac).
  test("cert-manager with the zones in the central DNS account: only assume (and tag) that role", () => {
    const role = "arn:aws:iam::222222222222:role/cm";
    const doc = certManagerPolicy(
      [
        { name: "a.example.com", zoneId: "Z1", roleArn: role },
        { name: "b.example.com", zoneId: "Z2", roleArn: role },
      ],
      { allZonesPinned: true, partition: "aws" },
    );
    assert.deepEqual(doc.Statement, [
      {
        Sid: "AssumeCentralDnsRole",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: [role],
      },
    ]);
  });

  test("cert-manager with HTTP-01 only needs nothing", () => {
    assert.deepEqual(certManagerPolicy([], { allZonesPinned: true, partition: "aws" }).Statement, []);
  });

  const edns = (over: Partial<ExternalDnsInstanceConfig> = {}): ExternalDnsInstanceConfig => ({
    name: "private",
    zoneType: "private",
    ownerId: "dev-dev-eks-private",
    zoneIds: ["Z1", "Z2"],
    domainFilters: ["a.example.com"],
    ingressClass: "nginx-internal",
    policy: "sync",
    txtPrefix: "extdns-",
    namespace: "platform",
    serviceAccount: "external-dns-private",
    ...over,
  });

  test("external-dns in this account: writes only its zones; ListHostedZones has no resource type", () => {
    assert.deepEqual(externalDnsPolicy(edns(), "aws").Statement, [
      {
        Sid: "ManageOwnZones",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        Resource: ["arn:aws:route53:::hostedzone/Z1", "arn:aws:route53:::hostedzone/Z2"],
      },
      { Sid: "DiscoverZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
    ]);
  });

  test("external-dns across accounts: no Route53 at all", () => {
    const doc = externalDnsPolicy(
      edns({ assumeRole: { roleArn: "arn:aws:iam::222222222222:role/dns", externalId: "x" } }),
      "aws",
    );
    assert.deepEqual(doc.Statement, [
      {
        Sid: "AssumeCentralDnsRole",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: ["arn:aws:iam::222222222222:role/dns"],
      },
    ]);
    assert.ok(!JSON.stringify(doc).includes("route53"));
  });

  test("ECR operator: the token on *, pulls only on its repositories", () => {
    const repo = "arn:aws:ecr:eu-west-1:111111111111:repository/platform/*";
    const doc = ecrOperatorPolicy({
      repositoryArns: [repo],
      namespace: "platform",
      serviceAccount: "ecr-operator",
    });
    assert.deepEqual(doc.Statement[0], {
      Sid: "GetRegistryToken",
      Effect: "Allow",
      Action: ["ecr:GetAuthorizationToken"],
      Resource: ["*"],
    });
    assert.deepEqual(doc.Statement[1].Resource, [repo]);
    assert.ok(doc.Statement[1].Action.every((a) => isReadOnlyAction(a)));
  });

  test("extra roles keep their statements, with conditions", () => {
    const doc = extraRolePolicy([
      {
        sid: "Read",
        effect: "Allow",
        actions: ["s3:GetObject"],
        resources: ["arn:aws:s3:::b/*"],
        conditions: { StringEquals: { "s3:ExistingObjectTag/team": "orders" } },
      },
      { effect: "Deny", actions: ["s3:DeleteObject"], resources: ["*"] },
    ]);
    assert.deepEqual(doc, {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Read",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::b/*"],
          Condition: { StringEquals: { "s3:ExistingObjectTag/team": "orders" } },
        },
        { Effect: "Deny", Action: ["s3:DeleteObject"], Resource: ["*"] },
      ],
    });
  });

  test("no built-in role of either stack allows a write on a wildcard resource, but the load balancer controller's", () => {
    for (const [stack, file] of [
      ["dev", "dev"],
      ["prod", "prod"],
    ]) {
      const cfg = load(edited(file, {}), stack);
      for (const spec of cfg.identity.roles) {
        // Upstream's policy, carried exactly (tests/alb-controller.test.ts compares it with upstream's files).
        if (spec.key === "aws-load-balancer-controller") {
          assert.deepEqual(spec.policy, loadBalancerControllerPolicy(cfg.partition));
          continue;
        }
        for (const st of spec.policy.Statement) {
          const writes = st.Action.filter((a) => !isReadOnlyAction(a));
          if (st.Effect === "Allow" && writes.length > 0) {
            assert.ok(
              !(st.Resource ?? []).some(isWildcardResource),
              `${stack} ${spec.key} ${JSON.stringify(st)}`,
            );
          }
        }
      }
    }
  });
});

describe("ingress values", () => {
  const instance = (over: Partial<IngressInstanceConfig> = {}): IngressInstanceConfig => ({
    key: "public",
    className: "nginx-public",
    scheme: "internet-facing",
    isDefaultClass: true,
    sourceRanges: [],
    replicas: 1,
    highAvailability: false,
    requests: { cpu: "100m", memory: "128Mi" },
    enableCustomResources: false,
    ...over,
  });

  test("NLB annotations: the scheme is always explicit with the AWS Load Balancer Controller", () => {
    assert.deepEqual(nlbAnnotations("aws-load-balancer-controller", "internet-facing"), {
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
      // The draining a terminating pod outlives (components/ingress/values.ts).
      "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes":
        "deregistration_delay.timeout_seconds=30",
    });
    assert.equal(
      nlbAnnotations("aws-load-balancer-controller", "internal")[
        "service.beta.kubernetes.io/aws-load-balancer-scheme"
      ],
      "internal",
    );
    // In-tree: the scheme annotation is there too, in case the AWS Load Balancer Controller claims the Service.
    assert.deepEqual(nlbAnnotations("in-tree", "internal"), {
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
      "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    });
    assert.deepEqual(nlbAnnotations("in-tree", "internet-facing"), {
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    });
  });

  test("a single small controller: no PDB, no spread, no CRDs, no snippets", () => {
    const v = ingressValues(instance(), "aws-load-balancer-controller");
    assert.equal(v.controller.replicaCount, 1);
    assert.deepEqual(v.controller.ingressClass, {
      name: "nginx-public",
      create: true,
      setAsDefaultIngress: true,
    });
    assert.equal(v.controller.enableCustomResources, false);
    assert.equal(v.controller.enableSnippets, false);
    assert.deepEqual(v.controller.podDisruptionBudget, { enabled: false });
    assert.equal(v.controller.topologySpreadConstraints, undefined);
    assert.equal(v.controller.service.loadBalancerSourceRanges, undefined);
  });

  test("high availability: PDB and a zone spread selecting this release's pods", () => {
    const v = ingressValues(
      instance({
        key: "internal",
        className: "nginx-internal",
        scheme: "internal",
        replicas: 2,
        highAvailability: true,
        sourceRanges: ["10.0.0.0/8"],
      }),
      "aws-load-balancer-controller",
    );
    assert.deepEqual(v.controller.podDisruptionBudget, { enabled: true, minAvailable: 1 });
    assert.deepEqual(v.controller.topologySpreadConstraints, [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "nginx-ingress",
            "app.kubernetes.io/instance": "ingress-internal",
          },
        },
      },
    ]);
    assert.deepEqual(v.controller.service.loadBalancerSourceRanges, ["10.0.0.0/8"]);
  });
});

describe("external-dns values", () => {
  const base: ExternalDnsInstanceConfig = {
    name: "central",
    zoneType: "public",
    ownerId: "prod-prod-eks-central",
    zoneIds: ["Z1"],
    domainFilters: ["prod.example.com"],
    ingressClass: "nginx-public",
    policy: "upsert-only",
    txtPrefix: "extdns-",
    namespace: "platform",
    serviceAccount: "external-dns-central",
  };

  test("flags the chart does not render itself, never one it does", () => {
    assert.deepEqual(externalDnsArgs(base), [
      "--aws-zone-type=public",
      "--zone-id-filter=Z1",
      "--ingress-class=nginx-public",
    ]);
    const cross = externalDnsArgs({
      ...base,
      assumeRole: { roleArn: "arn:aws:iam::2:role/d", externalId: "e" },
    });
    assert.deepEqual(cross.slice(3), [
      "--aws-assume-role=arn:aws:iam::2:role/d",
      "--aws-assume-role-external-id=e",
    ]);
    const chartFlags = [
      "--policy",
      "--txt-owner-id",
      "--txt-prefix",
      "--domain-filter",
      "--provider",
      "--source",
      "--registry",
    ];
    assert.ok(cross.every((arg) => !chartFlags.some((f) => arg.startsWith(`${f}=`))));
  });

  test("policy, owner, prefix and the IRSA annotation", () => {
    const v = externalDnsValues(base, sa("external-dns-central", "arn:aws:iam::1:role/r"), "eu-west-1");
    assert.equal(v.policy, "upsert-only");
    assert.equal(v.txtOwnerId, "prod-prod-eks-central");
    assert.equal(v.txtPrefix, "extdns-");
    assert.deepEqual(v.provider, { name: "aws" });
    // The central instance publishes Ingresses only: no internal Service reaches a public zone.
    assert.deepEqual(v.sources, ["ingress"]);
    assert.deepEqual(v.serviceAccount, {
      create: true,
      name: "external-dns-central",
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" },
    });
    assert.equal(typeof v.resources.requests.cpu, "string", "the chart's schema wants strings");
  });
});

describe("cert-manager values and ClusterIssuers", () => {
  const cfg = (over: Partial<CertManagerConfig> = {}): CertManagerConfig => ({
    namespace: "platform",
    serviceAccount: "cert-manager",
    letsEncrypt: true,
    email: "a@example.com",
    defaultIssuer: "letsencrypt-staging",
    dns01Zones: [{ name: "dev.example.com", zoneId: "Z1" }],
    http01IngressClass: "nginx-public",
    recursiveNameservers: [],
    replicas: { controller: 1, webhook: 1, cainjector: 1 },
    podDisruptionBudgets: false,
    internalCa: { commonName: "dev internal CA", organization: "eks-platform", validityHours: 8760 },
    ...over,
  });

  test("CRDs kept, no deprecated installCRDs, no nameserver keys unless needed", () => {
    const v = certManagerValues(cfg(), sa("cert-manager", "arn:aws:iam::1:role/cm"));
    assert.deepEqual(v.crds, { enabled: true, keep: true });
    assert.ok(!("installCRDs" in v));
    assert.ok(!("dns01RecursiveNameservers" in v));
    assert.deepEqual(v.serviceAccount.annotations, {
      "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/cm",
    });
    const none = certManagerValues(cfg(), { name: "cert-manager", annotations: {}, podAnnotations: {} });
    assert.deepEqual(none.serviceAccount.annotations, {});
    assert.ok(!("podAnnotations" in none), "no role: nothing in the pod template");
  });

  test("HA and recursive nameservers", () => {
    const v = certManagerValues(
      cfg({
        replicas: { controller: 2, webhook: 3, cainjector: 2 },
        podDisruptionBudgets: true,
        recursiveNameservers: ["1.1.1.1:53", "8.8.8.8:53"],
      }),
      sa("cert-manager", "arn"),
    );
    assert.equal(v.replicaCount, 2);
    assert.deepEqual(v.webhook, { replicaCount: 3, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
    assert.deepEqual(v.cainjector, {
      replicaCount: 2,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
    });
    assert.equal(v.dns01RecursiveNameservers, "1.1.1.1:53,8.8.8.8:53");
    assert.equal(v.dns01RecursiveNameserversOnly, true);
  });

  test("solvers: DNS-01 per zone with a pinned zone ID (and role across accounts), HTTP-01 as the fallback", () => {
    assert.deepEqual(
      acmeSolvers(
        cfg({
          dns01Zones: [
            { name: "a.example.com", zoneId: "Z1" },
            { name: "b.example.com", zoneId: "Z2", roleArn: "arn:aws:iam::2:role/cm" },
          ],
        }),
      ),
      [
        { selector: { dnsZones: ["a.example.com"] }, dns01: { route53: { hostedZoneID: "Z1" } } },
        {
          selector: { dnsZones: ["b.example.com"] },
          dns01: { route53: { hostedZoneID: "Z2", role: "arn:aws:iam::2:role/cm" } },
        },
        { http01: { ingress: { ingressClassName: "nginx-public" } } },
      ],
    );
    assert.deepEqual(acmeSolvers(cfg({ http01IngressClass: undefined })).length, 1);
  });

  test("ACME issuers: Let's Encrypt endpoints, one account key each", () => {
    const staging = acmeIssuer("letsencrypt-staging", cfg());
    const prodIssuer = acmeIssuer("letsencrypt-prod", cfg());
    assert.equal(staging.apiVersion, "cert-manager.io/v1");
    assert.equal(staging.kind, "ClusterIssuer");
    assert.ok("acme" in staging.spec && "acme" in prodIssuer.spec);
    assert.equal(staging.spec.acme.server, "https://acme-staging-v02.api.letsencrypt.org/directory");
    assert.equal(prodIssuer.spec.acme.server, "https://acme-v02.api.letsencrypt.org/directory");
    assert.deepEqual(staging.spec.acme.privateKeySecretRef, { name: "letsencrypt-staging-account-key" });
    assert.deepEqual(prodIssuer.spec.acme.privateKeySecretRef, { name: "letsencrypt-prod-account-key" });
    assert.equal(prodIssuer.spec.acme.email, "a@example.com");
  });

  test("the CA issuer reads the internal CA secret", () => {
    assert.deepEqual(caIssuer(), {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: "internal-ca" },
      spec: { ca: { secretName: "internal-ca-root" } },
    });
  });
});

describe("kubeconfig", () => {
  test("authenticates with aws eks get-token and carries no credential", () => {
    const kc = eksKubeconfig({
      clusterName: "dev-eks",
      endpoint: "https://x",
      certificateAuthorityData: "Q0E=",
      region: "eu-west-1",
    });
    const text = JSON.stringify(kc);
    assert.match(
      text,
      /"command":"aws","args":\["eks","get-token","--cluster-name","dev-eks","--region","eu-west-1"/,
    );
    assert.ok(!/token"\s*:|password|client-key/.test(text));
  });
});
