/**
 * The README is what a newcomer follows: its set-up, plan and test commands are exactly what CI runs (`.ci/run`
 * and the workflows' test jobs), npm refuses a Node.js older than the one the README asks for, and the generated
 * configuration reference (docs/configuration.md) matches the schema (run `npm run docs:config` when it does not).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { configReference, REFERENCE_FILE, withReference } from "../devtools/config-reference";
import { sections } from "../stacks/schema";
import { addOns } from "../components/addOns";
import { charts } from "../components/versions";
import { npmCommand } from "../devtools/npm";
import { ROOT } from "./helpers/cli";
import { runPlan } from "./helpers/stacks";
import { runTool } from "./helpers/cli";
import { nodeVersionProblem } from "../runtime/node-version";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const readme = read("README.md");
const reference = fs.readFileSync(REFERENCE_FILE, "utf8");

/** The commands of the first `sh` block under a heading, comments and blank lines dropped. */
function commandsUnder(markdown: string, heading: string): string[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  assert.ok(section, `README has a "## ${heading}" section`);
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, `"## ${heading}" has a sh block`);
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

/** The commands `.ci/run` runs after it has provided Node: every top-level line that starts with `npm `. */
const ciCommands = (script: string): string[] =>
  script
    .split("\n")
    .filter((l) => /^npm /.test(l))
    .map((l) => l.trim());

describe("README commands", () => {
  const quickStart = commandsUnder(readme, "Quick start");

  test("the quick start is set-up, plan, test", () => {
    assert.deepEqual(quickStart, ["npm ci", "npm run plan -- dev", "npm test"]);
  });

  test(".ci/run runs exactly the README's commands, in order", () => {
    assert.deepEqual(ciCommands(read(".ci/run")), quickStart);
  });

  test("the comparison notices a command that differs", () => {
    const drifted = read(".ci/run").replace(/^npm ci$/m, "npm ci --prefix policy");
    assert.notDeepEqual(ciCommands(drifted), quickStart);
  });

  test("the workflows' test jobs run the README's set-up and test commands", () => {
    for (const file of ["pull-request.yml", "deploy.yml"]) {
      const wf = parse(read(path.join(".github", "workflows", file))) as {
        jobs: { test: { steps: { run?: string }[] } };
      };
      const runs = wf.jobs.test.steps.flatMap((s) => (s.run ? [s.run] : []));
      assert.deepEqual(
        runs,
        quickStart.filter((c) => !c.startsWith("npm run plan")),
        file,
      );
    }
  });
});

describe("README tables", () => {
  /** The rows of the markdown table that starts with a header row beginning `| <first> `. */
  const rows = (first: string): string[] => {
    const at = readme.indexOf(`\n| ${first} `);
    assert.ok(at >= 0, `a table headed ${first}`);
    return readme
      .slice(at + 1)
      .split("\n\n")[0]
      .split("\n")
      .slice(2);
  };

  test("the pieces table has a row for every add-on and for the workload roles", () => {
    const pieces = rows("Piece");
    for (const key of [...addOns.map((a) => a.key), "iam"]) {
      assert.ok(
        pieces.some((r) => new RegExp(`\\(\`${key}\`\\) +\\|`).test(r)),
        `a row ending its description with (\`${key}\`)`,
      );
    }
  });

  test("the versions table lists every pinned chart with its version and app version", () => {
    const versions = rows("Chart");
    for (const [name, pin] of Object.entries(charts)) {
      const short = pin.chart.split("/").at(-1)!;
      const row = versions.find((r) => r.startsWith(`| \`${short}\``));
      assert.ok(row, `${name}: a row for ${short}`);
      assert.match(
        row,
        new RegExp(
          `\\| ${pin.version.replace(/\./g, "\\.")} +\\| ${pin.appVersion.replace(/\./g, "\\.")} +\\|$`,
        ),
        name,
      );
    }
  });
});

describe("Node.js version", () => {
  const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;

  test("engines, .nvmrc and .node-version name the same major, and npm enforces it", () => {
    const major = /^>=(\d+)(\.\d+){0,2}$/.exec(engines)?.[1];
    assert.ok(major, engines);
    assert.equal(read(".nvmrc").trim(), major);
    assert.equal(read(".node-version").trim(), major);
    assert.match(read(".npmrc"), /^engine-strict=true$/m);
    assert.match(readme, new RegExp(`Node\\.js ${major}\\b`));
  });

  test("with the project's .npmrc, npm refuses to install on a Node.js the engines exclude", () => {
    // The same settings on a project that requires a Node.js nobody has: what a user on an old Node.js sees.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engines-"));
    try {
      fs.copyFileSync(path.join(ROOT, ".npmrc"), path.join(dir, ".npmrc"));
      fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "engines-check", version: "1.0.0", engines: { node: ">=999" } }),
      );
      // Under `npm test`, npm hands its own settings (this project's .npmrc included) to children as
      // npm_config_* variables: drop them so that only the temporary project's .npmrc counts.
      const env: NodeJS.ProcessEnv = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)),
      );
      const [command, prefix] = npmCommand();
      const run = spawnSync(command, [...prefix, "install", "--offline"], {
        cwd: dir,
        env,
        encoding: "utf8",
      });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /EBADENGINE/);
      assert.match(run.stderr, /Required: \{"node":">=999"\}/);
      // Without engine-strict npm only warns and goes on: the setting is what makes it stop.
      fs.writeFileSync(path.join(dir, ".npmrc"), "");
      const lenient = spawnSync(command, [...prefix, "install", "--offline"], {
        cwd: dir,
        env,
        encoding: "utf8",
      });
      assert.equal(lenient.status, 0, lenient.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("configuration reference", () => {
  test("docs/configuration.md matches the schema", async () => {
    assert.equal(await withReference(reference), reference, "stale: run npm run docs:config");
  });

  test("the README links the reference instead of holding it", () => {
    assert.ok(readme.includes("](docs/configuration.md)"));
    assert.ok(!readme.includes("config-reference:start"));
  });

  test("the reference lists every top-level key and the nested keys people set most", () => {
    const table = configReference();
    for (const key of Object.keys(sections)) {
      assert.match(table, new RegExp(`\\| \`eks-platform:${key}\` \\|`));
    }
    for (const nested of [
      "dns.centralDnsAccount.externalId",
      "ingress.instances.<key>.scheme",
      "iam.extraRoles.<key>.statements[].actions",
      "certManager.recursiveNameservers",
    ]) {
      assert.ok(table.includes(`\`eks-platform:${nested}\``), nested);
    }
  });

  test("a change to a description makes the reference stale", async () => {
    const tampered = reference.replace("Controller replicas.", "Controller pods.");
    assert.notEqual(tampered, reference);
    assert.notEqual(await withReference(tampered), tampered);
  });
});

/** Every fenced block of a markdown text: its language, its text, and the prose just before it. */
function codeBlocks(markdown: string): { lang: string; body: string; before: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1],
    body: m[2],
    before: markdown.slice(0, m.index).trimEnd().split("\n\n").at(-1) ?? "",
  }));
}

/** A section (`## heading` to the next `## `) of a markdown text. */
function section(markdown: string, heading: string): string {
  const found = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  assert.ok(found, `a "## ${heading}" section`);
  return found;
}

/** A fresh copy of the repository: the files git tracks or would track, as the working tree has them. */
function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fresh-copy-"));
  const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  }).stdout.split("\0");
  for (const file of files.filter((f) => f && fs.existsSync(path.join(ROOT, f)))) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** A command line as a person types it in `dir`: through sh, with this Node.js and its npm first in PATH. */
function shell(dir: string, command: string) {
  // npm's own settings of a surrounding `npm test`, and the test runner's context, stay out of the child.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_config_|^NODE_TEST_CONTEXT$/i.test(k)),
  );
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`;
  return spawnSync("sh", ["-c", command], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

describe("the README's environment example, run as printed in a fresh copy of the repository", () => {
  test("the stack file it shows, then its commands: it plans, its team role is named as it says, the tests pass", () => {
    const environments = section(readme, "Environments");
    // The stack files the section shows: a yaml block introduced by "`Pulumi.<stack>.yaml`:".
    const files = codeBlocks(environments).flatMap((b) => {
      const file = /`(Pulumi\.[\w-]+\.yaml)`:$/.exec(b.before)?.[1];
      return b.lang === "yaml" && file ? [{ file, text: b.body }] : [];
    });
    assert.equal(files.length, 1, "the section shows one stack file");
    const [{ file, text }] = files;
    const stack = file.slice("Pulumi.".length, -".yaml".length);
    // Its commands: the sh blocks (the follow-up step), then the ones the prose names, in the order printed.
    // (A command the prose only names, whose full form a block prints, runs in that form.)
    const blocks = codeBlocks(environments)
      .filter((b) => b.lang === "sh")
      .flatMap((b) => b.body.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()))
      .filter(Boolean);
    const named = [...environments.replace(/^```[\s\S]*?^```$/gm, "").matchAll(/`(npm run [^`]+)`/g)]
      .map((m) => m[1])
      .filter((c) => !blocks.some((b) => b.startsWith(`${c} `)));
    const commands = [...blocks, ...named];
    assert.ok(commands.includes("npm run test:snapshots"), commands.join(", "));
    assert.ok(commands.includes(`npm run plan -- ${stack}`), commands.join(", "));

    const dir = freshCopy();
    try {
      assert.equal(fs.existsSync(path.join(dir, file)), false, `${file} is not a real stack file yet`);
      fs.writeFileSync(path.join(dir, file), text);
      const output: Record<string, string> = {};
      for (const command of commands) {
        const run = shell(dir, command);
        assert.equal(run.status, 0, `${command}:\n${run.stdout}\n${run.stderr}`);
        output[command] = run.stdout;
      }
      // The team role the example declares is named <environment>-<key>-<namespace>, as the README says.
      const config = (parse(text) as { config: Record<string, unknown> }).config;
      const roles = (config["eks-platform:iam"] as { extraRoles: Record<string, { namespace: string }> })
        .extraRoles;
      assert.match(environments, /named `?<environment>-<key>-<namespace>`?/);
      for (const [key, role] of Object.entries(roles)) {
        const name = `${String(config["eks-platform:environment"])}-${key}-${role.namespace}`;
        assert.match(
          output[`npm run plan -- ${stack}`],
          new RegExp(`^ {2}${key} +arn:aws:iam::\\S+:role/${name}$`, "m"),
        );
      }
      // Then what CI runs on it passes: the tests that read every real stack file, this one among them.
      const readers = fs
        .readdirSync(path.join(dir, "tests"))
        .filter((f) => f.endsWith(".test.ts") && f !== "readme.test.ts")
        .filter((f) =>
          /\b(stackNames|discoverStacks)\(/.test(fs.readFileSync(path.join(dir, "tests", f), "utf8")),
        )
        .map((f) => `tests/${f}`);
      assert.ok(
        readers.includes("tests/stacks.test.ts") && readers.includes("tests/workflows.test.ts"),
        readers.join(),
      );
      const tests = shell(
        dir,
        `node --require ./runtime/transpile.ts --test --test-concurrency=2 ${readers.join(" ")}`,
      );
      assert.equal(tests.status, 0, `${readers.join(" ")}:\n${tests.stdout.slice(-6000)}\n${tests.stderr}`);
      assert.match(tests.stdout, new RegExp(`${stack}: the full plan matches its snapshot`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a new environment's stack file (npm run new-stack)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-stack-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const answers = [
    "--region",
    "eu-west-1",
    "--cluster",
    "uat-eks",
    "--public-zone",
    "uat.example.com=Z0123UATPUBLIC01",
    "--private-zone",
    "uat.internal.example.com=Z0123UATPRIVAT01",
    "--email",
    "platform-team@acme-corp.com",
    "--dir",
    dir,
  ];

  test("no doc offers pulumi new for a new environment: it makes a new project, not a stack of this one", () => {
    assert.doesNotMatch(read("Pulumi.yaml"), /^template:/m);
    for (const file of ["README.md", "docs/deploy.md"]) {
      assert.doesNotMatch(read(file), /`pulumi new`[^.]*asks/, file);
    }
  });

  test("writes a stack file from the answers that plans with them, and never overwrites one", async () => {
    const run = await runTool("commands/new-stack.ts", ["uat", ...answers, "--tier", "prod"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Wrote .*Pulumi\.uat\.yaml\. Next:\n {2}npm run plan -- uat /);
    const file = path.join(dir, "Pulumi.uat.yaml");
    const plan = await runPlan(["uat", "--stack-file", file, "--out", dir, "--quiet"]);
    assert.equal(plan.code, 0, plan.stderr);
    const outputs = (
      JSON.parse(fs.readFileSync(path.join(dir, "uat.json"), "utf8")) as { outputs: Record<string, unknown> }
    ).outputs;
    assert.deepEqual(
      [outputs.environment, outputs.tier, outputs.clusterName, outputs.externalDnsZoneIds],
      ["uat", "prod", "uat-eks", { central: ["Z0123UATPUBLIC01"], private: ["Z0123UATPRIVAT01"] }],
    );
    const before = fs.readFileSync(file, "utf8");
    const again = await runTool("commands/new-stack.ts", ["uat", ...answers]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists already/);
    assert.equal(fs.readFileSync(file, "utf8"), before);
  });

  test("bad answers: every problem in the project's report, nothing written", async () => {
    const bad = answers.map((a) =>
      a === "uat-eks" ? "uat eks" : a === "platform-team@acme-corp.com" ? "x" : a,
    );
    const run = await runTool("commands/new-stack.ts", ["qa", ...bad, "--tier", "qa"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Stack 'qa' configuration has 3 problems/);
    assert.match(run.stderr, /eks-platform:tier \(got "qa"\)/);
    assert.match(run.stderr, /eks-platform:cluster\.name \(got "uat eks"\)/);
    assert.match(run.stderr, /eks-platform:certManager\.email \(got "x"\)/);
    assert.equal(fs.existsSync(path.join(dir, "Pulumi.qa.yaml")), false);
  });

  test("--help lists every option; a missing answer or an unknown option is a usage error", async () => {
    const help = await runTool("commands/new-stack.ts", ["--help"]);
    assert.equal(help.code, 0);
    for (const flag of [
      "--region",
      "--cluster",
      "--public-zone",
      "--private-zone",
      "--email",
      "--tier",
      "--dir",
    ]) {
      assert.match(help.stdout, new RegExp(`^ {2}${flag} `, "m"), flag);
    }
    const missing = await runTool("commands/new-stack.ts", ["qa", "--dir", dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^npm run new-stack needs --region, --cluster, --public-zone, --email/);
    const unknown = await runTool("commands/new-stack.ts", ["qa", "--zone", "x"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^unknown option --zone/);
  });
});

describe("npm test on an old Node.js", () => {
  const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
  test("names the version it needs and how to switch, instead of failing on a glob", () => {
    const problem = nodeVersionProblem("v20.20.2", ">=22.18");
    assert.match(problem ?? "", /needs Node\.js >=22\.18 .*this is Node\.js v20\.20\.2/);
    assert.match(problem ?? "", /\.nvmrc/);
    // 22.17 has the major but not Node's type stripping by default, which runtime/transpile.ts needs.
    assert.match(nodeVersionProblem("v22.17.0", ">=22.18") ?? "", /this is Node\.js v22\.17\.0/);
    assert.equal(nodeVersionProblem("v22.18.0", ">=22.18"), undefined);
    assert.equal(nodeVersionProblem("v22.23.3", ">=22.18"), undefined);
    assert.equal(nodeVersionProblem("v24.1.0", ">=22.18"), undefined);
    assert.equal(nodeVersionProblem("v23.0.0", ">=22.18"), undefined);
    assert.match(nodeVersionProblem("v21.9.0", ">=22") ?? "", /needs Node\.js >=22 /);
  });

  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
  const COMMANDS = ["plan", "plan:diff", "stacks", "doctor"];

  test("npm test, npm run test:unit and the commands people run check the version first", () => {
    for (const name of ["test", "test:unit", ...COMMANDS]) {
      assert.match(scripts[name], /^node --import tsx runtime\/node-version\.ts && /, name);
    }
  });

  /** A Node.js on this machine that the engines exclude (such as a distribution's Node 20), if there is one. */
  const oldNode = [
    ...(spawnSync("which", ["-a", "node"], { encoding: "utf8" }).stdout ?? "").split("\n"),
    "/usr/bin/node",
    "/usr/local/bin/node",
  ]
    .filter((f) => f && fs.existsSync(f))
    .map((file) => ({ file, version: spawnSync(file, ["--version"], { encoding: "utf8" }).stdout.trim() }))
    .find((n) => nodeVersionProblem(n.version, engines) !== undefined);

  test(
    "on an older Node.js, npm run plan, plan:diff, stacks and doctor print the version message",
    { skip: oldNode ? false : "no Node.js older than the engines on this machine" },
    () => {
      // What `npm run <name> -- dev` does: the script, run by sh in the project, with that node first in PATH.
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), "old-node-"));
      try {
        fs.symlinkSync(oldNode!.file, path.join(bin, "node"));
        for (const name of COMMANDS) {
          const run = spawnSync("sh", ["-c", `${scripts[name]} dev`], {
            cwd: ROOT,
            env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
            encoding: "utf8",
          });
          assert.equal(run.status, 1, name);
          assert.equal(run.stderr, `${nodeVersionProblem(oldNode!.version, engines)}\n`, name);
          assert.doesNotMatch(run.stderr, /SyntaxError/, name);
        }
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    },
  );
});
