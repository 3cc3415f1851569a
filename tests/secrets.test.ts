/**
 * Secrets and Pulumi ESC in the offline plan. A nested secret, as `pulumi config set --path --secret` writes it,
 * reaches the program the way Pulumi hands it (the whole top-level key secret), validates, and stays masked in
 * every input and output that carries it. A stack that imports ESC environments plans with a clear note, and
 * the values ESC would give can be supplied with `--config-file` or `--set`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { stringify } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig, type Capture } from "../offline/harness";
import { containsSecret, secretKeysOf, securePaths, secretValues } from "../stacks/secrets";
import type { Run } from "./helpers/cli";
import { runPlan } from "./helpers/stacks";
import { stackValues } from "./helpers/config";
import { T } from "./helpers/program";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
const CIPHERTEXT = "v1:c2VjcmV0LWV4dGVybmFsLWlk";
const PLAINTEXT = "prod-external-id-7f3a";

/** Writes a stack file from prod with the central DNS account's external ID encrypted in place. */
function writeFile(name: string, extra: Record<string, unknown> = {}, drop: string[] = []): string {
  const values = stackValues("prod");
  const dns = values.dns as { centralDnsAccount: Record<string, unknown> };
  dns.centralDnsAccount.externalId = { secure: CIPHERTEXT };
  for (const key of drop) delete values[key];
  const config = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `eks-platform:${k}`, v]),
  );
  const file = path.join(out, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, stringify({ ...extra, config }));
  return file;
}

const plan = (stack: string, file: string, args: string[] = []) =>
  runPlan([stack, "--stack-file", file, "--out", out, "--quiet", ...args]);
const captured = (stack: string) =>
  JSON.parse(fs.readFileSync(path.join(out, `${stack}.json`), "utf8")) as Capture;

describe("a nested secret", () => {
  test("is handed over as Pulumi does: the whole top-level key secret, the ciphertext never as a value", () => {
    const read = readStackConfig("nested", out, writeFile("nested"));
    assert.deepEqual(read.secretKeys, ["eks-platform:dns"]);
    const dns = JSON.parse(read.config["eks-platform:dns"]) as { centralDnsAccount: { externalId: string } };
    assert.equal(dns.centralDnsAccount.externalId, "[secret]");
    assert.ok(!JSON.stringify(read).includes(CIPHERTEXT));
  });

  let offline: Run;
  let supplied: Run;
  before(async () => {
    const file = writeFile("nested");
    const dns = stackValues("prod").dns as { centralDnsAccount: Record<string, unknown> };
    dns.centralDnsAccount.externalId = PLAINTEXT;
    [offline, supplied] = await Promise.all([
      plan("nested", file),
      plan("nestedset", file, ["--set", `dns=${JSON.stringify(dns)}`]),
    ]);
  });

  test("validates and plans although the plan cannot decrypt it", () => {
    assert.equal(offline.code, 0, offline.stderr);
    assert.ok(!JSON.stringify(captured("nested")).includes(CIPHERTEXT));
  });

  test("a decrypted value stays masked in every input and output that carries it", () => {
    assert.equal(supplied.code, 0, supplied.stderr);
    const capture = captured("nestedset");
    assert.ok(!JSON.stringify(capture).includes(PLAINTEXT), "the value never appears in plain text");
    const central = capture.resources.find((r) => r.type === T.release && r.name === "external-dns-central");
    assert.equal(central?.inputs.values, "[secret]");
    // Outputs that carry the secret value are secrets too; the rest of the same key's values are not secret.
    assert.deepEqual(capture.secretOutputs, ["centralDnsRoles"]);
    assert.equal(capture.outputs.clusterName, "prod-eks");
    const zones = capture.outputs.externalDnsZoneIds as Record<string, string[]>;
    assert.ok(
      zones.central.length > 0 && zones.private.length > 0,
      "the zone IDs of the secret key stay readable",
    );
    const privateRelease = capture.resources.find(
      (r) => r.type === T.release && r.name === "external-dns-private",
    );
    assert.notEqual(
      privateRelease?.inputs.values,
      "[secret]",
      "a release that does not use the secret is readable",
    );
  });
});

describe("a secret ACME e-mail", () => {
  let run: Run;
  const EMAIL = "secret-contact@acme-corp.com";
  before(async () => {
    const values = stackValues("prod");
    (values.certManager as Record<string, unknown>).email = { secure: CIPHERTEXT };
    const config = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `eks-platform:${k}`, v]),
    );
    const file = path.join(out, "Pulumi.email.yaml");
    fs.writeFileSync(file, stringify({ config }));
    const certManager = { ...(stackValues("prod").certManager as object), email: EMAIL };
    run = await plan("email", file, ["--set", `certManager=${JSON.stringify(certManager)}`]);
  });

  test("is secret in the issuers that use it; the issuer names other teams read are not", () => {
    assert.equal(run.code, 0, run.stderr);
    const capture = captured("email");
    assert.ok(!JSON.stringify(capture).includes(EMAIL));
    assert.deepEqual(capture.secretOutputs, []);
    assert.equal(capture.outputs.defaultClusterIssuer, "letsencrypt-prod");
    assert.deepEqual(capture.outputs.clusterIssuers, [
      "letsencrypt-staging",
      "letsencrypt-prod",
      "internal-ca",
    ]);
    const issuer = (name: string) =>
      capture.resources.find((r) => r.type === T.issuer && r.name === name)?.inputs.spec;
    assert.equal(issuer("letsencrypt-prod"), "[secret]");
    assert.notEqual(issuer("internal-ca"), "[secret]");
  });
});

describe("secret paths", () => {
  const file = [
    "config:",
    "  aws:region: eu-west-1",
    "  eks-platform:dns:",
    "    publicZones:",
    "      - { name: example.com, zoneId: Z1 }",
    "    centralDnsAccount:",
    "      externalId: { secure: v1:abc }",
    "  token: { secure: v1:def }",
    "  eks-platform:list:",
    "    - plain",
    "    - { secure: v1:ghi }",
  ].join("\n");
  const all = {
    "aws:region": "eu-west-1",
    "eks-platform:dns": JSON.stringify({
      publicZones: [{ name: "example.com", zoneId: "Z1" }],
      centralDnsAccount: { externalId: "the-external-id" },
    }),
    "eks-platform:token": "t0k",
    "eks-platform:list": JSON.stringify(["plain", "second-item"]),
    "eks-platform:esc": JSON.stringify({ a: "from-an-environment", b: "dev" }),
  };

  test("are where the stack file holds secure: values, the project's namespace added", () => {
    assert.deepEqual(securePaths(file, "eks-platform"), [
      "eks-platform:dns.centralDnsAccount.externalId",
      "eks-platform:token",
      "eks-platform:list[1]",
    ]);
  });

  test("only their values are secret; a key secret without a secure: in the file is secret whole", () => {
    const paths = securePaths(file, "eks-platform");
    const keys = secretKeysOf(Object.keys(all), paths, (k) => k === "eks-platform:esc");
    assert.deepEqual(keys, [
      "eks-platform:dns",
      "eks-platform:token",
      "eks-platform:list",
      "eks-platform:esc",
    ]);
    assert.deepEqual(secretValues(all, keys, paths), [
      "from-an-environment",
      "the-external-id",
      "second-item",
      "t0k",
    ]);
  });

  test("a secret with quotes or backslashes is found inside a structured input too", () => {
    const secret = 'p"w\\rd-123';
    assert.equal(containsSecret({ repo: "oci://x", password: secret }, [secret]), true);
    assert.equal(containsSecret(secret, [secret]), true);
    assert.equal(containsSecret({ repo: "oci://x" }, [secret]), false);
  });

  test("the SDK's own list of secret keys, the complement for values from elsewhere, works as pinned", () => {
    // @pulumi/pulumi 3.270.0 runtime/config.js: setAllConfig stores the keys, isConfigSecret reads them. Internal
    // in its .d.ts: if a new SDK drops or changes it, this fails before a secret from ESC could go unmarked.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    pulumi.runtime.setAllConfig({ "p:a": "1", "p:b": "2" }, ["p:b"]);
    assert.equal(typeof runtime.isConfigSecret, "function");
    assert.equal(runtime.isConfigSecret?.("p:b"), true);
    assert.equal(runtime.isConfigSecret?.("p:a"), false);
  });
});

describe("Pulumi ESC imports", () => {
  let missing: Run;
  let withFile: Run;
  let withSet: Run;
  before(async () => {
    // ESC gives certManager here; the stack file does not.
    const file = writeFile("esc", { environment: ["platform/prod-secrets"] }, ["certManager"]);
    const extra = path.join(out, "extra.yaml");
    fs.writeFileSync(
      extra,
      stringify({ config: { "eks-platform:certManager": stackValues("prod").certManager } }),
    );
    [missing, withFile, withSet] = await Promise.all([
      plan("esc", file),
      plan("escfile", file, ["--config-file", extra]),
      plan("escset", file, ["--set", `certManager=${JSON.stringify(stackValues("prod").certManager)}`]),
    ]);
  });

  test("the plan says ESC imports are not resolved offline, and how to supply their values", () => {
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /- eks-platform:certManager: missing: set certManager\.email/);
    assert.match(
      missing.stderr,
      /Note: this stack imports Pulumi ESC environment\(s\) platform\/prod-secrets\. The offline plan does not resolve\nESC imports/,
    );
    assert.match(missing.stderr, /--config-file FILE .* or --set key=value/);
  });

  test("values supplied with --config-file or --set complete the stack", () => {
    for (const run of [withFile, withSet]) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /imports Pulumi ESC environment\(s\) platform\/prod-secrets/);
    }
    assert.equal(captured("escfile").outputs.defaultClusterIssuer, "letsencrypt-prod");
    assert.deepEqual(captured("escset").outputs, captured("escfile").outputs);
  });
});
