/**
 * The private-only fixture stack (tests/fixtures/stacks/Pulumi.private.yaml: private zones only, one internal
 * ingress class, the internal CA alone, charts and images from the account's ECR registry) plans, passes the
 * policy pack, and contacts only the hosts it names. For every stack, the hosts the plan lists
 * (components/sources/hosts.ts) are the ones its resources reach: the charts' registries, the images each chart
 * deploys (the facts of tests/fixtures/chart-images.json), the CRD source and the ACME directories.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { contactedHosts } from "../components/sources/hosts";
import { resourcesOfType, type Capture } from "../offline/harness";
import facts from "./fixtures/chart-images.json";
import { edited, load } from "./helpers/config";
import { T } from "./helpers/program";
import { ROOT } from "./helpers/cli";
import { FIXTURE_STACKS, planRun, planStack } from "./helpers/stacks";
import { check, fromCapture } from "./policy.helpers";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "private-"));
const ECR = "555555555555.dkr.ecr.eu-west-1.amazonaws.com";
/** The file mirror the private stack names for the NGINX CRD manifest (ingress.crdsUrl). */
const CRD_MIRROR = "artifacts.acme-corp.internal";
const STACKS = ["dev", "prod", "private"] as const;
const plans: Record<string, Capture> = {};
before(async () => {
  for (const stack of STACKS) plans[stack] = await planStack(stack, out);
});

const hostsOf = (stack: string) => contactedHosts(load(edited(stack, {}), stack));
const hostOf = (url: string) => new URL(url.replace(/^oci:\/\//, "https://")).host;
const at = (values: unknown, key: string): unknown =>
  key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);

/**
 * What the plan's resources reach, host by who reaches it: each release's chart repository, the registry of every
 * image its chart deploys with its values (the facts' patterns; Docker Hub's `docker.io` is pulled from
 * registry-1.docker.io), every ConfigFile fetched by URL and every ACME issuer's directory.
 */
function reached(capture: Capture): string[] {
  const found = new Set<string>();
  for (const r of resourcesOfType(capture, T.release)) {
    const chart = String(r.inputs.chart);
    const repo = (r.inputs.repositoryOpts as { repo?: string } | undefined)?.repo;
    found.add(`the deploy machine ${hostOf(repo ?? chart)}`);
    const fact = facts.charts.find((c) => chart === c.name || chart.endsWith(`/${c.name}`));
    assert.ok(fact, chart);
    for (const image of fact.images) {
      const ref = image.reference.replace(/\{([\w.]+)\}/g, (_m, key: string) => {
        const set = at(r.inputs.values, key);
        return typeof set === "string" ? set : (image.defaults as Record<string, string>)[key];
      });
      const first = ref.split("/")[0];
      const host = first.includes(".") ? first : "docker.io";
      found.add(`the cluster's nodes ${host === "docker.io" ? "registry-1.docker.io" : host}`);
    }
  }
  // The NGINX CRDs: the program fetches their manifest at deploy time; offline each CRD names where from.
  for (const r of resourcesOfType(capture, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")) {
    const from = at(r.inputs.spec, "(read at deploy time)");
    if (typeof from === "string") found.add(`the deploy machine ${hostOf(from.split(" ")[0])}`);
  }
  for (const r of resourcesOfType(capture, T.issuer)) {
    const server = at(r.inputs.spec, "acme.server");
    if (typeof server === "string") found.add(`cert-manager in the cluster ${hostOf(server)}`);
  }
  return [...found].sort();
}

describe("the private-only stack", () => {
  test("plans: the internal CA alone, one internal ingress instance, no cert-manager role", () => {
    const p = plans.private;
    assert.deepEqual(
      resourcesOfType(p, T.issuer).map((r) => r.name),
      ["internal-ca"],
    );
    assert.deepEqual(p.outputs.clusterIssuers, ["internal-ca"]);
    assert.equal(p.outputs.defaultClusterIssuer, "internal-ca");
    assert.deepEqual(
      resourcesOfType(p, T.role)
        .map((r) => r.name)
        .sort(),
      ["private-aws-load-balancer-controller-kube-system", "private-external-dns-private-platform"],
    );
    assert.deepEqual(
      resourcesOfType(p, T.release)
        .map((r) => r.name)
        .sort(),
      ["aws-load-balancer-controller", "cert-manager", "external-dns-private", "ingress-internal"],
    );
  });

  test("passes every rule of the policy pack, as a production stack too", () => {
    const resources = fromCapture(plans.private);
    assert.deepEqual(check(resources, "private"), []);
    assert.deepEqual(check(resources, "private", ["private"]), []);
  });

  test("contacts only the hosts its stack file names", () => {
    const file = fs.readFileSync(path.join(FIXTURE_STACKS, "Pulumi.private.yaml"), "utf8");
    const hosts = [...new Set(hostsOf("private").map((h) => h.host))];
    assert.deepEqual(hosts, [ECR, CRD_MIRROR]);
    assert.deepEqual(
      hosts.filter((h) => !file.includes(h)),
      [],
    );
    // The NGINX CRD manifest comes from the stack's own file mirror (ingress.crdsUrl), checked against the pin.
    assert.deepEqual(
      hostsOf("private")
        .filter((h) => h.host === CRD_MIRROR)
        .map((h) => h.purpose),
      [
        `NGINX Ingress Controller CRDs https://${CRD_MIRROR}/nginx/kubernetes-ingress/v5.5.4/deploy/crds.yaml`,
      ],
    );
  });

  test("the plan prints the hosts, by who contacts them", async () => {
    const { run } = await planRun("private");
    assert.equal(run.code, 0, run.stderr);
    const section = run.stdout.slice(run.stdout.indexOf("Hosts a deploy contacts"));
    assert.equal(
      section.split("\n").slice(0, 3).join("\n"),
      [
        "Hosts a deploy contacts, besides the AWS APIs of eu-west-1 and the cluster's API server (what for: --verbose):",
        `  the deploy machine: ${ECR}, ${CRD_MIRROR}`,
        `  the cluster's nodes: ${ECR}`,
      ].join("\n"),
    );
    assert.doesNotMatch(section, /cert-manager in the cluster|letsencrypt/);
  });
});

describe("the hosts the plan lists", () => {
  for (const stack of STACKS) {
    test(`${stack}: are the hosts its resources reach, and the ones Helm reaches for them`, () => {
      const listed = hostsOf(stack);
      const beyond = listed.filter(
        (h) =>
          // Not in the resources' inputs: where the classic repository's index sends Helm for the archive, and
          // the schema host the chart's values.schema.json names (components/sources/hosts.ts).
          h.purpose.includes("the archive its repository's index points to") ||
          h.purpose.startsWith("Kubernetes JSON definitions") ||
          h.purpose.startsWith("DNS-01 self-check resolver"),
      );
      const rest = [
        ...new Set(listed.filter((h) => !beyond.includes(h)).map((h) => `${h.from} ${h.host}`)),
      ].sort();
      assert.deepEqual(rest, reached(plans[stack]));
      if (stack !== "private") {
        assert.deepEqual(
          beyond.map((h) => h.host),
          ["github.com", "raw.githubusercontent.com"],
        );
      } else {
        assert.deepEqual(beyond, []);
      }
    });
  }

  test("docs/deploy.md lists them for the shipped stacks as the plan does", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "deploy.md"), "utf8");
    const rows = Object.fromEntries(
      [
        ...doc.matchAll(/^\| (deploy machine|cluster's nodes|cert-manager) +\| ([^|]+?) +\| ([^|]+?) +\|$/gm),
      ].map((m) => [m[1], { dev: m[2], prod: m[3] }]),
    );
    const who = {
      "deploy machine": "the deploy machine",
      "cluster's nodes": "the cluster's nodes",
      "cert-manager": "cert-manager in the cluster",
    } as const;
    assert.deepEqual(Object.keys(rows), Object.keys(who));
    for (const [row, from] of Object.entries(who)) {
      for (const stack of ["dev", "prod"] as const) {
        const listed = [
          ...new Set(
            hostsOf(stack)
              .filter((h) => h.from === from)
              .map((h) => h.host),
          ),
        ].join(", ");
        assert.equal(rows[row][stack], listed, `${stack}, ${row}`);
      }
    }
  });

  test("dev: every host, by who contacts it", () => {
    const byHost = [...new Set(hostsOf("dev").map((h) => `${h.from}: ${h.host}`))].sort();
    assert.deepEqual(byHost, [
      "cert-manager in the cluster: acme-staging-v02.api.letsencrypt.org",
      "cert-manager in the cluster: acme-v02.api.letsencrypt.org",
      "the cluster's nodes: public.ecr.aws",
      "the cluster's nodes: quay.io",
      "the cluster's nodes: registry-1.docker.io",
      "the cluster's nodes: registry.k8s.io",
      "the deploy machine: aws.github.io",
      "the deploy machine: ghcr.io",
      "the deploy machine: github.com",
      "the deploy machine: kubernetes-sigs.github.io",
      "the deploy machine: quay.io",
      "the deploy machine: raw.githubusercontent.com",
    ]);
  });
});
