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
import { before, describe, test } from "node:test";
import { resourcesOfType, type Capture } from "../offline/harness";
import { stackNames } from "../commands/stacks";
import { checkOutputs } from "../stacks/outputs";
import { isReadOnlyAction, isWildcardResource } from "../model/iamActions";
import { ROOT } from "./helpers/cli";
import { T, assertOneKubernetesProvider, json } from "./helpers/program";
import { planStack } from "./helpers/stacks";

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
function picture(plan: Capture): unknown {
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
      t.assert.snapshot(picture(plans[stack]));
    });
  }
});
