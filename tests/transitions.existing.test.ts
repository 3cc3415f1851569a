/**
 * Objects already in place (offline/transitions/existing.ts): a redeploy after `pulumi destroy`, a second stack
 * taking over a cluster with everything installed, and each row of docs/operations.md "Objects already in place"
 * as a scenario on the real dev plan.
 *
 * Sources: pulumi-kubernetes provider/pkg/await/await.go (Creation: client-side create and AlreadyExists unless
 * the provider sets upsertExistingObjects; CHANGELOG 4.29.0, #2926), helm v3.20.2 pkg/action/install.go
 * (installCRDs skips present CRDs; takeOwnership -> requireAdoption; availableName) and validate.go
 * (existingResourceConflict, checkOwnership).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { nginxIngressCrds } from "../components/versions";
import type { Capture } from "../offline/harness";
import {
  installedBy,
  leftAfterDestroy,
  meetExisting,
  type InPlace,
  type Outcome,
} from "../offline/transitions/existing";
import { ROOT } from "../offline/stackFile";
import { planStack } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "transitions-existing-"));
let dev: Capture;
let prod: Capture;
before(async () => {
  [dev, prod] = await Promise.all([planStack("dev", out), planStack("prod", out)]);
});

const crd = (name: string, helmOwner?: InPlace["helmOwner"]): InPlace => ({
  kind: "CustomResourceDefinition",
  name,
  ...(helmOwner ? { helmOwner } : {}),
});
const outcomes = (c: Capture, inPlace: InPlace[]) =>
  meetExisting(c, inPlace).meetings.map((m) => `${m.outcome} ${m.object.kind} ${m.object.name}`);

/** Each row of the docs table: the objects in place and what the program must do with them. */
const ROWS: Record<string, { inPlace: () => InPlace[]; outcome: Outcome }> = {
  "nginx-crds": { inPlace: () => nginxIngressCrds.names.map((n) => crd(n)), outcome: "adopt" },
  "cert-manager-crds": {
    inPlace: () => [crd("certificates.cert-manager.io", { release: "cert-manager", namespace: "platform" })],
    outcome: "adopt",
  },
  "cert-manager-moved": {
    inPlace: () => [crd("issuers.cert-manager.io", { release: "cert-manager", namespace: "cert-manager" })],
    outcome: "adopt",
  },
  "foreign-cert-manager": {
    inPlace: () => [
      {
        kind: "ValidatingWebhookConfiguration",
        name: "cert-manager-webhook",
        helmOwner: { release: "cert-manager", namespace: "cert-manager" },
      },
    ],
    outcome: "adopt",
  },
  "alb-crds": { inPlace: () => [crd("targetgroupbindings.elbv2.k8s.aws")], outcome: "leave" },
  "ingress-class": {
    inPlace: () => [
      { kind: "IngressClass", name: "nginx-public", helmOwner: { release: "nginx", namespace: "nginx" } },
    ],
    outcome: "fail",
  },
  "alb-objects": {
    inPlace: () => [
      {
        kind: "MutatingWebhookConfiguration",
        name: "aws-load-balancer-webhook",
        helmOwner: { release: "aws-load-balancer-controller", namespace: "kube-system-old" },
      },
    ],
    outcome: "fail",
  },
  "helm-release": {
    inPlace: () => [{ kind: "HelmRelease", name: "external-dns-private", namespace: "platform" }],
    outcome: "fail",
  },
  "kubernetes-objects": {
    inPlace: () => [
      { kind: "Namespace", name: "platform" },
      { kind: "Secret", name: "internal-ca-root", namespace: "platform" },
      { kind: "ClusterIssuer", name: "letsencrypt-prod" },
    ],
    outcome: "fail",
  },
  iam: { inPlace: () => [{ kind: "aws:iam/role:Role", name: "dev-cert-manager-platform" }], outcome: "fail" },
};

describe("objects already in place", () => {
  test("docs/operations.md lists exactly the rows tested here, with the same outcome", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Objects already in place"), doc.indexOf("## Bumping a chart"));
    const rows = [...section.matchAll(/^\| `([a-z-]+)` +\|[^|]*\| \*\*(adopt|leave|fail)\*\*/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    assert.deepEqual(
      rows.sort(),
      Object.entries(ROWS)
        .map(([id, r]) => `${id} ${r.outcome}`)
        .sort(),
    );
  });

  for (const [id, row] of Object.entries(ROWS)) {
    test(`row ${id}: the program does what the table says`, () => {
      const { meetings, violations } = meetExisting(dev, row.inPlace());
      assert.ok(meetings.length > 0, "the plan meets the object");
      assert.deepEqual(
        [...new Set(meetings.map((m) => m.outcome))],
        [row.outcome],
        meetings.map((m) => `${m.outcome} ${m.object.name}`).join(", "),
      );
      assert.equal(violations.length, row.outcome === "fail" ? meetings.length : 0);
      for (const v of violations) assert.match(v.fix, /helm uninstall|pulumi import/);
    });
  }

  // Fails on the commit before: the NGINX CRDs came from a ConfigFile on the cluster's provider, a client-side
  // create since pulumi-kubernetes 4.29.0, so they failed with AlreadyExists, and both releases with them.
  test("redeploy after destroy: every object destroy leaves is adopted or left alone, nothing fails", () => {
    for (const plan of [dev, prod]) {
      const left = leftAfterDestroy(plan);
      assert.deepEqual(
        left.filter((o) => o.name.endsWith("nginx.org")).map((o) => o.name),
        [...nginxIngressCrds.names],
        "the NGINX CRDs are retained",
      );
      assert.ok(
        left.some((o) => o.name === "certificates.cert-manager.io"),
        "cert-manager's are kept",
      );
      const { meetings, violations } = meetExisting(plan, left);
      assert.deepEqual(violations, []);
      assert.equal(meetings.length, left.length, "each object left is met by the redeploy");
    }
  });

  test("redeploy after destroy into another platform namespace: the kept cert-manager CRDs are taken over", () => {
    const left = leftAfterDestroy(dev).map((o) =>
      o.helmOwner ? { ...o, helmOwner: { ...o.helmOwner, namespace: "old-platform" } } : o,
    );
    assert.deepEqual(meetExisting(dev, left).violations, []);
  });

  test("a second stack adopting a cluster with everything installed: CRDs and chart objects adopted, the rest imported", () => {
    const { meetings, violations } = meetExisting(dev, installedBy(dev));
    assert.ok(
      meetings.filter((m) => m.object.kind === "CustomResourceDefinition").every((m) => m.outcome !== "fail"),
    );
    assert.ok(
      meetings.some((m) => m.object.kind === "IngressClass" && m.outcome === "adopt"),
      "chart objects annotated for the same release are Helm's to adopt",
    );
    const failed = violations.map((v) => v.resource.split("::")[0]);
    assert.deepEqual([...new Set(failed)].sort(), [
      "aws:iam/policy:Policy",
      "aws:iam/role:Role",
      "kubernetes:cert-manager.io/v1:ClusterIssuer",
      "kubernetes:core/v1:Namespace",
      "kubernetes:core/v1:Secret",
      "kubernetes:helm.sh/v3:Release",
    ]);
    assert.equal(failed.filter((t) => t === "kubernetes:helm.sh/v3:Release").length, 6);
    for (const v of violations)
      assert.match(v.fix, /pulumi state delete there\), then .*pulumi import \S+ \S+ \S+/);
    const policy = violations.find((v) => v.resource.startsWith("aws:iam/policy:Policy::"));
    assert.match(policy!.fix, /arn:<partition>:iam::<account-id>:policy\//);
  });

  test("a cluster where NGINX was installed with Helm: its CRDs are adopted, its IngressClass refused", () => {
    const helmNginx: InPlace[] = [
      ...nginxIngressCrds.names.map((n) => crd(n)),
      { kind: "IngressClass", name: "nginx", helmOwner: { release: "nginx", namespace: "nginx" } },
      { kind: "IngressClass", name: "nginx-internal", helmOwner: { release: "nginx", namespace: "nginx" } },
    ];
    assert.deepEqual(
      outcomes(dev, helmNginx).filter((o) => !o.includes("nginx.org")),
      ["fail IngressClass nginx-internal"],
    );
  });
});
