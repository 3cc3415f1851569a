/**
 * `pulumi policy publish` uploads policy/ by itself, so the pack must build and pass its own tests with nothing
 * of the repository around it. This copies policy/ alone (without node_modules) to a temporary folder, installs
 * it from its own package.json and lockfile, and runs its type-check and its tests there. A pack file that
 * imports a program file (`../components/...`) cannot resolve it in the copy, so the type-check fails.
 *
 * Uses the npm registry (or npm's cache: --prefer-offline).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";

const SOURCE = path.resolve(__dirname, "..", "policy");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "policy-standalone-"));
const copy = path.join(work, "policy");

interface Run {
  code: number;
  output: string;
}

/**
 * How to start npm: its CLI script under this Node (the one running `npm test`, or the one shipped beside this
 * Node), else the `npm` on PATH, as a person would type it.
 */
function npmCommand(): [string, string[]] {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
  ];
  const cli = candidates.find(
    (c): c is string => c !== undefined && /npm-cli\.js$/.test(c) && fs.existsSync(c),
  );
  return cli ? [process.execPath, [cli]] : ["npm", []];
}

/**
 * Runs npm in the copy as a person in that folder would: without the npm_* variables of the `npm test` that
 * started this file, so nothing of the repository's npm run leaks into it, and without NODE_TEST_CONTEXT, with
 * which node:test marks its child processes (a `node --test` that inherits it skips every file and passes).
 */
function npm(args: string[]): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "NODE_TEST_CONTEXT"),
  );
  const [command, prefix] = npmCommand();
  return new Promise((resolve) => {
    execFile(
      command,
      [...prefix, ...args],
      { cwd: copy, env, maxBuffer: 64 * 1024 * 1024, timeout: 480_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

before(() => {
  fs.cpSync(SOURCE, copy, {
    recursive: true,
    filter: (src) => path.basename(src) !== "node_modules",
  });
});

after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe("the policy pack on its own", { timeout: 600_000 }, () => {
  test("the copy holds the pack's files and no installed dependencies", () => {
    const files = fs.readdirSync(copy).sort();
    for (const file of [
      "PulumiPolicy.yaml",
      "index.ts",
      "package.json",
      "package-lock.json",
      "tsconfig.json",
    ]) {
      assert.ok(files.includes(file), file);
    }
    assert.ok(!files.includes("node_modules"));
  });

  test("installs from its own lockfile, type-checks and passes its own tests", async () => {
    const install = await npm(["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"]);
    assert.equal(install.code, 0, install.output);
    assert.ok(fs.existsSync(path.join(copy, "node_modules", "@pulumi", "policy", "package.json")));

    const typecheck = await npm(["run", "typecheck"]);
    assert.equal(typecheck.code, 0, typecheck.output);

    const tests = await npm(["test"]);
    assert.equal(tests.code, 0, tests.output);
    const count = (name: string) =>
      Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(tests.output)?.[1] ?? NaN);
    assert.ok(count("pass") > 0, tests.output);
    assert.equal(count("fail"), 0, tests.output);
  });

  test("a pack file that imports the program does not type-check in the copy", async () => {
    assert.ok(fs.existsSync(path.join(copy, "node_modules")), "installed by the previous test");
    const escape = path.join(copy, "escape.ts");
    fs.writeFileSync(
      escape,
      'import { isReadOnlyAction } from "../components/iamActions";\nexport const read = isReadOnlyAction("s3:GetObject");\n',
    );
    try {
      const typecheck = await npm(["run", "typecheck"]);
      assert.notEqual(typecheck.code, 0, typecheck.output);
      assert.match(typecheck.output, /Cannot find module '\.\.\/components\/iamActions'/);
    } finally {
      fs.rmSync(escape);
    }
  });
});
