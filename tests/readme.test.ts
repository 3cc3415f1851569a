/**
 * The README's configuration reference is generated from the schema: this fails when one changed without the
 * other (run `npm run docs:config`), and checks the reference covers every key of the schema.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { configReference, withReference } from "../tools/config-reference";
import { sections } from "../stacks/schema";
import { ROOT } from "./helpers/cli";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

test("the README's configuration reference matches the schema", async () => {
  assert.equal(await withReference(readme), readme, "stale: run npm run docs:config");
});

test("the reference lists every top-level key and the nested keys people set most", () => {
  const table = configReference();
  for (const key of Object.keys(sections)) {
    assert.match(table, new RegExp(`\\| \`eks-platform:${key}\` \\|`));
  }
  for (const nested of [
    "dns.centralDnsAccount.externalId",
    "ingress.instances.<key>.scheme",
    "iam.extraRoles.<key>.statements[].actions",
    "certManager.recursiveNameservers",
  ]) {
    assert.ok(table.includes(`\`eks-platform:${nested}\``), nested);
  }
});

test("a change to a description makes the README stale", async () => {
  const tampered = readme.replace("Controller replicas.", "Controller pods.");
  assert.notEqual(tampered, readme);
  assert.notEqual(await withReference(tampered), tampered);
});
