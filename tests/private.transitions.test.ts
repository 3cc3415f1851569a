/**
 * Day-2 transitions of the private-environment settings, judged by the transition model (offline/transitions):
 * moving a running stack's charts and images to mirrors is a Helm upgrade of each release (chart, values) and
 * nothing else; turning the Let's Encrypt issuers off deletes them, which the judge flags (certificates they issued
 * would no longer renew), and takes cert-manager's role away.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type { Capture } from "../offline/harness";
import { judgeTransition, type Verdict } from "../offline/transitions/judge";
import { derivedStackFile, planStack } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "private-transitions-"));
const RELEASE = "kubernetes:helm.sh/v3:Release";

const plans: Record<string, Capture> = {};
before(async () => {
  plans.dev = await planStack("dev", out);
  plans.devMirrored = await planStack(
    "devMirrored",
    out,
    derivedStackFile(out, "devMirrored", "dev", {
      charts: { mirror: { url: "oci://111111111111.dkr.ecr.eu-west-1.amazonaws.com/helm-charts" } },
      images: { registry: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror" },
    }),
  );
  plans.devInternalCa = await planStack(
    "devInternalCa",
    out,
    derivedStackFile(out, "devInternalCa", "dev", {
      "certManager.letsEncrypt": false,
      "certManager.defaultIssuer": undefined,
    }),
  );
});

const stepsOf = (v: Verdict, action: string, type?: string) =>
  v.steps
    .filter((s) => s.action === action && (type === undefined || s.type === type))
    .map((s) => s.name)
    .sort();

describe("private-environment settings on a running stack", () => {
  test("charts and images from mirrors: every release upgrades in place, nothing else changes", () => {
    const v = judgeTransition(plans.dev, plans.devMirrored);
    assert.deepEqual(v.violations, []);
    assert.deepEqual(
      v.steps.map((s) => `${s.action} ${s.type}::${s.name}`),
      [
        "aws-load-balancer-controller",
        "cert-manager",
        "external-dns-central",
        "external-dns-private",
        "ingress-internal",
        "ingress-public",
      ].map((name) => `update ${RELEASE}::${name}`),
    );
    for (const step of v.steps.filter((s) => s.action === "update")) {
      assert.ok(step.paths.includes("chart"), `${step.name}: ${step.paths.join()}`);
      assert.ok(
        step.paths.some((p) => p.startsWith("values.")),
        `${step.name}: ${step.paths.join()}`,
      );
    }
  });

  test("turning the Let's Encrypt issuers off deletes both, flagged, and cert-manager's role", () => {
    const v = judgeTransition(plans.dev, plans.devInternalCa);
    assert.deepEqual(v.violations.map((x) => `${x.kind} ${x.resource}`).sort(), [
      "deletes-kept kubernetes:cert-manager.io/v1:ClusterIssuer::letsencrypt-prod",
      "deletes-kept kubernetes:cert-manager.io/v1:ClusterIssuer::letsencrypt-staging",
    ]);
    assert.deepEqual(stepsOf(v, "delete", "aws:iam/role:Role"), ["dev-cert-manager-platform"]);
    assert.deepEqual(stepsOf(v, "update", RELEASE), ["cert-manager"]);
  });
});
