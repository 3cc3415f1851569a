/**
 * Test helpers for configuration: start from a real stack file, change values by path, and collect problems.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, readStackConfig } from "../../offline/harness";
import type { PlatformConfig } from "../../model/config";
import { ConfigError, loadPlatformConfig, type Problem } from "../../stacks/config";

type Container = Record<string, unknown> | unknown[];

function parsePath(path: string): (string | number)[] {
  return path.split(/\.|(?=\[)/).map((part) => (part.startsWith("[") ? Number(part.slice(1, -1)) : part));
}

/** The stack file's config with structured values decoded: `{ "aws:region": "eu-west-1", cluster: {...} }`. */
export function stackValues(stack: string): Record<string, unknown> {
  // The fixture copies of the shipped stacks (tests/fixtures/stacks), so that edits of the real files change no
  // expectation; tests/stacks.test.ts checks the real files.
  const fixture = path.join(ROOT, "tests", "fixtures", "stacks", `Pulumi.${stack}.yaml`);
  const { config } = readStackConfig(stack, ROOT, fs.existsSync(fixture) ? fixture : undefined);
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      const key = k.startsWith("eks-platform:") ? k.slice("eks-platform:".length) : k;
      return [key, v.startsWith("{") || v.startsWith("[") ? (JSON.parse(v) as unknown) : v];
    }),
  );
}

/** Sets (or with `undefined`, deletes) the value at a path such as `dns.publicZones[0].zoneId`. */
export function setPath(values: Record<string, unknown>, path: string, value: unknown): void {
  const parts = parsePath(path);
  let cur: Container = values;
  for (const part of parts.slice(0, -1)) {
    const next = (cur as Record<string | number, unknown>)[part];
    if (next === undefined) {
      (cur as Record<string | number, unknown>)[part] = {};
    }
    cur = (cur as Record<string | number, unknown>)[part] as Container;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) {
    delete (cur as Record<string | number, unknown>)[last];
  } else {
    (cur as Record<string | number, unknown>)[last] = value;
  }
}

/** Back to Pulumi's flat map: project keys namespaced, structured values as JSON. */
export function toPulumiConfig(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k.includes(":") ? k : `eks-platform:${k}`,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}

/** A real stack's values with some paths changed. */
export function edited(stack: string, changes: Record<string, unknown>): Record<string, string> {
  const values = stackValues(stack);
  for (const [path, value] of Object.entries(changes)) {
    setPath(values, path, value);
  }
  return toPulumiConfig(values);
}

export function load(all: Record<string, string>, stack = "dev"): PlatformConfig {
  return loadPlatformConfig({ all, stack, project: "eks-platform" });
}

/** The problems a configuration is rejected with; fails the test if it is accepted. */
export function problems(all: Record<string, string>, stack = "dev"): Problem[] {
  try {
    load(all, stack);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  assert.fail("the configuration was accepted");
}

/** Asserts exactly one problem, at `key`, whose text matches `expected`. */
export function assertOneProblem(
  all: Record<string, string>,
  key: string,
  expected: RegExp,
  stack = "dev",
): Problem {
  const found = problems(all, stack);
  assert.equal(
    found.length,
    1,
    `expected one problem, got:\n${found.map((p) => `${p.key}: ${p.expected}`).join("\n")}`,
  );
  assert.equal(found[0].key, key);
  assert.match(found[0].expected, expected);
  return found[0];
}
