/**
 * Chart and image mirrors (`charts`, `images`): every release of a stack with mirrors takes its chart from the
 * mirror at the pinned name and version, and every image each pinned chart deploys with the program's values comes
 * from the image mirror. Which images those are, and through which values keys each chart reads them, are facts
 * read from the charts at their pinned versions (tests/fixtures/chart-images.json says how):
 *   nginx/kubernetes-ingress@v5.5.4 charts/nginx-ingress (values.yaml controller.image, _helpers.tpl
 *     "nginx-ingress.image", controller-deployment.yaml, controller-serviceaccount.yaml imagePullSecretsNames),
 *   cert-manager/cert-manager@v1.21.1 deploy/charts/cert-manager (values.yaml imageRegistry/imageNamespace,
 *     _helpers.tpl "cert-manager.image", deployment.yaml --acme-http01-solver-image, startupapicheck-job.yaml),
 *   kubernetes-sigs/external-dns@external-dns-helm-chart-1.21.1 charts/external-dns (_helpers.tpl
 *     "external-dns.image"), aws/eks-charts@5239609 stable/aws-load-balancer-controller (deployment.yaml).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { stringify } from "yaml";
import { CHART_KEYS, chartImages, charts, type ChartKey } from "../components/versions";
import { resourcesOfType, type Capture, type CapturedResource } from "../offline/harness";
import facts from "./fixtures/chart-images.json";
import { T } from "./helpers/program";
import { derivedStackFile, planStack } from "./helpers/stacks";
import { stackValues } from "./helpers/config";

interface ImageFact {
  what: string;
  reference: string;
  defaults: Record<string, string>;
  upstreamRegistry: string;
  overriddenBy: string[];
}
interface ChartFact {
  chart: string;
  name: string;
  version: string;
  images: ImageFact[];
  pullSecrets: { key: string; form: "names" | "references" };
}
const CHARTS = facts.charts as ChartFact[];

const ECR = "555555555555.dkr.ecr.eu-west-1.amazonaws.com";
const out = fs.mkdtempSync(path.join(os.tmpdir(), "mirrors-"));

function at(values: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
}

/** The image reference a chart's template renders from these values (the fact's pattern, with its defaults). */
function rendered(image: ImageFact, values: unknown): string {
  return image.reference.replace(/\{([\w.]+)\}/g, (_m, key: string) => {
    const set = at(values, key);
    return typeof set === "string" && set !== "" ? set : image.defaults[key];
  });
}

/** The fact of the chart a release installs, by the chart's name. */
function factOf(release: CapturedResource): ChartFact {
  const chart = String(release.inputs.chart);
  const fact = CHARTS.find((c) => chart === c.name || chart.endsWith(`/${c.name}`));
  assert.ok(fact, `a fact for ${chart}`);
  return fact;
}

let dev: Capture;
let privateStack: Capture;
let withSecrets: Capture;
before(async () => {
  dev = await planStack("dev", out);
  privateStack = await planStack("private", out);
  // A classic mirror with credentials and pull secrets, as an Artifactory or Nexus setup has them.
  withSecrets = await planStack(
    "private-http",
    out,
    derivedStackFile(out, "private-http", "private", {
      charts: {
        mirror: {
          url: "https://artifactory.corp.internal/artifactory/api/helm/helm-remote",
          username: "deploy",
          password: "not-a-real-password",
          caFile: "/etc/ssl/corp-ca.pem",
        },
        certManager: { url: "oci://registry.corp.internal/jetstack/charts" },
        nginxIngressLocalSchema: true,
      },
      images: { registry: "registry.corp.internal/proxy", pullSecrets: ["corp-registry"] },
    }),
  );
});

describe("the facts of the pinned charts", () => {
  test("the facts file covers every pinned chart at its pinned version", () => {
    assert.deepEqual(
      CHARTS.map((c) => [c.chart, c.version]),
      CHART_KEYS.map((k) => [k, charts[k].version]),
    );
  });

  test("components/versions.ts lists each chart's images as the facts give them", () => {
    for (const fact of CHARTS) {
      const own = chartImages[fact.chart as ChartKey];
      const upstream = fact.images.map((i) => {
        const ref = rendered(i, {}).replace(/:[^:/]+$/, "");
        return ref.startsWith(`${i.upstreamRegistry}/`) ? ref.slice(i.upstreamRegistry.length + 1) : ref;
      });
      assert.deepEqual(
        { registry: own.registry, paths: [...own.paths] },
        { registry: fact.images[0].upstreamRegistry, paths: upstream },
        fact.chart,
      );
    }
  });
});

describe("a stack without mirrors", () => {
  test("every image is the chart's own default and every chart comes from upstream", () => {
    const releases = resourcesOfType(dev, T.release);
    assert.equal(releases.length, 6);
    for (const r of releases) {
      const fact = factOf(r);
      for (const image of fact.images) {
        assert.equal(rendered(image, r.inputs.values), rendered(image, {}), `${r.name}: ${image.what}`);
      }
      const key = fact.chart as ChartKey;
      const pin = charts[key] as { chart: string; repo?: string };
      assert.equal(r.inputs.chart, pin.chart);
      assert.deepEqual(r.inputs.repositoryOpts, pin.repo ? { repo: pin.repo } : undefined);
      assert.equal(at(r.inputs.values, fact.pullSecrets.key), undefined);
    }
  });
});

describe("a stack with an OCI chart mirror and ECR pull-through caches (the private fixture)", () => {
  const mirrors: Record<string, string> = {
    "docker.io": `${ECR}/docker-hub`,
    "quay.io": `${ECR}/quay`,
    "registry.k8s.io": `${ECR}/k8s`,
    "public.ecr.aws": `${ECR}/ecr-public`,
  };

  test("every release takes its chart from the mirror, by name, at the pinned version, without repository options", () => {
    const releases = resourcesOfType(privateStack, T.release);
    assert.deepEqual(
      releases.map((r) => [r.name, r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts]).sort(),
      [
        [
          "aws-load-balancer-controller",
          `oci://${ECR}/helm-charts/aws-load-balancer-controller`,
          "3.5.0",
          undefined,
        ],
        ["cert-manager", `oci://${ECR}/helm-charts/cert-manager`, "v1.21.1", undefined],
        ["external-dns-private", `oci://${ECR}/helm-charts/external-dns`, "1.21.1", undefined],
        ["ingress-internal", `oci://${ECR}/helm-charts/nginx-ingress`, "2.6.4", undefined],
      ],
    );
  });

  test("every image every release deploys comes from the cache of its upstream registry", () => {
    const seen: string[] = [];
    for (const r of resourcesOfType(privateStack, T.release)) {
      const fact = factOf(r);
      for (const image of fact.images) {
        const ref = rendered(image, r.inputs.values);
        const upstream = rendered(image, {});
        const path = upstream.startsWith(`${image.upstreamRegistry}/`)
          ? upstream.slice(image.upstreamRegistry.length + 1)
          : upstream;
        assert.equal(ref, `${mirrors[image.upstreamRegistry]}/${path}`, `${r.name}: ${image.what}`);
        for (const key of image.overriddenBy) {
          assert.equal(at(r.inputs.values, key), undefined, `${r.name} leaves ${key} unset`);
        }
        seen.push(ref);
      }
    }
    assert.deepEqual(seen.sort(), [
      `${ECR}/docker-hub/nginx/nginx-ingress:5.5.4`,
      `${ECR}/ecr-public/eks/aws-load-balancer-controller:v3.5.0`,
      `${ECR}/k8s/external-dns/external-dns:v0.21.0`,
      `${ECR}/quay/jetstack/cert-manager-acmesolver:v1.21.1`,
      `${ECR}/quay/jetstack/cert-manager-cainjector:v1.21.1`,
      `${ECR}/quay/jetstack/cert-manager-controller:v1.21.1`,
      `${ECR}/quay/jetstack/cert-manager-startupapicheck:v1.21.1`,
      `${ECR}/quay/jetstack/cert-manager-webhook:v1.21.1`,
    ]);
  });
});

describe("a classic chart mirror with credentials, one chart elsewhere, one image registry and pull secrets", () => {
  test("classic releases name the chart and the mirror's URL; the OCI override takes the chart from its registry", () => {
    const byName = Object.fromEntries(resourcesOfType(withSecrets, T.release).map((r) => [r.name, r]));
    assert.equal(
      byName["cert-manager"].inputs.chart,
      "oci://registry.corp.internal/jetstack/charts/cert-manager",
    );
    assert.equal(byName["cert-manager"].inputs.repositoryOpts, undefined);
    for (const [release, chart] of [
      ["aws-load-balancer-controller", "aws-load-balancer-controller"],
      ["external-dns-private", "external-dns"],
      ["ingress-internal", "nginx-ingress"],
    ]) {
      assert.equal(byName[release].inputs.chart, chart);
      assert.deepEqual(byName[release].inputs.repositoryOpts, {
        repo: "https://artifactory.corp.internal/artifactory/api/helm/helm-remote",
        username: "deploy",
        password: "not-a-real-password",
        caFile: "/etc/ssl/corp-ca.pem",
      });
    }
  });

  test("every image comes from the one registry, and every chart's pods get the pull secret through its own key", () => {
    for (const r of resourcesOfType(withSecrets, T.release)) {
      const fact = factOf(r);
      for (const image of fact.images) {
        const upstream = rendered(image, {});
        const path = upstream.startsWith(`${image.upstreamRegistry}/`)
          ? upstream.slice(image.upstreamRegistry.length + 1)
          : upstream;
        assert.equal(rendered(image, r.inputs.values), `registry.corp.internal/proxy/${path}`, r.name);
      }
      assert.deepEqual(
        at(r.inputs.values, fact.pullSecrets.key),
        fact.pullSecrets.form === "names" ? ["corp-registry"] : [{ name: "corp-registry" }],
        `${r.name}: ${fact.pullSecrets.key}`,
      );
    }
  });
});

describe("the values keys the program writes images through", () => {
  /** Every leaf path of a values tree with a segment that speaks of images (`image.repository`, `imageRegistry`). */
  const imagePaths = (values: unknown, prefix = ""): string[] =>
    values !== null && typeof values === "object" && !Array.isArray(values)
      ? Object.entries(values).flatMap(([k, v]) => imagePaths(v, prefix ? `${prefix}.${k}` : k))
      : /image/i.test(prefix)
        ? [prefix]
        : [];

  test("are exactly the chart's own keys that the facts name, in every release of a stack with mirrors", () => {
    for (const r of resourcesOfType(withSecrets, T.release)) {
      const fact = factOf(r);
      const known = [
        ...fact.images.flatMap((i) => [...i.reference.matchAll(/\{([\w.]+)\}/g)].map((m) => m[1])),
        fact.pullSecrets.key,
      ];
      const written = imagePaths(r.inputs.values);
      assert.ok(written.length >= 2, `${r.name} writes its image and pull secrets: ${written.join(", ")}`);
      assert.deepEqual(
        written.filter((p) => !known.includes(p)),
        [],
        `${r.name} writes images only through ${known.join(", ")}`,
      );
    }
  });
});

describe("a mirror password set as a secret", () => {
  test("stays secret: the releases that carry it are secret in the plan", async () => {
    const values = stackValues("private");
    const file = path.join(out, "Pulumi.private-secret.yaml");
    const config = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `eks-platform:${k}`, v]),
    );
    config["eks-platform:charts"] = {
      mirror: {
        url: "https://nexus.corp.internal/repository/helm",
        username: "deploy",
        password: { secure: "v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" },
      },
    };
    fs.writeFileSync(file, stringify({ config }));
    const plan = await planStack("private-secret", out, file);
    for (const r of resourcesOfType(plan, T.release)) {
      assert.equal(JSON.stringify(r.inputs.repositoryOpts), JSON.stringify("[secret]"), r.name);
      assert.ok(!JSON.stringify(r.inputs).includes("v1:AAAA"), "the ciphertext is never an input");
    }
  });
});
