/**
 * The real stack files, as teams edit them every day: each one plans, and the plan keeps the platform's
 * invariants whatever roles, zones or instances it holds. Exact expectations live on the fixture copies
 * (tests/fixtures/stacks); here a snapshot keeps the full picture of each real stack, so a change to a stack file
 * shows up in review: after an intended change, `npm run test:snapshots` rewrites tests/stacks.test.ts.snapshot.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { before, describe, test } from "node:test";
import { resourcesOfType, type Capture } from "../offline/harness";
import { stackNames } from "../commands/stacks";
import { checkOutputs } from "../stacks/outputs";
import { isReadOnlyAction, isWildcardResource } from "../model/iamActions";
import { ROOT } from "./helpers/cli";
import { T, assertOneKubernetesProvider, json } from "./helpers/program";
import { planStack } from "./helpers/stacks";
import { assertPlanSnapshot, type Picture } from "./helpers/snapshot";

const STACKS = stackNames(ROOT);
const out = fs.mkdtempSync(path.join(os.tmpdir(), "real-stacks-"));
const plans: Record<string, Capture> = {};

before(async () => {
  await Promise.all(
    STACKS.map(async (stack) => {
      plans[stack] = await planStack(stack, out, path.join(ROOT, `Pulumi.${stack}.yaml`));
    }),
  );
});

interface Statement {
  Effect: string;
  Action: string[];
  Resource?: string[];
  Principal?: Record<string, string>;
  Condition?: Record<string, Record<string, string>>;
}

/** What a snapshot keeps of a plan: every resource with its inputs, and the outputs; ordering made stable. */
function picture(plan: Capture): Picture {
  return {
    resources: plan.resources.map((r) => ({
      id: r.id,
      parent: r.parent,
      protect: r.protect,
      inputs: r.inputs,
    })),
    outputs: plan.outputs,
  };
}

describe("every real stack file", () => {
  for (const stack of STACKS) {
    test(`${stack}: exports the contract and uses one Kubernetes provider`, () => {
      assert.deepEqual(checkOutputs(plans[stack].outputs), [], stack);
      assertOneKubernetesProvider(plans[stack]);
    });

    test(`${stack}: every role trusts one service account and allows no write on a wildcard resource`, () => {
      for (const role of resourcesOfType(plans[stack], T.role)) {
        const trust = json(role.inputs.assumeRolePolicy) as { Statement: Statement[] };
        for (const st of trust.Statement) {
          const conditions = JSON.stringify(st.Condition ?? {});
          assert.match(conditions, /system:serviceaccount:|kubernetes-service-account/, role.name);
        }
      }
      for (const policy of resourcesOfType(plans[stack], T.policy)) {
        // The AWS Load Balancer Controller carries upstream's policy as it is (the policy pack checks it by digest).
        if (policy.name.includes("-aws-load-balancer-controller-")) continue;
        const doc = json(policy.inputs.policy) as { Statement: Statement[] };
        for (const st of doc.Statement.filter((s) => s.Effect === "Allow")) {
          const writes = st.Action.filter((a) => !isReadOnlyAction(a));
          if (writes.length > 0) {
            assert.ok(!(st.Resource ?? []).some(isWildcardResource), `${policy.name} ${JSON.stringify(st)}`);
          }
        }
      }
    });

    test(`${stack}: the full plan matches its snapshot (npm run test:snapshots after an intended change)`, (t) => {
      assertPlanSnapshot(t, stack, picture(plans[stack]), "npm run test:snapshots");
    });
  }
});

test("a snapshot that no longer matches says what changed, in a few lines, and how to record it", () => {
  // A test file of its own, recorded once and then run with two values changed: the failure a person sees.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-failure-"));
  try {
    const file = path.join(dir, "plan.test.ts");
    fs.writeFileSync(
      file,
      [
        `const { test } = require("node:test");`,
        `const { assertPlanSnapshot } = require(${JSON.stringify(path.join(ROOT, "tests", "helpers", "snapshot.ts"))});`,
        `const plan = require(${JSON.stringify(path.join(dir, "picture.json"))});`,
        `test("dev plan", (t) => assertPlanSnapshot(t, "dev", plan, "npm run test:snapshots"));`,
      ].join("\n"),
    );
    const recorded = picture(plans.dev);
    fs.writeFileSync(path.join(dir, "picture.json"), JSON.stringify(recorded));
    const run = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        ["--require", path.join(ROOT, "runtime", "transpile.ts"), "--test", ...flags, file],
        // Without the parent runner's NODE_TEST_CONTEXT, the child reports as a person's `node --test` does.
        { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
      );
    const record = run("--test-update-snapshots");
    assert.equal(record.status, 0, record.stdout);
    assert.equal(run().status, 0, "unchanged, it passes");
    // Two changes a stack-file edit makes: a Helm value and an output.
    const changed = JSON.parse(JSON.stringify(recorded)) as Picture;
    const release = changed.resources.find((r) => r.id === "kubernetes:helm.sh/v3:Release::cert-manager")!;
    (release.inputs as { values: Record<string, unknown> }).values.replicaCount = 77;
    changed.outputs.defaultClusterIssuer = "an-issuer-no-stack-has";
    fs.writeFileSync(path.join(dir, "picture.json"), JSON.stringify(changed));
    const failed = run();
    assert.equal(failed.status, 1);
    const output = failed.stdout + failed.stderr;
    assert.ok(output.length < 4000, `${output.length} characters:\n${output}`);
    assert.match(output, /The plan of dev differs from its snapshot/);
    assert.match(output, /1 changed/);
    assert.match(output, /`inputs\.values\.replicaCount`: `\S+` → `77`/);
    assert.match(output, /`defaultClusterIssuer`: `[\w-]+` → `an-issuer-no-stack-has`/);
    assert.match(output, /record it with `npm run test:snapshots`/);
    assert.doesNotMatch(output, /\\\\"Statement\\\\"/, "no escaped JSON");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
