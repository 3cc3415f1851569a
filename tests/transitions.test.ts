/**
 * Day-2 transitions of the real stacks: each scenario plans a stack before and after an ordinary change (both
 * under mocks, as `npm run plan` does) and asserts the transition judge's verdict (offline/transitions/judge.ts):
 * safe, or exactly the violations a real `pulumi up` would run into, each with its fix path.
 *
 * Every distinct stack variant is planned once, all in parallel, before the tests run.
 * This file only imports the plan helpers and the judge, so it can also run against an older revision of the
 * program (copy offline/transitions and this file there) to show which transitions that revision gets wrong.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type { Capture } from "../offline/harness";
import { judgeTransition, type JudgeOptions, type Verdict } from "../offline/transitions/judge";
import type { Run } from "./helpers/cli";
import { derivedStackFile, planStack, runPlan } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "transitions-"));

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERT = "tls:index/selfSignedCert:SelfSignedCert::internal-ca";

const devInstances = (edge: Record<string, unknown>) => ({
  edge: { className: "nginx-public", scheme: "internet-facing", default: true, ...edge },
  internal: { className: "nginx-internal", scheme: "internal" },
});

/**
 * Stack variants by name: the real stack they derive from and the config paths they change. Independent changes
 * share a variant (the assertions pick their resources) so that `npm test` plans fewer stacks.
 */
const VARIANTS: Record<string, [string, Record<string, unknown>]> = {
  devEnvironment: ["dev", { environment: "qa", "tags.environment": "qa" }],
  devNamespace: ["dev", { namespace: "edge" }],
  devHttp01Only: ["dev", { "certManager.dns01Zones": [] }],
  // A renamed ingress key, and the cert-manager role moved to EKS Pod Identity (keeping its IRSA trust for the
  // move: in one step the judge reports a binding-move, tests/podIdentity.test.ts).
  devRenamedPodIdentity: [
    "dev",
    {
      "ingress.instances": devInstances({ renamedFrom: "public" }),
      "iam.roleBindings": { "cert-manager": "pod-identity" },
      "iam.keepIrsaTrust": true,
    },
  ],
  devKeyRenamedBare: ["dev", { "ingress.instances": devInstances({}) }],
  // Custom resources turned on, external-dns upsert-only, the team's role removed.
  devDay2: [
    "dev",
    {
      "ingress.instances.public.enableCustomResources": true,
      "externalDns.policy": "upsert-only",
      "iam.extraRoles": undefined,
    },
  ],
  // A new CA subject, and the central DNS zone in another account.
  prodDay2: [
    "prod",
    {
      "certManager.internalCa.commonName": "Example prod internal CA 2",
      "dns.centralDnsAccount.externalDnsRoleArn": "arn:aws:iam::555555555555:role/prod-eks-external-dns",
      "dns.centralDnsAccount.certManagerRoleArn": "arn:aws:iam::555555555555:role/prod-eks-cert-manager",
    },
  ],
};

const LONG_KEY = "a".repeat(46);

/** Each variant's plan, or why it could not be planned (reported by the tests that need it). */
const plans: Record<string, Capture | Error> = {};
let longKey: Run;

before(async () => {
  const names = ["dev", "prod", ...Object.keys(VARIANTS)];
  const planned = await Promise.all(
    names.map((name) => {
      const variant = VARIANTS[name];
      const file = variant && derivedStackFile(out, name, variant[0], variant[1]);
      return planStack(name, out, file).catch((err: unknown) =>
        err instanceof Error ? err : new Error(String(err)),
      );
    }),
  );
  names.forEach((name, i) => (plans[name] = planned[i]));
  const longFile = derivedStackFile(out, "devLongKey", "dev", {
    [`ingress.instances.${LONG_KEY}`]: { className: "nginx-long", scheme: "internal" },
  });
  longKey = await runPlan(["devLongKey", "--stack-file", longFile, "--out", out, "--quiet"]);
});

const planOf = (name: string): Capture => {
  const p = plans[name];
  if (p instanceof Error) throw p;
  return p;
};

const judge = (from: string, to: string, opts?: JudgeOptions): Verdict =>
  judgeTransition(planOf(from), planOf(to), opts);

/** The violations as `kind resource`, for exact comparison. */
const violations = (v: Verdict) => v.violations.map((x) => `${x.kind} ${x.resource}`).sort();

const stepsOf = (v: Verdict, action: string, type?: string) =>
  v.steps
    .filter((s) => s.action === action && (type === undefined || s.type === type))
    .map((s) => s.name)
    .sort();

const assertSafe = (v: Verdict) =>
  assert.deepEqual(
    v.violations.map((x) => `${x.kind} ${x.resource}: ${x.message}`),
    [],
    "expected a safe transition",
  );

describe("day-2 transitions of the real stacks", () => {
  test("a plan judged against itself changes nothing", () => {
    for (const stack of ["dev", "prod"]) {
      const v = judge(stack, stack);
      assert.deepEqual(v.steps, [], stack);
      assert.equal(v.safe, true);
    }
  });

  test("renaming the environment: new roles, and every release that uses one rolls its pods", () => {
    const v = judge("dev", "devEnvironment");
    assertSafe(v);
    assert.deepEqual(stepsOf(v, "create", "aws:iam/role:Role"), [
      "qa-aws-load-balancer-controller-kube-system",
      "qa-cert-manager-platform",
      "qa-ecr-operator-platform",
      "qa-external-dns-central-platform",
      "qa-external-dns-private-platform",
      "qa-orders-api-orders",
    ]);
    assert.ok(stepsOf(v, "delete", "aws:iam/role:Role").includes("dev-cert-manager-platform"));
    // The role ARN reaches the pod template of each release whose service account uses it, the load balancer
    // controller's too (its values hold the webhook key, masked alone, so the plan shows the rest).
    assert.deepEqual(stepsOf(v, "update", RELEASE), [
      "aws-load-balancer-controller",
      "cert-manager",
      "external-dns-central",
      "external-dns-private",
    ]);
  });

  test("changing the platform namespace: releases move delete-first; only the kept cert-manager CRDs need a manual step", () => {
    const v = judge("dev", "devNamespace");
    assert.deepEqual(violations(v), [`collision ${RELEASE}::cert-manager`]);
    assert.match(v.violations[0].message, /certificates\.cert-manager\.io/);
    assert.match(v.violations[0].fix, /meta\.helm\.sh\/release-namespace/);
    const moved = v.steps.filter((s) => s.type === RELEASE && s.action === "replace");
    assert.equal(moved.length, 5);
    assert.ok(moved.every((s) => s.deleteFirst === true && s.paths.includes("namespace")));
  });

  test("adding DNS-01 zones to an HTTP-01-only stack: the new role reaches cert-manager's pods", () => {
    const v = judge("devHttp01Only", "dev");
    assertSafe(v);
    assert.deepEqual(stepsOf(v, "create", "aws:iam/role:Role"), ["dev-cert-manager-platform"]);
    const release = v.steps.find((s) => s.id === `${RELEASE}::cert-manager`);
    assert.equal(release?.action, "update");
    assert.ok(
      release.paths.some((p) => p.startsWith("values.podAnnotations")),
      release.paths.join(),
    );
  });

  test("removing all DNS-01 zones: the role goes and cert-manager's pods roll without it", () => {
    const v = judge("dev", "devHttp01Only");
    assertSafe(v);
    assert.deepEqual(stepsOf(v, "delete", "aws:iam/role:Role"), ["dev-cert-manager-platform"]);
    assert.deepEqual(stepsOf(v, "update", RELEASE), ["cert-manager"]);
  });

  test("renaming an ingress instance key keeping its class: with renamedFrom the release is replaced delete-first", () => {
    const v = judge("dev", "devRenamedPodIdentity");
    assertSafe(v);
    const release = v.steps.find((s) => s.id === `${RELEASE}::ingress-edge`);
    assert.equal(release?.action, "replace");
    assert.equal(release.from, `${RELEASE}::ingress-public`);
    assert.equal(release.deleteFirst, true);
    assert.deepEqual(stepsOf(v, "delete", RELEASE), []);
  });

  test("renaming an ingress instance key without renamedFrom: the new release collides on the IngressClass", () => {
    const v = judge("dev", "devKeyRenamedBare");
    assert.deepEqual(violations(v), [`collision ${RELEASE}::ingress-edge`]);
    assert.match(v.violations[0].message, /IngressClass nginx-public, still owned by release ingress-public/);
    assert.match(v.violations[0].fix, /renamedFrom: public/);
  });

  test("turning on the controller's custom resources in a running stack finds their CRDs installed", () => {
    const v = judge("dev", "devDay2");
    assertSafe(v);
    const release = v.steps.find((s) => s.id === `${RELEASE}::ingress-public`);
    assert.equal(release?.action, "update");
    assert.deepEqual(release.paths, ["values.controller.enableCustomResources"]);
  });

  test("changing the prod CA's subject replaces the certificate, keeps the key, updates its secret in place", () => {
    const v = judge("prod", "prodDay2");
    assertSafe(v);
    const cert = v.steps.find((s) => s.id === CERT);
    assert.equal(cert?.action, "replace");
    assert.deepEqual(cert.paths, ["subject"]);
    assert.equal(
      v.steps.find((s) => s.id === "kubernetes:core/v1:Secret::internal-ca-root")?.action,
      "update",
    );
    assert.equal(
      v.steps.some((s) => s.type === "tls:index/privateKey:PrivateKey"),
      false,
    );
  });

  test("the prod CA's early renewal (a replacement the plans cannot show) goes through", () => {
    const v = judge("prod", "prod", { forceReplace: [CERT] });
    assertSafe(v);
    assert.deepEqual(
      v.steps.map((s) => `${s.action} ${s.id}`),
      [`replace ${CERT}`, "update kubernetes:core/v1:Secret::internal-ca-root"],
    );
  });

  test("bumping each chart's version upgrades its releases in place", () => {
    const dev = planOf("dev");
    for (const chart of new Set(dev.resources.filter((r) => r.type === RELEASE).map((r) => r.inputs.chart))) {
      const bumped: Capture = {
        ...dev,
        resources: dev.resources.map((r) =>
          r.type === RELEASE && r.inputs.chart === chart
            ? { ...r, inputs: { ...r.inputs, version: `${String(r.inputs.version)}-next` } }
            : r,
        ),
      };
      const v = judgeTransition(dev, bumped);
      assertSafe(v);
      assert.ok(v.steps.length > 0, String(chart));
      assert.ok(
        v.steps.every((s) => s.action === "update" && s.type === RELEASE && s.paths.join() === "version"),
        String(chart),
      );
    }
  });

  test("adding and removing a team's role creates and deletes its role, policy and attachment only", () => {
    for (const [from, to, action] of [
      ["devDay2", "dev", "create"],
      ["dev", "devDay2", "delete"],
    ] as const) {
      const v = judge(from, to);
      assertSafe(v);
      assert.deepEqual(
        v.steps
          .filter((s) => s.name === "dev-orders-api-orders")
          .map((s) => `${s.action} ${s.type}`)
          .sort(),
        [
          `${action} aws:iam/policy:Policy`,
          `${action} aws:iam/role:Role`,
          `${action} aws:iam/rolePolicyAttachment:RolePolicyAttachment`,
        ],
      );
      assert.deepEqual(stepsOf(v, action === "create" ? "delete" : "create"), []);
    }
  });

  test("switching external-dns' policy upgrades both releases in place", () => {
    const v = judge("dev", "devDay2");
    assertSafe(v);
    for (const name of ["external-dns-central", "external-dns-private"]) {
      const step = v.steps.find((s) => s.id === `${RELEASE}::${name}`);
      assert.equal(step?.action, "update", name);
      assert.ok(step.paths.includes("values.policy"), step.paths.join());
    }
  });

  test("moving the central zone to another account updates roles, releases and issuers in place", () => {
    const v = judge("prod", "prodDay2");
    assertSafe(v);
    // The one replacement is the CA certificate, whose subject the same variant changes.
    assert.deepEqual(stepsOf(v, "replace"), ["internal-ca"]);
    assert.deepEqual(stepsOf(v, "delete"), []);
    assert.ok(stepsOf(v, "update", RELEASE).includes("external-dns-central"));
    assert.ok(
      stepsOf(v, "update", "kubernetes:cert-manager.io/v1:ClusterIssuer").includes("letsencrypt-prod"),
    );
  });

  test("switching a role from IRSA to EKS Pod Identity rolls the pods that use it", () => {
    const v = judge("dev", "devRenamedPodIdentity");
    assertSafe(v);
    assert.ok(stepsOf(v, "create").includes("platform/cert-manager"), "the association");
    const release = v.steps.find((s) => s.id === `${RELEASE}::cert-manager`);
    assert.ok(release?.paths.includes("values.podAnnotations.eks-platform.io/workload-binding"));
  });

  test("an instance key whose release name Helm would refuse is a config error before anything is created", () => {
    assert.equal(longKey.code, 1, longKey.stderr);
    assert.match(longKey.stderr, new RegExp(`ingress\\.instances\\.${LONG_KEY}`));
    assert.match(longKey.stderr, /Helm allows 53/);
  });
});
