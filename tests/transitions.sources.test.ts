/**
 * Where deploy-time inputs come from and which engine runs them: the NGINX CRD manifest (fetched by the program,
 * verified against the pinned digest, servable by a mirror), the external-dns sources of each instance, and the
 * Pulumi CLI version the project requires and the workflows pin.
 *
 * Sources: pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go (a ConfigFile URL is a plain http.Get, no
 * status check, no checksum); external-dns v0.21.0 docs/flags.md (--ingress-class filters Ingresses only;
 * --annotation-filter and --label-filter apply to every source); pulumi/pulumi pkg/resource/deploy/source_eval.go
 * inheritFromParent (RetainOnDelete inherited since commit 694ea7b9ae, #18956, first in v3.158.0) and
 * sdk/go/common/workspace/project.go RequiredPulumiVersion (CHANGELOG 3.219.0: "Allow setting
 * requiredPulumiVersion in Pulumi.yaml").
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as semver from "semver";
import { parse } from "yaml";
import { fetchCrdManifest, verifyCrdManifest, type CrdManifestPin } from "../components/ingress/crds";
import { externalDnsSources } from "../components/externalDns/values";
import { nginxIngressCrds } from "../components/versions";
import type { Capture } from "../offline/harness";
import { ROOT } from "../offline/stackFile";
import { edited, problems } from "./helpers/config";
import { derivedStackFile, planStack } from "./helpers/stacks";

const manifest = (names: string[]) =>
  names
    .map(
      (n) =>
        `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${n}\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.21.0\nspec:\n  group: ${n.split(".").slice(1).join(".")}\n  scope: Namespaced\n`,
    )
    .join("---\n");
const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const NAMES = ["policies.k8s.nginx.org", "virtualservers.k8s.nginx.org"];
const GOOD = manifest(NAMES);
const pin: CrdManifestPin = { url: "unused", sha256: sha(GOOD), names: NAMES };

// A mirror on loopback: serves the good file, a tampered one, and nothing.
let server: http.Server;
let base: string;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/good.yaml") res.end(GOOD);
    else if (req.url === "/tampered.yaml") res.end(`${GOOD}# changed\n`);
    else res.writeHead(404).end("404: Not Found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

describe("the NGINX CRD manifest", () => {
  test("the pinned file is the release tag's, and its CRDs are the NGINX ones", () => {
    assert.match(nginxIngressCrds.url, /\/nginx\/kubernetes-ingress\/v5\.5\.4\/deploy\/crds\.yaml$/);
    assert.match(nginxIngressCrds.sha256, /^[0-9a-f]{64}$/);
    assert.ok(nginxIngressCrds.names.every((n) => n.endsWith(".nginx.org")));
  });

  // Fails on the commit before, where the provider fetched the URL with no status check: an error page is not
  // YAML and a tampered file would be applied as it is.
  test("from a mirror: the pinned content is applied; other content, an HTTP error, other CRDs are refused", async () => {
    const crds = await fetchCrdManifest(`${base}/good.yaml`, pin);
    assert.deepEqual(
      crds.map((c) => c.metadata.name),
      NAMES,
    );
    assert.deepEqual(crds[0].metadata.annotations, { "controller-gen.kubebuilder.io/version": "v0.21.0" });
    assert.equal(crds[1].spec.group, "k8s.nginx.org");
    await assert.rejects(
      fetchCrdManifest(`${base}/tampered.yaml`, pin),
      /has SHA-256 [0-9a-f]{64}, expected/,
    );
    await assert.rejects(fetchCrdManifest(`${base}/missing.yaml`, pin), /HTTP 404/);
    assert.throws(
      () => verifyCrdManifest(GOOD, "x", { ...pin, names: [...NAMES, "transportservers.k8s.nginx.org"] }),
      /defines policies\.k8s\.nginx\.org, virtualservers\.k8s\.nginx\.org; the pin lists/,
    );
    const notCrd = "kind: ConfigMap\nmetadata:\n  name: x\n";
    assert.throws(
      () => verifyCrdManifest(notCrd, "x", { ...pin, sha256: sha(notCrd) }),
      /not a CustomResourceDefinition/,
    );
  });

  test("the plan shows where the CRDs come from, and a stack can name a mirror", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crd-source-"));
    const mirror = "https://artifacts.example.com/nginx/v5.5.4/crds.yaml";
    const [dev, mirrored]: Capture[] = await Promise.all([
      planStack("dev", out),
      planStack("devMirror", out, derivedStackFile(out, "devMirror", "dev", { "ingress.crdsUrl": mirror })),
    ]);
    const spec = (c: Capture) =>
      JSON.stringify(c.resources.find((r) => r.name === "virtualservers.k8s.nginx.org")?.inputs.spec);
    assert.match(
      spec(dev),
      new RegExp(`${nginxIngressCrds.url.replace(/[.]/g, "\\.")} \\(sha256 ${nginxIngressCrds.sha256}\\)`),
    );
    assert.match(spec(mirrored), /artifacts\.example\.com\/nginx\/v5\.5\.4\/crds\.yaml/);
    assert.equal(dev.resources.filter((r) => r.type === "kubernetes:yaml/v2:ConfigFile").length, 0);
  });
});

test("a mirror URL must be http(s): the key and the value are named", () => {
  const found = problems(edited("dev", { "ingress.crdsUrl": "ftp://mirror.example.com/crds.yaml" }), "dev");
  assert.deepEqual(
    found.map((p) => p.key),
    ["eks-platform:ingress.crdsUrl"],
  );
  assert.match(found[0].expected, /an http\(s\) URL/);
});

describe("external-dns sources", () => {
  // Fails on the commit before: both instances watched `service`, and --ingress-class filters Ingresses only.
  test("only the private instance publishes Services, so an internal one never reaches a public zone", () => {
    assert.deepEqual(externalDnsSources({ name: "private" }), ["ingress", "service"]);
    assert.deepEqual(externalDnsSources({ name: "central" }), ["ingress"]);
  });
});

describe("the Pulumi CLI version", () => {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    requiredPulumiVersion?: string;
  };
  const workflows = fs
    .readdirSync(path.join(ROOT, ".github/workflows"))
    .map((f) => fs.readFileSync(path.join(ROOT, ".github/workflows", f), "utf8"));

  // Fails on the commit before: no requiredPulumiVersion, and the workflows took whatever CLI the action chose.
  test("Pulumi.yaml requires a CLI that passes retainOnDelete to children and reads the key", () => {
    const range = project.requiredPulumiVersion;
    assert.ok(range && semver.validRange(range), "requiredPulumiVersion is a version range");
    assert.ok(!semver.satisfies("3.157.0", range), "3.157 does not pass retainOnDelete to children");
    assert.ok(semver.satisfies("3.219.0", range) || !semver.satisfies("3.218.0", range));
    assert.equal(semver.minVersion(range)?.version, "3.219.0");
  });

  test("every pulumi/actions step pins one CLI version, inside that range", () => {
    const steps = workflows.flatMap((w) => [
      ...w.matchAll(/uses: pulumi\/actions@\S+\n\s+with:\n((?:\s{10}.*\n)+)/g),
    ]);
    assert.ok(steps.length >= 5);
    const pins = steps.map((m) => /pulumi-version: (\S+)/.exec(m[1])?.[1]);
    assert.equal(new Set(pins).size, 1, "one version everywhere");
    assert.ok(pins[0] && semver.satisfies(pins[0], project.requiredPulumiVersion!), String(pins[0]));
  });

  test("the pull request's offline plan diff fails on an unsafe transition", () => {
    const pr = workflows.find((w) => w.startsWith("# Checks for every pull request"))!;
    assert.match(pr, /commands\/plan-diff\.ts[\s\S]*--strict >> "\$GITHUB_STEP_SUMMARY"/);
  });
});
