/**
 * The nginx-ingress chart's values schema refers to the internet, and a private environment must install it
 * anyway. What Helm does with it, as the pinned provider runs Helm:
 *   - nginx/kubernetes-ingress@v5.5.4 charts/nginx-ingress/values.schema.json `$ref`s
 *     https://raw.githubusercontent.com/nginxinc/kubernetes-json-schema/master/v1.36.1/_definitions.json#/definitions/...
 *     (64 references, draft 2019-09).
 *   - pulumi-kubernetes provider/go.mod pins helm.sh/helm/v3 v3.20.2 (v4.32.0 and the newest stored master; the
 *     4.34.2 tag itself was not in the stored copy). Its Release installs with action.Install and never sets
 *     SkipSchemaValidation (provider/pkg/provider/helm_release.go helmCreate/helmUpdate), and at preview renders
 *     the chart client-side (renderChartManifest, which validates too).
 *   - helm v3.20.2 pkg/action/install.go: ToRenderValuesWithSchemaValidation(..., i.SkipSchemaValidation);
 *     pkg/chartutil/jsonschema.go: the compiler gets an HTTP(S) loader (15 s timeout, proxy from the environment)
 *     for remote references; santhosh-tekuri/jsonschema v6 compiler.go doCompile compiles every referenced schema,
 *     so the definitions are fetched whatever values are set, and an unreachable host fails the install.
 * So: the chart the mirror serves carries a self-contained schema (commands/localize-schema.ts), and the stack says
 * so (`charts.nginxIngressLocalSchema`), which takes the schema host off the hosts the plan lists.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { localizeSchema } from "../commands/localize-schema";
import { NGINX_INGRESS_SCHEMA_HOST, contactedHosts } from "../components/sources/hosts";
import { ROOT } from "./helpers/cli";
import { edited, load } from "./helpers/config";

const K8S =
  "https://raw.githubusercontent.com/nginxinc/kubernetes-json-schema/master/v1.36.1/_definitions.json";

describe("the pinned provider's Helm release and the values schema", () => {
  test("helm.v3.Release of the pinned @pulumi/kubernetes has no input that skips values-schema validation", () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/kubernetes/package.json"), "utf8"),
    ) as { version: string };
    assert.equal(pkg.version, "4.34.2");
    const release = fs.readFileSync(
      path.join(ROOT, "node_modules/@pulumi/kubernetes/helm/v3/release.d.ts"),
      "utf8",
    );
    // When a later provider gains it, a self-contained schema is no longer the only way: use the input instead.
    assert.doesNotMatch(release, /skipSchemaValidation/i);
    assert.match(
      release,
      /disableOpenapiValidation/,
      "the one validation switch it has is about the rendered manifests",
    );
  });
});

/** The part of a document a local `#/...` pointer names, or undefined. */
function pointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>(
      (v, part) => (v as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")],
      doc,
    );
}

function refs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refs);
  if (node !== null && typeof node === "object") {
    return Object.entries(node).flatMap(([k, v]) => (k === "$ref" && typeof v === "string" ? [v] : refs(v)));
  }
  return [];
}

describe("a self-contained values schema", () => {
  // The chart's shape: a draft 2019-09 schema whose properties refer to Kubernetes definitions by URL, which
  // refer to each other inside their own document.
  const schema = {
    $schema: "https://json-schema.org/draft/2019-09/schema",
    type: "object",
    properties: {
      controller: {
        type: "object",
        properties: {
          affinity: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.Affinity` },
          tolerations: {
            type: "array",
            items: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.Toleration` },
          },
          resources: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.ResourceRequirements` },
          // The chart also points into a definition (ObjectMeta/properties/annotations and the like).
          nodeAffinity: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.Affinity/properties/nodeAffinity` },
        },
      },
    },
  };
  const definitions = {
    definitions: {
      "io.k8s.api.core.v1.Affinity": {
        type: "object",
        properties: { nodeAffinity: { $ref: "#/definitions/io.k8s.api.core.v1.NodeAffinity" } },
      },
      "io.k8s.api.core.v1.NodeAffinity": { type: "object" },
      "io.k8s.api.core.v1.Toleration": { type: "object", properties: { key: { type: "string" } } },
      "io.k8s.api.core.v1.ResourceRequirements": {
        type: "object",
        properties: {
          limits: {
            additionalProperties: { $ref: "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity" },
          },
        },
      },
      "io.k8s.apimachinery.pkg.api.resource.Quantity": { oneOf: [{ type: "string" }, { type: "number" }] },
      "io.k8s.api.core.v1.PodSpec": { type: "object" },
    },
  };

  test("refers to nothing remote, and every reference resolves inside it", () => {
    const { schema: local, documents, copied } = localizeSchema(schema, definitions);
    assert.deepEqual(documents, [K8S]);
    assert.deepEqual(copied, [
      "io.k8s.api.core.v1.Affinity",
      "io.k8s.api.core.v1.NodeAffinity",
      "io.k8s.api.core.v1.ResourceRequirements",
      "io.k8s.api.core.v1.Toleration",
      "io.k8s.apimachinery.pkg.api.resource.Quantity",
    ]);
    const all = refs(local);
    assert.equal(all.length, 6);
    for (const ref of all) {
      assert.match(ref, /^#\/\$defs\//);
      assert.notEqual(pointer(local, ref), undefined, ref);
    }
    assert.deepEqual(pointer(local, "#/properties/controller/properties/affinity"), {
      $ref: "#/$defs/io.k8s.api.core.v1.Affinity",
    });
    assert.deepEqual(pointer(local, "#/properties/controller/properties/nodeAffinity"), {
      $ref: "#/$defs/io.k8s.api.core.v1.Affinity/properties/nodeAffinity",
    });
    assert.ok(!JSON.stringify(local).includes("raw.githubusercontent.com"));
  });

  test("refuses a definition the document does not have, rather than leave a dangling reference", () => {
    const broken = { properties: { x: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.Missing` } } };
    assert.throws(
      () => localizeSchema(broken, definitions),
      /definition io\.k8s\.api\.core\.v1\.Missing is not in/,
    );
  });
});

describe("the schema host in the hosts a deploy contacts", () => {
  const schemaHosts = (cfg: ReturnType<typeof load>) =>
    contactedHosts(cfg).filter((h) => h.purpose.startsWith("Kubernetes JSON definitions"));

  test("a stack whose nginx-ingress comes from upstream contacts the schema host", () => {
    assert.deepEqual(
      schemaHosts(load(edited("dev", {}))).map((h) => [h.host, h.from]),
      [[NGINX_INGRESS_SCHEMA_HOST, "the deploy machine"]],
    );
  });

  test("a mirror that serves it with a self-contained schema takes the host off", () => {
    const mirrored = (local: boolean) =>
      load(
        edited("dev", {
          charts: { mirror: { url: "oci://registry.corp.internal/charts" }, nginxIngressLocalSchema: local },
        }),
      );
    assert.deepEqual(schemaHosts(mirrored(true)), []);
    assert.equal(schemaHosts(mirrored(false)).length, 1, "a mirror alone still serves the upstream schema");
  });
});
