/**
 * A plan snapshot whose failure says what changed. `t.assert.snapshot` alone fails with the whole serialized plan
 * twice (tens of kilobytes of escaped JSON); here a mismatch is described as `npm run plan:diff` describes a change
 * (commands/plan-diff.ts): the resources added, removed and changed, each changed value as `old → new`, and the
 * outputs, followed by the command that records an intended change.
 *
 * The snapshot file stays Node's own (`<test file>.snapshot`, written by `--test-update-snapshots`), read back here
 * only to describe a mismatch.
 */
import * as fs from "node:fs";
import type { TestContext } from "node:test";
import * as vm from "node:vm";
import { diffPlans, renderDiff, type PlanFile } from "../../commands/plan-diff";

/** What a snapshot keeps of a plan: resources by id (`<type>::<name>`) with their settings, and the outputs. */
export interface Picture {
  resources: { id: string; [key: string]: unknown }[];
  outputs: Record<string, unknown>;
}

/**
 * The values Node recorded in a snapshot file, by snapshot name (`<test's full name> <n>`). The file is a
 * CommonJS module of `exports[name] = serialized` lines; it is evaluated with nothing but an `exports` object.
 */
export function recordedSnapshots(file: string): Record<string, string> {
  if (!fs.existsSync(file)) {
    return {};
  }
  const exports: Record<string, string> = {};
  vm.runInNewContext(fs.readFileSync(file, "utf8"), { exports }, { filename: file });
  return exports;
}

/** A picture read as a plan, for commands/plan-diff.ts: each resource's type and name come from its id. */
function asPlan(stack: string, picture: Picture): PlanFile {
  return {
    stack,
    resources: picture.resources.map((r) => {
      const at = r.id.indexOf("::");
      return { ...r, type: r.id.slice(0, at), name: r.id.slice(at + 2) };
    }),
    outputs: picture.outputs,
  };
}

/** The message of a mismatch: what changed from the recorded picture to the current one, and how to record it. */
export function snapshotMismatch(stack: string, recorded: Picture, current: Picture, record: string): string {
  const diff = renderDiff(
    diffPlans(asPlan(stack, recorded), asPlan(stack, current)),
    `The plan of ${stack} differs from its snapshot (recorded → now)`,
  );
  return `${diff}\nIf the change is intended, record it with \`${record}\` and commit the snapshot.`;
}

/**
 * `t.assert.snapshot(picture)`, failing with the readable difference. Node's own message stays for what this
 * cannot describe (no snapshot recorded yet).
 */
export function assertPlanSnapshot(t: TestContext, stack: string, picture: Picture, record: string): void {
  try {
    t.assert.snapshot(picture);
  } catch (err) {
    const stored = recordedSnapshots(`${t.filePath}.snapshot`)[`${t.fullName} 1`];
    if (stored === undefined) {
      throw err;
    }
    // Compared as recorded: through JSON, as the snapshot serializer writes it (undefined values dropped).
    const now = JSON.parse(JSON.stringify(picture)) as Picture;
    const failure = new Error(snapshotMismatch(stack, JSON.parse(stored) as Picture, now, record));
    // The message is the report; a stack trace into this helper would only add noise.
    failure.stack = failure.message;
    throw failure;
  }
}
