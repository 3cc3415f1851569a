/**
 * The example consumer program (examples/consumer) under mocks, its StackReference answered with the dev
 * stack's planned outputs: the application gets the platform's class, issuer and IRSA role.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { resource, runProgram, type Capture } from "../offline/harness";
import { ROOT } from "./helpers/cli";
import { planStack } from "./helpers/stacks";
import { roleArn } from "./helpers/program";

let app: Capture;

before(async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
  const devOutputs = (await planStack("dev", out)).outputs;
  app = await runProgram({
    stack: "dev",
    project: "orders-app",
    program: path.join(ROOT, "examples", "consumer", "index.ts"),
    config: {
      "orders-app:platformStack": "acme/eks-platform/dev",
      "orders-app:host": "orders.dev.example.com",
    },
    stackReferences: { "acme/eks-platform/dev": devOutputs },
  });
});

test("reads the platform through one StackReference", () => {
  const ref = resource(app, "pulumi:pulumi:StackReference", "acme/eks-platform/dev");
  assert.equal(ref.inputs.name, "acme/eks-platform/dev");
});

test("the service account carries the orders-api IRSA role", () => {
  const sa = resource(app, "kubernetes:core/v1:ServiceAccount", "orders-api");
  assert.deepEqual(sa.inputs.metadata, {
    name: "orders-api",
    namespace: "orders",
    annotations: { "eks.amazonaws.com/role-arn": roleArn("dev-orders-api-orders") },
  });
});

test("the Ingress uses the platform's public class and default issuer", () => {
  const ingress = resource(app, "kubernetes:networking.k8s.io/v1:Ingress", "orders-api");
  const meta = ingress.inputs.metadata as { annotations: Record<string, string> };
  assert.equal(meta.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
  assert.equal(meta.annotations["acme.cert-manager.io/http01-edit-in-place"], "true");
  const spec = ingress.inputs.spec as { ingressClassName: string; tls: unknown[] };
  assert.equal(spec.ingressClassName, "nginx-public");
  assert.deepEqual(spec.tls, [{ hosts: ["orders.dev.example.com"], secretName: "orders-api-tls" }]);
  assert.equal(app.outputs.ingressClass, "nginx-public");
});
