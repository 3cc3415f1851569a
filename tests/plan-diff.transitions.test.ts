/**
 * The plan diff's transition section (offline/transitions/report.ts through commands/plan-diff.ts): predicted
 * replacements and deletions per stack, unsafe transitions as errors, and `--strict` failing on them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { STRICT_UNSAFE } from "../commands/plan-diff";
import { transitionSection } from "../offline/transitions/report";

const role = (name: string, protect: boolean, inputs: Record<string, unknown> = { name }) => ({
  id: `aws:iam/role:Role::${name}`,
  type: "aws:iam/role:Role",
  name,
  custom: true,
  protect,
  inputs,
});
const plan = (...resources: Record<string, unknown>[]) => ({ stack: "prod", resources, outputs: {} });

describe("plan diff: predicted transitions", () => {
  test("lists replacements and deletions, and marks a protected one as an error", () => {
    const { markdown, safe } = transitionSection(
      plan(role("kept", true), role("moved", false), role("gone", true)),
      plan(role("kept", true), role("moved", false, { name: "moved", path: "/new/" })),
    );
    assert.equal(safe, false);
    assert.equal(
      markdown,
      [
        "#### Predicted replacements and deletions",
        "",
        "- `aws:iam/role:Role` **moved** replaced (old deleted first) because `path` changed",
        "- `aws:iam/role:Role` **gone** deleted",
        "",
        "#### Unsafe transitions",
        "",
        "- :x: **error** (protected) aws:iam/role:Role gone is protected and would be deleted. Fix: keep the resource, or unprotect it in its own update first (and check nothing still needs it).",
        "",
        "- :warning: role moved is replaced: its ARN's sessions end; pods re-assume it",
        "",
      ].join("\n"),
    );
  });

  test("says so when nothing is replaced or deleted", () => {
    const { markdown, safe } = transitionSection(
      plan(role("a", true)),
      plan(role("a", true), role("b", false)),
    );
    assert.equal(safe, true);
    assert.match(markdown, /None: every change is a create or an in-place update\./);
  });

  test("the command line fails an unsafe transition only with --strict", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-strict-"));
    try {
      const baseFile = path.join(dir, "base.json");
      const headFile = path.join(dir, "head.json");
      fs.writeFileSync(baseFile, JSON.stringify(plan(role("gone", true))));
      fs.writeFileSync(headFile, JSON.stringify(plan()));
      const cli = (...args: string[]) =>
        spawnSync(
          process.execPath,
          [
            "--require",
            path.join(__dirname, "..", "runtime", "transpile.ts"),
            path.join(__dirname, "..", "commands", "plan-diff.ts"),
            ...args,
          ],
          {
            encoding: "utf8",
          },
        );
      const lenient = cli(baseFile, headFile);
      assert.equal(lenient.status, 0, lenient.stderr);
      assert.match(lenient.stdout, /:x: \*\*error\*\* \(protected\)/);
      assert.equal(cli(baseFile, headFile, "--strict").status, STRICT_UNSAFE);
      assert.equal(cli(headFile, headFile, "--strict").status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
