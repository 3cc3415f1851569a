/**
 * "An add-on is one folder and one line": a copy of the repository gets a throwaway add-on (a folder under
 * components/ with its schema, its role and its resources, its resolved type declared in the folder itself) and
 * its entry in components/addOns.ts, nothing else. The plan, the stack file's schema, the configuration reference
 * and the outputs must all pick it up.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { ROOT } from "./helpers/cli";

const PROBE_INDEX = `
import * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import type { AddOn } from "../addOn";

/** The probe's resolved section; declared here, in its own folder, and merged into the program's type. */
export interface ProbeConfig {
  readonly greeting: string;
  readonly namespace: string;
}
declare module "../../model/config" {
  interface AddOnConfigs {
    readonly probe?: ProbeConfig;
  }
}

export const probeSchema = z
  .strictObject({ greeting: z.string().min(1).describe("What the probe's ConfigMap says.") })
  .describe("A throwaway add-on.");

export const probeAddOn: AddOn<"probe", typeof probeSchema> = {
  key: "probe",
  schema: probeSchema,
  required: false,
  roleKeys: ["probe"],
  resolve: (input, ctx) => input && { greeting: input.greeting, namespace: ctx.core.namespace },
  roles: (cfg) => [
    {
      key: "probe",
      namespace: cfg.namespace,
      serviceAccount: "probe",
      description: "Probe: reads its own parameters",
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadOwnParameters",
            Effect: "Allow",
            Action: ["ssm:GetParameter"],
            Resource: ["arn:aws:ssm:eu-west-1:111111111111:parameter/probe"],
          },
        ],
      },
      configKey: "probe",
    },
  ],
  deploy: (cfg, ctx) => {
    new k8s.core.v1.ConfigMap(
      "probe",
      { metadata: { name: "probe", namespace: ctx.namespace }, data: { greeting: cfg.greeting } },
      { parent: ctx.parent, provider: ctx.provider },
    );
    return {};
  },
};
`;

let copy = "";

/** Runs a command of the copy with its own loader, as its npm scripts do. */
function run(script: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ["--require", path.join(copy, "runtime", "transpile.ts"), path.join(copy, script), ...args],
    { cwd: copy, encoding: "utf8" },
  );
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), "addon-"));
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
  for (const f of tracked) {
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));

  // The folder, and the one entry in the list (with its import).
  fs.mkdirSync(path.join(copy, "components", "probe"));
  fs.writeFileSync(path.join(copy, "components", "probe", "index.ts"), PROBE_INDEX);
  const list = path.join(copy, "components", "addOns.ts");
  const text = fs.readFileSync(list, "utf8");
  const withProbe = text
    .replace(/^(import .*\n)(?!import)/m, `$1import { probeAddOn } from "./probe";\n`)
    .replace(/(\n\s*ecrAddOn,\n)/, "$1  probeAddOn,\n");
  assert.notEqual(withProbe, text);
  assert.match(withProbe, /probeAddOn,\n\];/);
  fs.writeFileSync(list, withProbe);

  fs.appendFileSync(
    path.join(copy, "Pulumi.dev.yaml"),
    "  eks-platform:probe:\n    greeting: hello from the probe\n",
  );
});

after(() => {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

test("the plan creates the new add-on's resources and its workload role, and the outputs carry the role", () => {
  const out = path.join(copy, "plan-out");
  const r = run("commands/plan.ts", ["dev", "--out", out, "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(fs.readFileSync(path.join(out, "dev.json"), "utf8")) as {
    resources: { id: string; parent?: string; inputs: Record<string, unknown> }[];
    outputs: Record<string, Record<string, unknown>>;
  };
  const configMap = plan.resources.find((x) => x.id === "kubernetes:core/v1:ConfigMap::probe");
  assert.ok(configMap, "the add-on's ConfigMap is planned");
  assert.deepEqual((configMap.inputs as { data: unknown }).data, { greeting: "hello from the probe" });
  assert.ok(plan.resources.some((x) => x.id === "aws:iam/role:Role::dev-probe-platform"));
  assert.ok(plan.resources.some((x) => x.id === "eks-platform:identity:WorkloadRole::probe"));
  assert.ok("probe" in plan.outputs.workloadRoleArns, "workloadRoleArns names the add-on's role");
  assert.deepEqual(plan.outputs.workloadRoleBindings.probe, "irsa");
});

test("the stack file's schema checks the new section, with every problem named", () => {
  const stack = path.join(copy, "Pulumi.dev.yaml");
  const before = fs.readFileSync(stack, "utf8");
  try {
    fs.writeFileSync(stack, before.replace("greeting: hello from the probe", "greting: hello"));
    const r = run("commands/plan.ts", ["dev", "--quiet"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /eks-platform:probe\.greting/);
  } finally {
    fs.writeFileSync(stack, before);
  }
});

test("a team role may not take the new add-on's role key", () => {
  const stack = path.join(copy, "Pulumi.dev.yaml");
  const before = fs.readFileSync(stack, "utf8");
  try {
    fs.writeFileSync(stack, before.replace(/^(\s+)orders-api:$/m, "$1probe:"));
    assert.notEqual(fs.readFileSync(stack, "utf8"), before, "the stack file has a team role to rename");
    const r = run("commands/plan.ts", ["dev", "--quiet"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr + r.stdout,
      /iam\.extraRoles\.probe.*a key other than the built-in roles \(.*probe\)/,
    );
  } finally {
    fs.writeFileSync(stack, before);
  }
});

test("the configuration reference documents the new section and its role key", () => {
  const r = run("devtools/config-reference.ts", []);
  assert.equal(r.code, 1, "the copy's reference is stale once the add-on is added");
  assert.match(r.stderr, /configuration reference is stale/);
  const written = run("devtools/config-reference.ts", ["--write"]);
  assert.equal(written.code, 0, written.stderr);
  const reference = fs.readFileSync(path.join(copy, "docs", "configuration.md"), "utf8");
  assert.match(
    reference,
    /`eks-platform:probe\.greeting` *\| string *\| yes *\| What the probe's ConfigMap says\./,
  );
  assert.match(reference, /`eks-platform:iam\.roleBindings`.*`ecr-operator`, `probe`, a team's key/);
});
