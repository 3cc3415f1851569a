/**
 * The real program with the real Pulumi.dev.yaml under mocks: exactly what the dev stack creates.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { resource, resourcesOfType, type Capture } from "../offline/harness";
import { charts, nginxIngressCrds } from "../components/versions";
import {
  T,
  assertNoPrivateKeyInPlainText,
  assertOneKubernetesProvider,
  customIds,
  podRoleAnnotations,
  policyOf,
  roleArn,
  trustOf,
  valuesOf,
} from "./helpers/program";
import { planStack } from "./helpers/stacks";

let dev: Capture;
before(async () => {
  dev = await planStack("dev", fs.mkdtempSync(path.join(os.tmpdir(), "stack-dev-")));
});

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
const OIDC_ARN = `arn:aws:iam::111111111111:oidc-provider/${ISSUER}`;

describe("dev stack", () => {
  test("creates exactly these resources", () => {
    const roles = [
      "dev-aws-load-balancer-controller-kube-system",
      "dev-cert-manager-platform",
      "dev-ecr-operator-platform",
      "dev-external-dns-central-platform",
      "dev-external-dns-private-platform",
      "dev-orders-api-orders",
    ];
    assert.deepEqual(
      customIds(dev),
      [
        ...roles.map((r) => `${T.policy}::${r}`),
        ...roles.map((r) => `${T.role}::${r}`),
        ...roles.map((r) => `${T.attachment}::${r}`),
        `${T.issuer}::internal-ca`,
        `${T.issuer}::letsencrypt-prod`,
        `${T.issuer}::letsencrypt-staging`,
        `${T.namespace}::platform`,
        `${T.secret}::internal-ca-root`,
        `${T.service}::ingress-internal-service`,
        `${T.service}::ingress-public-service`,
        `${T.release}::aws-load-balancer-controller`,
        `${T.release}::cert-manager`,
        `${T.release}::external-dns-central`,
        `${T.release}::external-dns-private`,
        `${T.release}::ingress-internal`,
        `${T.release}::ingress-public`,
        `${T.k8sProvider}::dev-eks-k8s`,
        `${T.k8sProvider}::nginx-ingress-crds-adopting`,
        ...nginxIngressCrds.names.map(
          (n) => `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition::${n}`,
        ),
        "tls:index/certRequest:CertRequest::aws-load-balancer-controller-webhook",
        "tls:index/locallySignedCert:LocallySignedCert::aws-load-balancer-controller-webhook",
        "tls:index/privateKey:PrivateKey::aws-load-balancer-controller-webhook",
        "tls:index/privateKey:PrivateKey::aws-load-balancer-controller-webhook-ca",
        "tls:index/selfSignedCert:SelfSignedCert::aws-load-balancer-controller-webhook-ca",
        "tls:index/privateKey:PrivateKey::internal-ca",
        "tls:index/selfSignedCert:SelfSignedCert::internal-ca",
      ].sort(),
    );
    // The Services are read after their release, not created.
    assert.deepEqual(
      dev.resources.filter((r) => r.read).map((r) => r.name),
      ["ingress-internal-service", "ingress-public-service"],
    );
  });

  test("components form one tree under the platform, one per file's type token", () => {
    const root = resource(dev, "eks-platform:index:EdgePlatform", "dev");
    assert.equal(root.parent, undefined);
    for (const [type, name] of [
      ["eks-platform:cluster:ClusterAccess", "cluster"],
      ["eks-platform:identity:PlatformIdentity", "iam"],
      ["eks-platform:ingress:NginxIngress", "ingress-public"],
      ["eks-platform:dns:ExternalDns", "external-dns-private"],
      ["eks-platform:tls:CertManager", "cert-manager"],
      ["eks-platform:tls:ClusterIssuers", "cluster-issuers"],
    ]) {
      assert.equal(resource(dev, type, name).parent, root.id, `${type} ${name}`);
    }
    assert.equal(
      resource(dev, T.role, "dev-cert-manager-platform").parent,
      "eks-platform:identity:WorkloadRole::cert-manager",
    );
    assert.equal(
      resource(dev, "eks-platform:identity:WorkloadRole", "cert-manager").parent,
      "eks-platform:identity:PlatformIdentity::iam",
    );
  });

  test("reads the existing cluster and needs no OIDC look-up (its ARN is in config)", () => {
    assert.deepEqual(dev.invokes, [{ token: "aws:eks/getCluster:getCluster", inputs: { name: "dev-eks" } }]);
    assertOneKubernetesProvider(dev);
    const kubeconfig = JSON.parse(
      resource(dev, T.k8sProvider, "dev-eks-k8s").inputs.kubeconfig as string,
    ) as {
      users: { user: { exec: { args: string[] } } }[];
    };
    assert.deepEqual(kubeconfig.users[0].user.exec.args, [
      "eks",
      "get-token",
      "--cluster-name",
      "dev-eks",
      "--region",
      "eu-west-1",
      "--output",
      "json",
    ]);
  });

  test("IAM roles: names, trust scoped to one service account, nothing protected in dev", () => {
    const expected: [string, string][] = [
      [
        "dev-aws-load-balancer-controller-kube-system",
        "system:serviceaccount:kube-system:aws-load-balancer-controller",
      ],
      ["dev-cert-manager-platform", "system:serviceaccount:platform:cert-manager"],
      ["dev-external-dns-private-platform", "system:serviceaccount:platform:external-dns-private"],
      ["dev-external-dns-central-platform", "system:serviceaccount:platform:external-dns-central"],
      ["dev-ecr-operator-platform", "system:serviceaccount:platform:ecr-operator"],
      ["dev-orders-api-orders", "system:serviceaccount:orders:orders-api"],
    ];
    for (const [name, sub] of expected) {
      const role = resource(dev, T.role, name);
      assert.equal(role.inputs.name, name);
      assert.equal(role.protect, false);
      assert.deepEqual(role.inputs.tags, { environment: "dev", owner: "platform-team" });
      assert.equal(role.inputs.permissionsBoundary, undefined);
      assert.deepEqual(trustOf(dev, name), {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: OIDC_ARN },
            Action: ["sts:AssumeRoleWithWebIdentity"],
            Condition: { StringEquals: { [`${ISSUER}:sub`]: sub, [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
          },
        ],
      });
      const attachment = resource(dev, T.attachment, name);
      assert.deepEqual(attachment.inputsFrom, [`${T.policy}::${name}`, `${T.role}::${name}`]);
    }
  });

  test("IAM policies: each workload's least privilege", () => {
    const zone = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
    assert.deepEqual(policyOf(dev, "dev-cert-manager-platform"), {
      Version: "2012-10-17",
      Statement: [
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
          Resource: [zone("Z01234567DEVPUBLIC01")],
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
      ],
    });
    for (const [instance, zoneId] of [
      ["private", "Z01234567DEVPRIVATE1"],
      ["central", "Z01234567DEVPUBLIC01"],
    ]) {
      assert.deepEqual(policyOf(dev, `dev-external-dns-${instance}-platform`), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ManageOwnZones",
            Effect: "Allow",
            Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            Resource: [zone(zoneId)],
          },
          { Sid: "DiscoverZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
        ],
      });
    }
    assert.deepEqual(
      (policyOf(dev, "dev-ecr-operator-platform") as { Statement: { Resource: string[] }[] }).Statement[1]
        .Resource,
      ["arn:aws:ecr:eu-west-1:111111111111:repository/platform/*"],
    );
    assert.deepEqual(policyOf(dev, "dev-orders-api-orders"), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ConsumeOrders",
          Effect: "Allow",
          Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
          Resource: ["arn:aws:sqs:eu-west-1:111111111111:dev-orders"],
        },
      ],
    });
  });

  test("ingress releases: pinned chart, one class each, NLB scheme explicit, one replica", () => {
    const classes = new Set<string>();
    for (const [key, cls, scheme, isDefault] of [
      ["public", "nginx-public", "internet-facing", true],
      ["internal", "nginx-internal", "internal", false],
    ] as const) {
      const release = resource(dev, T.release, `ingress-${key}`);
      assert.equal(release.inputs.chart, "oci://ghcr.io/nginx/charts/nginx-ingress");
      assert.equal(release.inputs.version, "2.6.4");
      assert.equal(release.inputs.name, `ingress-${key}`);
      assert.equal(release.inputs.namespace, "platform");
      assert.equal(release.inputs.skipCrds, true);
      assert.deepEqual(valuesOf(dev, `ingress-${key}`), {
        controller: {
          kind: "deployment",
          replicaCount: 1,
          ingressClass: { name: cls, create: true, setAsDefaultIngress: isDefault },
          enableCustomResources: false,
          enableSnippets: false,
          resources: { requests: { cpu: "100m", memory: "128Mi" } },
          service: {
            type: "LoadBalancer",
            annotations: {
              "service.beta.kubernetes.io/aws-load-balancer-type": "external",
              "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
              "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
              "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes":
                "deregistration_delay.timeout_seconds=30",
            },
          },
          podDisruptionBudget: { enabled: false },
          // Outlives the NLB's 30 s of draining, then leaves NGINX time to quit (components/ingress/values.ts).
          lifecycle: { preStop: { exec: { command: ["sleep", "35"] } } },
          terminationGracePeriodSeconds: 60,
        },
        prometheus: { create: true },
      });
      classes.add(cls);
      const service = resource(dev, T.service, `ingress-${key}-service`);
      assert.deepEqual(service.dependsOn, [`${T.release}::ingress-${key}`]);
    }
    assert.equal(classes.size, 2, "the two instances never share a class");
  });

  test("the AWS Load Balancer Controller: pinned chart in kube-system, before both ingress releases", () => {
    const release = resource(dev, T.release, "aws-load-balancer-controller");
    assert.equal(release.inputs.chart, "aws-load-balancer-controller");
    assert.equal(release.inputs.version, "3.5.0");
    assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://aws.github.io/eks-charts" });
    assert.equal(release.inputs.namespace, "kube-system");
    assert.equal(release.inputs.createNamespace, false);
    // The webhook's private key is the one secret among the values: masked where it sits, as the engine keeps
    // it, and nothing else. They come from the role, the cluster look-up and the certificates.
    const role = "<known after apply: aws:iam/role:Role dev-aws-load-balancer-controller-kube-system arn>";
    assert.deepEqual(release.inputs.values, {
      clusterName: "dev-eks",
      enableServiceMutatorWebhook: false,
      podAnnotations: { "eks-platform.io/workload-binding": "irsa", "eks-platform.io/workload-role": role },
      region: "eu-west-1",
      replicaCount: 1,
      serviceAccount: {
        annotations: { "eks.amazonaws.com/role-arn": role },
        create: true,
        name: "aws-load-balancer-controller",
      },
      vpcId: "(vpc-of-dev-eks)",
      webhookTLS: {
        caCert:
          "<known after apply: tls:index/selfSignedCert:SelfSignedCert aws-load-balancer-controller-webhook-ca certPem>",
        cert: "<known after apply: tls:index/locallySignedCert:LocallySignedCert aws-load-balancer-controller-webhook certPem>",
        key: "[secret]",
      },
    });
    for (const from of [
      `${T.role}::dev-aws-load-balancer-controller-kube-system`,
      `${T.attachment}::dev-aws-load-balancer-controller-kube-system`,
      "tls:index/locallySignedCert:LocallySignedCert::aws-load-balancer-controller-webhook",
      "tls:index/selfSignedCert:SelfSignedCert::aws-load-balancer-controller-webhook-ca",
    ]) {
      assert.ok(release.inputsFrom.includes(from), from);
    }
    for (const key of ["public", "internal"]) {
      assert.deepEqual(resource(dev, T.release, `ingress-${key}`).dependsOn, [
        ...nginxIngressCrds.names.map(
          (n) => `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition::${n}`,
        ),
        `${T.release}::aws-load-balancer-controller`,
      ]);
    }
    assert.deepEqual(
      resource(dev, T.release, "cert-manager").dependsOn,
      [],
      "cert-manager stays in parallel",
    );
  });

  test("external-dns releases: values, and the annotation is the matching role's ARN", () => {
    for (const [name, zoneType, zoneId, domain, cls] of [
      ["private", "private", "Z01234567DEVPRIVATE1", "dev.internal.example.com", "nginx-internal"],
      ["central", "public", "Z01234567DEVPUBLIC01", "dev.example.com", "nginx-public"],
    ]) {
      const release = resource(dev, T.release, `external-dns-${name}`);
      assert.equal(release.inputs.chart, charts.externalDns.chart);
      assert.equal(release.inputs.version, "1.21.1");
      assert.deepEqual(release.inputs.repositoryOpts, {
        repo: "https://kubernetes-sigs.github.io/external-dns/",
      });
      assert.deepEqual(valuesOf(dev, `external-dns-${name}`), {
        provider: { name: "aws" },
        // Only the private instance publishes Services: an internal one never reaches a public zone.
        sources: name === "private" ? ["ingress", "service"] : ["ingress"],
        policy: "sync",
        registry: "txt",
        txtOwnerId: `dev-dev-eks-${name}`,
        txtPrefix: "extdns-%{record_type}.",
        domainFilters: [domain],
        extraArgs: [`--aws-zone-type=${zoneType}`, `--zone-id-filter=${zoneId}`, `--ingress-class=${cls}`],
        env: [{ name: "AWS_DEFAULT_REGION", value: "eu-west-1" }],
        serviceAccount: {
          create: true,
          name: `external-dns-${name}`,
          annotations: { "eks.amazonaws.com/role-arn": roleArn(`dev-external-dns-${name}-platform`) },
        },
        podAnnotations: podRoleAnnotations(`dev-external-dns-${name}-platform`),
        resources: { requests: { cpu: "50m", memory: "64Mi" } },
      });
      // The role's ARN reaches the release only once its policy is attached.
      assert.ok(release.inputsFrom.includes(`${T.role}::dev-external-dns-${name}-platform`));
      assert.ok(release.inputsFrom.includes(`${T.attachment}::dev-external-dns-${name}-platform`));
    }
  });

  test("cert-manager release: CRDs kept, single replicas, IRSA annotation, no nameserver override", () => {
    const release = resource(dev, T.release, "cert-manager");
    assert.equal(release.inputs.chart, "oci://quay.io/jetstack/charts/cert-manager");
    assert.equal(release.inputs.version, "v1.21.1");
    assert.deepEqual(valuesOf(dev, "cert-manager"), {
      crds: { enabled: true, keep: true },
      replicaCount: 1,
      podDisruptionBudget: { enabled: false },
      webhook: { replicaCount: 1, podDisruptionBudget: { enabled: false } },
      cainjector: { replicaCount: 1, podDisruptionBudget: { enabled: false } },
      serviceAccount: {
        create: true,
        name: "cert-manager",
        annotations: { "eks.amazonaws.com/role-arn": roleArn("dev-cert-manager-platform") },
      },
      podAnnotations: podRoleAnnotations("dev-cert-manager-platform"),
      global: { leaderElection: { namespace: "platform" } },
    });
  });

  test("ClusterIssuers: full specs, all after the cert-manager release", () => {
    const solvers = [
      {
        selector: { dnsZones: ["dev.example.com"] },
        dns01: { route53: { hostedZoneID: "Z01234567DEVPUBLIC01" } },
      },
      { http01: { ingress: { ingressClassName: "nginx-public" } } },
    ];
    for (const [name, server] of [
      ["letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"],
      ["letsencrypt-prod", "https://acme-v02.api.letsencrypt.org/directory"],
    ]) {
      const issuer = resource(dev, T.issuer, name);
      assert.equal(issuer.inputs.apiVersion, "cert-manager.io/v1");
      assert.deepEqual(issuer.inputs.metadata, { name });
      assert.deepEqual(issuer.inputs.spec, {
        acme: {
          email: "platform-team@acme-corp.com",
          server,
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers,
        },
      });
      assert.deepEqual(issuer.dependsOn, [`${T.release}::cert-manager`]);
    }
    const ca = resource(dev, T.issuer, "internal-ca");
    assert.deepEqual(ca.inputs.spec, { ca: { secretName: "internal-ca-root" } });
    assert.deepEqual(ca.dependsOn, [`${T.secret}::internal-ca-root`, `${T.release}::cert-manager`]);
  });

  test("internal CA: made with @pulumi/tls, key only as a secret, in cert-manager's namespace", () => {
    const cert = resource(dev, "tls:index/selfSignedCert:SelfSignedCert", "internal-ca");
    assert.deepEqual(cert.inputs.subject, { commonName: "dev internal CA", organization: "eks-platform" });
    assert.equal(cert.inputs.validityPeriodHours, 8760);
    assert.equal(cert.inputs.isCaCertificate, true);
    assert.equal(cert.inputs.privateKeyPem, "[secret]");
    const secret = resource(dev, T.secret, "internal-ca-root");
    assert.equal(secret.inputs.type, "kubernetes.io/tls");
    assert.deepEqual(secret.inputs.metadata, { name: "internal-ca-root", namespace: "platform" });
    assertNoPrivateKeyInPlainText(dev);
    assert.equal(resource(dev, "tls:index/privateKey:PrivateKey", "internal-ca").protect, false);
    assert.equal(resource(dev, T.namespace, "platform").protect, false);
  });

  test("outputs", () => {
    assert.deepEqual(dev.secretOutputs, []);
    const roleArns = {
      "aws-load-balancer-controller": roleArn("dev-aws-load-balancer-controller-kube-system"),
      "cert-manager": roleArn("dev-cert-manager-platform"),
      "external-dns-private": roleArn("dev-external-dns-private-platform"),
      "external-dns-central": roleArn("dev-external-dns-central-platform"),
      "ecr-operator": roleArn("dev-ecr-operator-platform"),
      "orders-api": roleArn("dev-orders-api-orders"),
    };
    assert.deepEqual(dev.outputs, {
      contractVersion: "1.2",
      environment: "dev",
      tier: "dev",
      clusterName: "dev-eks",
      platformNamespace: "platform",
      ingressClasses: { public: "nginx-public", internal: "nginx-internal" },
      defaultIngressClass: "nginx-public",
      publicIngressClass: "nginx-public",
      internalIngressClass: "nginx-internal",
      loadBalancerHostnames: {
        public:
          "<known after apply: kubernetes:core/v1:Service ingress-public-service status.loadBalancer.ingress[0].hostname>",
        internal:
          "<known after apply: kubernetes:core/v1:Service ingress-internal-service status.loadBalancer.ingress[0].hostname>",
      },
      externalDnsOwnerIds: { private: "dev-dev-eks-private", central: "dev-dev-eks-central" },
      externalDnsZoneIds: { private: ["Z01234567DEVPRIVATE1"], central: ["Z01234567DEVPUBLIC01"] },
      externalDnsDomainFilters: { private: ["dev.internal.example.com"], central: ["dev.example.com"] },
      externalDnsIngressClasses: { private: "nginx-internal", central: "nginx-public" },
      clusterIssuers: ["letsencrypt-staging", "letsencrypt-prod", "internal-ca"],
      defaultClusterIssuer: "letsencrypt-staging",
      internalCaCertificatePem:
        "<known after apply: tls:index/selfSignedCert:SelfSignedCert internal-ca certPem>",
      internalCaNotAfter:
        "<known after apply: tls:index/selfSignedCert:SelfSignedCert internal-ca validityEndTime>",
      irsaRoleArns: roleArns,
      workloadRoleArns: roleArns,
      loadBalancerControllerManaged: true,
      loadBalancerControllerRoleArn: roleArn("dev-aws-load-balancer-controller-kube-system"),
      workloadRoleBindings: Object.fromEntries(Object.keys(roleArns).map((k) => [k, "irsa"])),
      // The zones are in this account: nothing for a central DNS account to apply.
      centralDnsRoles: {},
      serviceAccountAnnotations: Object.fromEntries(
        [
          ["aws-load-balancer-controller", "dev-aws-load-balancer-controller-kube-system"],
          ["cert-manager", "dev-cert-manager-platform"],
          ["external-dns-private", "dev-external-dns-private-platform"],
          ["external-dns-central", "dev-external-dns-central-platform"],
          ["ecr-operator", "dev-ecr-operator-platform"],
          ["orders-api", "dev-orders-api-orders"],
        ].map(([k, r]) => [k, { "eks.amazonaws.com/role-arn": roleArn(r) }]),
      ),
    });
    assert.equal(resourcesOfType(dev, T.role).length, Object.keys(dev.outputs.irsaRoleArns as object).length);
  });
});
