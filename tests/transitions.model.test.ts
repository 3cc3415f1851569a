/**
 * The transition model (offline/transitions/model.ts) and the judge (judge.ts) on small hand-made plans: each rule
 * fires on the transition it is about, and stays quiet when the resource options or the inputs avoid it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { charts, nginxIngressCrdsUrl } from "../components/versions";
import {
  CHARTS,
  TYPE_RULES,
  chartFullname,
  ownedObjects,
  replaceOn,
  replacingPaths,
} from "../offline/transitions/model";
import { judgeTransition, type JudgedPlan, type JudgedResource } from "../offline/transitions/judge";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CM = charts.certManager.chart;
const NGINX = charts.nginxIngress.chart;

const res = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<JudgedResource> = {},
) => ({
  id: `${type}::${name}`,
  type,
  name,
  custom: true,
  inputs,
  ...extra,
});
const plan = (...resources: JudgedResource[]): JudgedPlan => ({ resources });
const kinds = (before: JudgedPlan, after: JudgedPlan) =>
  judgeTransition(before, after).violations.map((v) => `${v.kind} ${v.resource}`);

const arn = (role: string) => `<known after apply: aws:iam/role:Role ${role} arn>`;
const certManager = (ns: string, values: Record<string, unknown>, extra: Partial<JudgedResource> = {}) =>
  res(RELEASE, "cert-manager", { name: "cert-manager", namespace: ns, chart: CM, values }, extra);
const nginx = (key: string, values: Record<string, unknown>, extra: Partial<JudgedResource> = {}) =>
  res(
    RELEASE,
    `ingress-${key}`,
    { name: `ingress-${key}`, namespace: "platform", chart: NGINX, values },
    extra,
  );
const nginxValues = (className: string, more: Record<string, unknown> = {}) => ({
  controller: { ingressClass: { name: className, create: true }, ...more },
});

describe("transition model", () => {
  test("every entry cites a source, and a change of the real name always forces a replacement", () => {
    for (const [type, rule] of Object.entries(TYPE_RULES)) {
      assert.ok(rule.source.length > 20, type);
      if (rule.nameAt) {
        assert.ok(rule.replaceOn.includes(rule.nameAt), `${type}: ${rule.nameAt} is not in replaceOn`);
      }
    }
  });

  test("the charts modelled are the charts pinned, and the CRD source is the pinned app version's", () => {
    assert.deepEqual(
      Object.keys(CHARTS).sort(),
      Object.values(charts)
        .map((c) => c.chart)
        .sort(),
    );
    const needs = CHARTS[NGINX].crdsOnInstallOnly;
    assert.ok(needs && nginxIngressCrdsUrl.includes(needs.providedBy));
    assert.ok(nginxIngressCrdsUrl.includes(`/v${charts.nginxIngress.appVersion}/`));
  });

  test("chart fullnames follow the charts' helper", () => {
    assert.equal(chartFullname(CHARTS[CM], "cert-manager"), "cert-manager");
    assert.equal(chartFullname(CHARTS[NGINX], "ingress-public"), "ingress-public-nginx-ingress");
    assert.equal(chartFullname(CHARTS["external-dns"], "external-dns-private"), "external-dns-private");
  });

  test("owned objects come from the release name and values; CRDs only when enabled, kept when keep is set", () => {
    const kept = ownedObjects(CM, "cert-manager", { crds: { enabled: true, keep: true } });
    assert.equal(kept.filter((o) => o.kind === "CustomResourceDefinition" && o.kept).length, 6);
    assert.ok(kept.some((o) => o.name === "cert-manager-webhook" && !o.kept));
    assert.equal(
      ownedObjects(CM, "cert-manager", {}).filter((o) => o.kind === "CustomResourceDefinition").length,
      0,
    );
    assert.deepEqual(
      ownedObjects(NGINX, "ingress-a", nginxValues("nginx-a")).map((o) => `${o.kind} ${o.name}`),
      [
        "IngressClass nginx-a",
        "ClusterRole ingress-a-nginx-ingress",
        "ClusterRoleBinding ingress-a-nginx-ingress",
      ],
    );
    assert.deepEqual(ownedObjects("some/other-chart", "x", {}), []);
  });

  test("a Secret's data forces a replacement unless its provider makes Secrets mutable", () => {
    const rule = TYPE_RULES["kubernetes:core/v1:Secret"];
    const a = { stringData: { x: "1" } };
    const b = { stringData: { x: "2" } };
    assert.deepEqual(replacingPaths(replaceOn(rule), a, b), ["stringData"]);
    assert.deepEqual(replacingPaths(replaceOn(rule, { enableSecretMutable: "true" }), a, b), []);
  });
});

describe("transition judge", () => {
  const role = (name: string, extra: Partial<JudgedResource> = {}) =>
    res("aws:iam/role:Role", name, { name, path: "/" }, extra);

  test("updates, replacements and their order follow the model", () => {
    const before = plan(role("a"), role("b"));
    const after = plan(
      role("a", { inputs: { name: "a", path: "/x/" } }),
      res("aws:iam/role:Role", "b", { name: "b", path: "/", description: "d" }),
    );
    const v = judgeTransition(before, after);
    assert.deepEqual(
      v.steps.map((s) => [s.action, s.name, s.paths.join(), s.deleteFirst]),
      [
        ["replace", "a", "path", true],
        ["update", "b", "description", undefined],
      ],
    );
  });

  test("a protected resource replaced or deleted is a violation; unprotected it is not", () => {
    assert.deepEqual(kinds(plan(role("a", { protect: true })), plan()), ["protected aws:iam/role:Role::a"]);
    assert.deepEqual(kinds(plan(role("a")), plan()), []);
    const moved = plan(role("a", { inputs: { name: "a", path: "/x/" } }));
    assert.deepEqual(kinds(plan(role("a", { protect: true })), moved), ["protected aws:iam/role:Role::a"]);
  });

  test("an alias turns a create and a delete into an update of the same resource", () => {
    const renamed = res(
      "aws:iam/role:Role",
      "a2",
      { name: "a", path: "/" },
      { options: { aliases: ["aws:iam/role:Role::a"] } },
    );
    const v = judgeTransition(plan(role("a")), plan(renamed));
    assert.deepEqual(v.steps, []);
    assert.deepEqual(kinds(plan(role("a")), plan({ ...renamed, options: {} })), [
      "collision aws:iam/role:Role::a2",
    ]);
  });

  test("a release moved create-before-delete collides on the cluster-scoped objects it renders; delete-first does not", () => {
    const values = { crds: { enabled: false } };
    assert.deepEqual(kinds(plan(certManager("a", values)), plan(certManager("b", values))), [
      `collision ${RELEASE}::cert-manager`,
    ]);
    const dbr = certManager("b", values, { options: { deleteBeforeReplace: true } });
    assert.deepEqual(kinds(plan(certManager("a", values)), plan(dbr)), []);
    const kept = { crds: { enabled: true, keep: true } };
    const keptDbr = certManager("b", kept, { options: { deleteBeforeReplace: true } });
    const v = judgeTransition(plan(certManager("a", kept)), plan(keptDbr));
    assert.deepEqual(
      v.violations.map((x) => x.kind),
      ["collision"],
    );
    assert.match(v.violations[0].message, /kept from the old release/);
  });

  test("a new release meeting an old one's IngressClass collides, naming the rename path", () => {
    const v = judgeTransition(
      plan(nginx("public", nginxValues("nginx-public"))),
      plan(nginx("edge", nginxValues("nginx-public"))),
    );
    assert.deepEqual(
      v.violations.map((x) => `${x.kind} ${x.resource}`),
      [`collision ${RELEASE}::ingress-edge`],
    );
    assert.match(v.violations[0].fix, /renamedFrom: public/);
    assert.deepEqual(
      kinds(
        plan(nginx("public", nginxValues("nginx-public"))),
        plan(nginx("edge", nginxValues("nginx-edge"))),
      ),
      [],
    );
  });

  test("a role change must reach the pod template of every release that uses it", () => {
    const sa = (r: string) => ({ serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": arn(r) } } });
    const before = plan(certManager("p", sa("old")));
    assert.deepEqual(kinds(before, plan(certManager("p", sa("new")))), [
      `stale-credentials ${RELEASE}::cert-manager`,
    ]);
    assert.deepEqual(kinds(plan(certManager("p", {})), plan(certManager("p", sa("new")))), [
      `stale-credentials ${RELEASE}::cert-manager`,
    ]);
    const rolled = certManager("p", { ...sa("new"), podAnnotations: { role: arn("new") } });
    assert.deepEqual(
      kinds(plan(certManager("p", { ...sa("old"), podAnnotations: { role: arn("old") } })), plan(rolled)),
      [],
    );
  });

  test("a binding change (a Pod Identity association appears) must roll the pods too", () => {
    const values = { podAnnotations: { role: arn("r") } };
    // Associations are named after their service account; the judge finds the role through roleArn.
    const assoc = res("aws:eks/podIdentityAssociation:PodIdentityAssociation", "p/s", {
      namespace: "p",
      serviceAccount: "s",
      roleArn: arn("r"),
    });
    assert.deepEqual(kinds(plan(certManager("p", values)), plan(certManager("p", values), assoc)), [
      `stale-credentials ${RELEASE}::cert-manager`,
    ]);
  });

  // EKS allows one association per cluster, namespace and service account (CreatePodIdentityAssociation API
  // reference: ResourceInUseException; terraform-provider-aws internal/service/eks/pod_identity_association.go:
  // cluster_name, namespace, service_account RequiresReplace). Pulumi creates before it deletes.
  test("a second association for the same service account, created before the old one goes, collides", () => {
    const ASSOC = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
    const assoc = (name: string, role: string, sa = "s") =>
      res(ASSOC, name, { clusterName: "c", namespace: "p", serviceAccount: sa, roleArn: arn(role) });
    // Renamed in the program (the old naming by role name): create + delete of the same service account.
    assert.deepEqual(kinds(plan(assoc("dev-r-p", "dev-r-p")), plan(assoc("prod-r-p", "prod-r-p"))), [
      `collision ${ASSOC}::prod-r-p`,
    ]);
    // Named by its service account: the same resource, its role updated in place.
    const verdict = judgeTransition(plan(assoc("p/s", "dev-r-p")), plan(assoc("p/s", "prod-r-p")));
    assert.deepEqual(verdict.violations, []);
    assert.deepEqual(
      verdict.steps.map((s) => [s.action, s.id, s.paths]),
      [["update", `${ASSOC}::p/s`, ["roleArn"]]],
    );
    // Another service account: no collision.
    assert.deepEqual(kinds(plan(assoc("a", "r", "s")), plan(assoc("b", "r", "t"))), []);
  });

  test("deleting a ClusterIssuer, CRDs not kept, or a CRD file without retainOnDelete is a violation", () => {
    const issuer = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "ca", { metadata: { name: "ca" } });
    assert.deepEqual(kinds(plan(issuer), plan()), [
      "deletes-kept kubernetes:cert-manager.io/v1:ClusterIssuer::ca",
    ]);
    assert.deepEqual(kinds(plan(certManager("p", { crds: { enabled: true, keep: false } })), plan()), [
      `deletes-kept ${RELEASE}::cert-manager`,
    ]);
    assert.deepEqual(kinds(plan(certManager("p", { crds: { enabled: true, keep: true } })), plan()), []);
    const file = (retain: boolean) =>
      res(
        "kubernetes:yaml/v2:ConfigFile",
        "crds",
        { file: "https://example.test/deploy/crds.yaml" },
        { custom: false, options: { retainOnDelete: retain } },
      );
    assert.deepEqual(kinds(plan(file(false)), plan()), ["deletes-kept kubernetes:yaml/v2:ConfigFile::crds"]);
    assert.deepEqual(kinds(plan(file(true)), plan()), []);
  });

  test("turning on custom resources in a running release needs CRDs from a resource it depends on", () => {
    const off = nginx("a", nginxValues("c", { enableCustomResources: false }));
    const on = nginx("a", nginxValues("c", { enableCustomResources: true }));
    assert.deepEqual(kinds(plan(off), plan(on)), [`missing-crds ${RELEASE}::ingress-a`]);
    const crds = res(
      "kubernetes:yaml/v2:ConfigFile",
      "crds",
      { file: nginxIngressCrdsUrl },
      { custom: false },
    );
    assert.deepEqual(kinds(plan(off, crds), plan({ ...on, dependsOn: [crds.id] }, crds)), []);
    assert.deepEqual(kinds(plan(), plan(on)), [], "a first install applies the chart's CRDs");
  });

  test("a new release name over Helm's limit is a violation", () => {
    const long = "x".repeat(50);
    assert.deepEqual(kinds(plan(), plan(nginx(long, nginxValues("c")))), [
      `helm-name ${RELEASE}::ingress-${long}`,
    ]);
  });

  test("a replaced resource's outputs change the inputs computed from them, secrets included", () => {
    const cert = res("tls:index/selfSignedCert:SelfSignedCert", "ca", { subject: { commonName: "a" } });
    const secret = (provider?: string) =>
      res(
        "kubernetes:core/v1:Secret",
        "s",
        { metadata: { name: "s" }, stringData: "[secret]" },
        { inputsFrom: [cert.id], provider },
      );
    const provider = res("pulumi:providers:kubernetes", "k", { enableSecretMutable: "true" });
    const v = judgeTransition(plan(cert, secret()), plan(cert, secret()), { forceReplace: [cert.id] });
    assert.deepEqual(
      v.steps.map((s) => `${s.action} ${s.name} ${String(s.deleteFirst)}`),
      ["replace ca false", "replace s true"],
    );
    const mutable = judgeTransition(
      plan(provider, cert, secret(provider.id)),
      plan(provider, cert, secret(provider.id)),
      {
        forceReplace: [cert.id],
      },
    );
    assert.deepEqual(
      mutable.steps.map((s) => `${s.action} ${s.name}`),
      ["replace ca", "update s"],
    );
  });
});
