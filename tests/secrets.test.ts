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
import { readStackConfig, type Capture } from "../offline/harness";
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
    // Outputs built from the secret key are secrets too; outputs that are not stay readable.
    assert.ok(capture.secretOutputs.includes("centralDnsRoles"));
    assert.ok(!capture.secretOutputs.includes("clusterName"));
    assert.equal(capture.outputs.clusterName, "prod-eks");
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
    assert.match(missing.stderr, /- eks-platform:certManager: required/);
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
