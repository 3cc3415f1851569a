/**
 * The AWS Load Balancer Controller add-on: its Helm values against the chart's declared keys, its IAM policy
 * against upstream's files (as digests, tests/fixtures), its three modes and their contradictions, and the order
 * of the deploy in planned stacks (an existing cluster that opts in, a created cluster, one that relies on a
 * running controller).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { loadBalancerControllerPolicy } from "../components/awsLoadBalancerController/policy";
import {
  loadBalancerControllerValues,
  webhookDnsNames,
  type ServiceAccountInputs,
} from "../components/awsLoadBalancerController/values";
import { charts, nginxIngressCrds } from "../components/versions";
import type { LoadBalancerControllerConfig } from "../model/config";
import { PARTITIONS, type Partition } from "../model/enums";
import type { IamStatement, PolicyDocument } from "../model/iam";
import type { Capture } from "../offline/harness";
import { policyDigest } from "../devtools/alb-policy-digest";
import { undeclaredPaths, type ChartValueKeys } from "../devtools/chart-value-keys";
import digestFixture from "./fixtures/alb-iam-policy.digest.json";
import keysFixture from "./fixtures/alb-chart-values.keys.json";
import { edited, load, problems } from "./helpers/config";
import { T } from "./helpers/program";
import { derivedStackFile, planStack } from "./helpers/stacks";

const config = (over: Partial<LoadBalancerControllerConfig> = {}): LoadBalancerControllerConfig => ({
  mode: "install",
  namespace: "kube-system",
  serviceAccount: "aws-load-balancer-controller",
  replicas: 2,
  podDisruptionBudget: true,
  ...over,
});
const cluster = { clusterName: "dev-eks", region: "eu-west-1", vpcId: "vpc-0123456789abcdef0" };
const serviceAccount: ServiceAccountInputs = {
  name: "aws-load-balancer-controller",
  annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111111111111:role/r" },
  podAnnotations: { "eks-platform.io/workload-role": "arn:aws:iam::111111111111:role/r" },
};
const webhookTLS = { caCert: "CA PEM", cert: "CERT PEM", key: "KEY PEM" };

describe("values", () => {
  const chart: ChartValueKeys = keysFixture;

  test("the fixtures are of the pinned chart and controller", () => {
    assert.equal(keysFixture.source.chartVersion, charts.awsLoadBalancerController.version);
    assert.equal(digestFixture.source.tag, charts.awsLoadBalancerController.appVersion);
  });

  test("every key exists in the chart's values.yaml at the pinned version", () => {
    const values = loadBalancerControllerValues(config(), cluster, serviceAccount, webhookTLS);
    assert.deepEqual(undeclaredPaths(values, chart), []);
    // The check sees a key the chart does not have (it would be ignored silently: the chart has no schema).
    assert.deepEqual(undeclaredPaths({ ...values, replicas: 2, webhookTls: {} }, chart), [
      "replicas",
      "webhookTls",
    ]);
  });

  test("cluster facts, identity, no Service mutator, supplied webhook certificates", () => {
    assert.deepEqual(loadBalancerControllerValues(config(), cluster, serviceAccount, webhookTLS), {
      clusterName: "dev-eks",
      region: "eu-west-1",
      vpcId: "vpc-0123456789abcdef0",
      replicaCount: 2,
      podDisruptionBudget: { minAvailable: 1 },
      serviceAccount: {
        create: true,
        name: "aws-load-balancer-controller",
        annotations: serviceAccount.annotations,
      },
      podAnnotations: serviceAccount.podAnnotations,
      enableServiceMutatorWebhook: false,
      webhookTLS,
    });
  });

  test("one replica: no PodDisruptionBudget (it could never allow an eviction)", () => {
    const values = loadBalancerControllerValues(
      config({ replicas: 1, podDisruptionBudget: false }),
      cluster,
      serviceAccount,
      webhookTLS,
    );
    assert.equal(values.replicaCount, 1);
    assert.equal("podDisruptionBudget" in values, false);
  });

  test("the webhook certificate names the chart's webhook Service in the release namespace", () => {
    assert.deepEqual(webhookDnsNames("kube-system"), [
      "aws-load-balancer-webhook-service.kube-system",
      "aws-load-balancer-webhook-service.kube-system.svc",
      "aws-load-balancer-webhook-service.kube-system.svc.cluster.local",
    ]);
  });
});

describe("IAM policy", () => {
  const fixture = digestFixture.partitions as Record<Partition, { statements: number; sha256: string[] }>;

  /** Where our policy and upstream's file differ, statement by statement, each difference named. */
  function differences(ours: PolicyDocument, partition: Partition): string[] {
    const upstream = fixture[partition];
    const digest = policyDigest(ours);
    const out: string[] = [];
    if (digest.statements !== upstream.statements) {
      out.push(`${partition}: ${digest.statements} statements, upstream has ${upstream.statements}`);
    }
    digest.sha256.forEach((d, i) => {
      if (d !== upstream.sha256[i]) {
        const st: IamStatement | undefined = ours.Statement[i];
        out.push(`${partition}: statement #${i} (${st?.Action.join(", ")}) differs from upstream's #${i}`);
      }
    });
    return out;
  }

  for (const partition of PARTITIONS) {
    test(`${partition}: upstream's file at the pinned tag, statement by statement`, () => {
      assert.deepEqual(differences(loadBalancerControllerPolicy(partition), partition), []);
    });
  }

  test("a changed statement is named", () => {
    const doc = loadBalancerControllerPolicy("aws");
    doc.Statement[9] = {
      ...doc.Statement[9],
      Action: [...doc.Statement[9].Action, "elasticloadbalancing:Nope"],
    };
    const found = differences(doc, "aws");
    assert.equal(found.length, 1);
    assert.match(found[0], /^aws: statement #9 \(elasticloadbalancing:CreateListener, .*Nope\)/);
  });

  test("every ARN is in the stack's partition; cn and us-gov order two statements differently", () => {
    for (const partition of PARTITIONS) {
      const arns = loadBalancerControllerPolicy(partition).Statement.flatMap((s) => s.Resource ?? []);
      const scoped = arns.filter((r) => r !== "*");
      assert.ok(scoped.length > 0);
      assert.ok(
        scoped.every((r) => r.startsWith(`arn:${partition}:`)),
        partition,
      );
    }
    const actions = (p: Partition) => loadBalancerControllerPolicy(p).Statement.map((s) => s.Action[0]);
    assert.deepEqual(actions("aws-cn"), actions("aws-us-gov"));
    const [aws, cn] = [actions("aws"), actions("aws-cn")];
    assert.deepEqual([aws[12], aws[13]], [cn[13], cn[12]]);
    assert.deepEqual(
      aws.filter((_, i) => i !== 12 && i !== 13),
      cn.filter((_, i) => i !== 12 && i !== 13),
    );
  });
});

describe("modes", () => {
  const NEW_CLUSTER = { cluster: { mode: "new", name: "sandbox-eks", vpcId: "vpc-0123456789abcdef0" } };
  const roleKeys = (cfg: ReturnType<typeof load>) => cfg.identity.roles.map((r) => r.key);

  test("an existing cluster relies on a running controller unless told otherwise (prod)", () => {
    const cfg = load(edited("prod", {}), "prod");
    assert.equal(cfg.loadBalancerController.mode, "existing");
    assert.ok(!roleKeys(cfg).includes("aws-load-balancer-controller"));
  });

  test("a created cluster installs it, with its own role in kube-system", () => {
    const cfg = load(edited("dev", { ...NEW_CLUSTER, loadBalancerController: undefined }));
    assert.equal(cfg.loadBalancerController.mode, "install");
    const role = cfg.identity.roles.find((r) => r.key === "aws-load-balancer-controller");
    assert.ok(role);
    assert.equal(role.roleName, "dev-aws-load-balancer-controller-kube-system");
    assert.equal(role.serviceAccount, "aws-load-balancer-controller");
    assert.deepEqual(role.policy, loadBalancerControllerPolicy("aws"));
  });

  test("in-tree load balancers need no controller: none", () => {
    for (const extra of [{}, NEW_CLUSTER]) {
      const cfg = load(
        edited("dev", { ...extra, loadBalancerController: undefined, "ingress.loadBalancer": "in-tree" }),
      );
      assert.equal(cfg.loadBalancerController.mode, "none");
      assert.ok(!roleKeys(cfg).includes("aws-load-balancer-controller"));
    }
  });

  test("prod installs two replicas with a PodDisruptionBudget; dev one without", () => {
    const prod = load(edited("prod", { "loadBalancerController.mode": "install" }), "prod");
    assert.equal(prod.loadBalancerController.replicas, 2);
    assert.equal(prod.loadBalancerController.podDisruptionBudget, true);
    const dev = load(edited("dev", {}));
    assert.equal(dev.loadBalancerController.replicas, 1);
    assert.equal(dev.loadBalancerController.podDisruptionBudget, false);
  });

  const only = (changes: Record<string, unknown>, stack = "dev") =>
    problems(edited(stack, changes), stack).map(
      (p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.expected}`,
    );

  test("contradictions are errors naming both keys", () => {
    const [none] = only({ "loadBalancerController.mode": "none" });
    assert.match(
      none,
      /^eks-platform:loadBalancerController\.mode = "none": install or existing: ingress\.loadBalancer is aws-load-balancer-controller/,
    );
    const [install] = only({ "ingress.loadBalancer": "in-tree" });
    assert.match(
      install,
      /^eks-platform:loadBalancerController\.mode = "install": none or existing: ingress\.loadBalancer is in-tree/,
    );
    const [existing] = only({ ...NEW_CLUSTER, "loadBalancerController.mode": "existing" });
    assert.match(
      existing,
      /^eks-platform:loadBalancerController\.mode = "existing": install: cluster\.mode is new/,
    );
  });

  test("install-only settings with another mode, and one replica in prod, are errors", () => {
    assert.deepEqual(only({ "loadBalancerController.replicas": 3 }, "prod"), [
      "eks-platform:loadBalancerController.replicas = 3: not set: it applies only with loadBalancerController.mode install, and mode is existing",
    ]);
    assert.deepEqual(
      only({ "loadBalancerController.mode": "install", "loadBalancerController.replicas": 1 }, "prod"),
      [
        "eks-platform:loadBalancerController.replicas = 1: at least 2 in a prod tier (a single pod is a single point of failure)",
      ],
    );
  });

  // aws-load-balancer-controller v3.5.0 pkg/networking/subnet_resolver.go: with no subnet tagged
  // kubernetes.io/role/internal-elb, an internal NLB gets the subnets without a route to an igw-, and every subnet
  // of a default VPC has one. Fails on the commit before: the stack planned, and the Service would stay pending.
  test("a created cluster on the default VPC with an internal instance is refused, naming both ways out", () => {
    const defaultVpc = { cluster: { mode: "new", name: "sandbox-eks" } };
    assert.deepEqual(only(defaultVpc), [
      'eks-platform:ingress.instances.internal.scheme = "internal": internet-facing, or cluster.vpcId set to a VPC with private subnets tagged kubernetes.io/role/internal-elb=1: cluster.vpcId is unset, so the cluster is created on the account\'s default VPC, whose subnets are all public, and the AWS Load Balancer Controller finds no subnet for an internal NLB',
    ]);
    // A VPC named explicitly is the operator's statement that its subnets are tagged; public instances are fine.
    assert.equal(load(edited("dev", NEW_CLUSTER), "dev").cluster.mode, "new");
    const publicOnly = load(
      edited("dev", {
        ...defaultVpc,
        "ingress.instances": {
          public: { className: "nginx-public", scheme: "internet-facing", default: true },
        },
        "dns.privateZones": [],
      }),
      "dev",
    );
    assert.deepEqual(
      publicOnly.ingress.instances.map((i) => i.scheme),
      ["internet-facing"],
    );
  });

  test("a team may not take the controller's role key", () => {
    const found = only({
      "iam.extraRoles.aws-load-balancer-controller": {
        serviceAccount: "x",
        description: "x",
        statements: [
          { effect: "Allow", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:1:q"] },
        ],
      },
    });
    assert.ok(
      found.some((p) => p.startsWith("eks-platform:iam.extraRoles.aws-load-balancer-controller")),
      found.join("\n"),
    );
  });
});

const CRDS = nginxIngressCrds.names.map(
  (n) => `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition::${n}`,
);

describe("order of the deploy, in planned stacks", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "alb-controller-"));
  let created: Capture;
  let prod: Capture;
  before(async () => {
    [created, prod] = await Promise.all([
      planStack(
        "sandbox",
        out,
        derivedStackFile(out, "sandbox", "dev", {
          cluster: { mode: "new", name: "sandbox-eks", vpcId: "vpc-0123456789abcdef0" },
          loadBalancerController: undefined,
        }),
      ),
      planStack("prod", out),
    ]);
  });

  const find = (c: Capture, type: string, name: string) => {
    const r = c.resources.find((x) => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name}`);
    return r;
  };

  test("a created cluster plans with the controller, which the ingress releases wait for", () => {
    const release = find(created, T.release, "aws-load-balancer-controller");
    assert.equal(release.inputs.namespace, "kube-system");
    // Cluster name and VPC come from the cluster created here.
    assert.ok(release.inputsFrom.includes("eks:index:Cluster::sandbox-eks"));
    for (const key of ["public", "internal"]) {
      // Each ingress release waits for the controller and for the NGINX CRDs (their own kept resource).
      assert.deepEqual(find(created, T.release, `ingress-${key}`).dependsOn, [...CRDS, release.id].sort());
    }
    // cert-manager and its issuers do not wait for it.
    assert.deepEqual(find(created, T.release, "cert-manager").dependsOn, []);
    for (const issuer of ["letsencrypt-staging", "letsencrypt-prod"]) {
      assert.deepEqual(find(created, T.issuer, issuer).dependsOn, [`${T.release}::cert-manager`]);
    }
    assert.equal(created.outputs.loadBalancerControllerManaged, true);
    assert.equal(
      created.outputs.loadBalancerControllerRoleArn,
      "<known after apply: aws:iam/role:Role dev-aws-load-balancer-controller-kube-system arn>",
    );
  });

  test("the webhook certificate is signed by its own CA, for the webhook Service's names", () => {
    const request = find(
      created,
      "tls:index/certRequest:CertRequest",
      "aws-load-balancer-controller-webhook",
    );
    assert.deepEqual(request.inputs.dnsNames, webhookDnsNames("kube-system"));
    const cert = find(
      created,
      "tls:index/locallySignedCert:LocallySignedCert",
      "aws-load-balancer-controller-webhook",
    );
    assert.deepEqual(cert.inputsFrom.sort(), [
      "tls:index/certRequest:CertRequest::aws-load-balancer-controller-webhook",
      "tls:index/privateKey:PrivateKey::aws-load-balancer-controller-webhook-ca",
      "tls:index/selfSignedCert:SelfSignedCert::aws-load-balancer-controller-webhook-ca",
    ]);
    assert.ok(
      !JSON.stringify(created).includes("PrivateKey aws-load-balancer-controller-webhook privateKeyPem"),
    );
  });

  test("a stack that relies on a running controller installs none and waits for none (prod)", () => {
    assert.ok(!prod.resources.some((r) => r.name.startsWith("aws-load-balancer-controller")));
    for (const key of ["public", "internal"]) {
      assert.deepEqual(find(prod, T.release, `ingress-${key}`).dependsOn, CRDS);
    }
    assert.equal(prod.outputs.loadBalancerControllerManaged, false);
    assert.equal(prod.outputs.loadBalancerControllerRoleArn, "");
  });
});
