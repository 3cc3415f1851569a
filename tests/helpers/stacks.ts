/**
 * Stack files for tests: write one derived from a real stack, and plan a stack in a child process as a user would
 * (`tools/plan.ts`), returning its JSON plan.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Capture } from "../../tools/harness";
import { runTool } from "./cli";
import { setPath, stackValues } from "./config";

/** Writes `Pulumi.<name>.yaml` in `dir` from decoded values (project keys without namespace); returns its path. */
export function writeStackFile(dir: string, name: string, values: Record<string, unknown>): string {
  const config = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `eks-platform:${k}`, v]),
  );
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, stringify({ config }));
  return file;
}

/** A stack file derived from a real one (`base`) with values changed by path. */
export function derivedStackFile(
  dir: string,
  name: string,
  base: string,
  changes: Record<string, unknown>,
): string {
  const values = stackValues(base);
  for (const [key, value] of Object.entries(changes)) setPath(values, key, value);
  return writeStackFile(dir, name, values);
}

/** Plans `stack` (from its real stack file, or `stackFile`) into `out` and returns the plan; fails on a non-zero exit. */
export async function planStack(stack: string, out: string, stackFile?: string): Promise<Capture> {
  const args = [stack, "--out", out, "--quiet", ...(stackFile ? ["--stack-file", stackFile] : [])];
  const run = await runTool("tools/plan.ts", args);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(fs.readFileSync(path.join(out, `${stack}.json`), "utf8")) as Capture;
}
