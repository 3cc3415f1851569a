/**
 * commands/plan-diff.ts: two small hand-made plans in, the Markdown a pull request's summary shows out; and
 * `npm run plan:diff` (commands/plan-diff-rev.ts) on a repository of its own, working tree against a revision.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  changedPaths,
  contrast,
  diffPlans,
  parsePlan,
  renderDiff,
  renderWithoutBase,
  type PlanFile,
  type PlanResource,
} from "../commands/plan-diff";
import { planCommandOf } from "../commands/plan-diff-rev";
import { ROOT } from "./helpers/cli";

const resource = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  custom = true,
): PlanResource => ({
  id: `${type}::${name}`,
  type,
  name,
  custom,
  dependsOn: [],
  inputs,
});

const policy = (actions: string[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

const base: PlanFile = {
  project: "eks-platform",
  stack: "dev",
  resources: [
    resource("eks-platform:iam:IrsaRole", "cert-manager", {}, false),
    resource("aws:iam/policy:Policy", "dev-cert-manager", { policy: policy(["route53:GetChange"]) }),
    resource("kubernetes:helm.sh/v3:Release", "ingress-public", {
      version: "4.11.0",
      values: { controller: { replicaCount: 2 } },
    }),
    resource("kubernetes:core/v1:Namespace", "legacy", { metadata: { name: "legacy" } }),
    resource("kubernetes:core/v1:Namespace", "platform", { metadata: { name: "platform" } }),
  ],
  outputs: { clusterName: "dev-eks", environment: "dev", oldOutput: 1 },
};

const head: PlanFile = {
  ...base,
  resources: [
    resource("eks-platform:iam:IrsaRole", "cert-manager", {}, false),
    resource("aws:iam/policy:Policy", "dev-cert-manager", {
      policy: policy(["route53:GetChange", "route53:ListHostedZones"]),
    }),
    resource("kubernetes:helm.sh/v3:Release", "ingress-public", {
      version: "4.12.1",
      values: { controller: { replicaCount: 3 } },
    }),
    resource("kubernetes:core/v1:Namespace", "platform", { metadata: { name: "platform" } }),
    resource("aws:iam/role:Role", "dev-external-dns", { name: "dev-external-dns" }),
  ],
  outputs: { clusterName: "dev-eks-2", environment: "dev", newOutput: ["a", "b"] },
};

describe("plan-diff", () => {
  test("changedPaths walks objects and arrays and compares JSON strings as structures", () => {
    assert.deepEqual(changedPaths({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3, 4] } }), [
      "b.c[1]",
      "b.c[2]",
    ]);
    assert.deepEqual(changedPaths({ p: policy(["x"]) }, { p: policy(["y"]) }), ["p.Statement[0].Action[0]"]);
    assert.deepEqual(changedPaths({ a: 1 }, { b: 1 }), ["a", "b"]);
    assert.deepEqual(changedPaths("same", "same"), []);
    assert.deepEqual(changedPaths(1, 2), ["(value)"]);
  });

  test("diffPlans sorts resources into added, removed, changed and unchanged, and outputs likewise", () => {
    const diff = diffPlans(base, head);
    assert.deepEqual(
      diff.added.map((r) => r.id),
      ["aws:iam/role:Role::dev-external-dns"],
    );
    assert.deepEqual(
      diff.removed.map((r) => r.id),
      ["kubernetes:core/v1:Namespace::legacy"],
    );
    assert.deepEqual(
      diff.changed.map((r) => [r.id, r.paths]),
      [
        ["aws:iam/policy:Policy::dev-cert-manager", ["inputs.policy.Statement[0].Action[1]"]],
        [
          "kubernetes:helm.sh/v3:Release::ingress-public",
          ["inputs.values.controller.replicaCount", "inputs.version"],
        ],
      ],
    );
    assert.equal(diff.unchanged, 2);
    assert.deepEqual(diff.outputsAdded, [{ name: "newOutput", value: ["a", "b"] }]);
    assert.deepEqual(diff.outputsRemoved, ["oldOutput"]);
    assert.deepEqual(diff.outputsChanged, [
      {
        name: "clusterName",
        before: "dev-eks",
        after: "dev-eks-2",
        changes: [{ path: "(value)", before: "dev-eks", after: "dev-eks-2" }],
      },
    ]);
    assert.deepEqual(diff.changed[1].changes, [
      { path: "inputs.values.controller.replicaCount", before: 2, after: 3 },
      { path: "inputs.version", before: "4.11.0", after: "4.12.1" },
    ]);
    assert.deepEqual(diff.changed[0].changes, [
      { path: "inputs.policy.Statement[0].Action[1]", before: undefined, after: "route53:ListHostedZones" },
    ]);
  });

  test("renderDiff prints the expected Markdown", () => {
    assert.equal(
      renderDiff(diffPlans(base, head)),
      [
        "### Offline plan diff: `dev`",
        "",
        "**Resources:** 1 added, 1 removed, 2 changed, 2 unchanged. **Outputs:** 1 added, 1 removed, 1 changed.",
        "",
        "#### Added resources",
        "",
        "- `aws:iam/role:Role` **dev-external-dns**",
        "",
        "#### Removed resources",
        "",
        "- `kubernetes:core/v1:Namespace` **legacy**",
        "",
        "#### Changed resources",
        "",
        "- `aws:iam/policy:Policy` **dev-cert-manager**",
        "  - `inputs.policy.Statement[0].Action[1]`: `(none)` → `route53:ListHostedZones`",
        "- `kubernetes:helm.sh/v3:Release` **ingress-public**",
        "  - `inputs.values.controller.replicaCount`: `2` → `3`",
        "  - `inputs.version`: `4.11.0` → `4.12.1`",
        "",
        "#### Changed outputs",
        "",
        '- added `newOutput`: `["a","b"]`',
        "- removed `oldOutput`",
        "- `clusterName`: `dev-eks` → `dev-eks-2`",
        "",
      ].join("\n"),
    );
  });

  test("identical plans say so in one line", () => {
    assert.equal(
      renderDiff(diffPlans(head, head), "Plan of dev"),
      "### Plan of dev\n\nNo changes: the head plan matches the base plan (5 resources unchanged).\n",
    );
  });

  test("long change lists are cut after eight values, saying how many more", () => {
    const wide = (n: number) => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, n]));
    const a = { ...base, resources: [resource("t:m:R", "r", wide(1))], outputs: {} };
    const b = { ...base, resources: [resource("t:m:R", "r", wide(2))], outputs: {} };
    const lines = renderDiff(diffPlans(a, b)).split("\n");
    const at = lines.indexOf("- `t:m:R` **r**");
    assert.deepEqual(lines.slice(at + 1, at + 11), [
      ...Array.from({ length: 8 }, (_, i) => `  - \`inputs.k${i}\`: \`1\` → \`2\``),
      "  - and 2 more",
      "",
    ]);
  });

  test("two long values that differ late are cut around the difference, never looking the same", () => {
    const pem = (tail: string) =>
      `-----BEGIN CERTIFICATE-----\n${"A".repeat(300)}${tail}\n-----END CERTIFICATE-----`;
    const shown = contrast(pem("xyz"), pem("XYZ"));
    const [before, after] = shown.split(" → ");
    assert.notEqual(before, after);
    assert.match(before, /^`….*xyz.*…?`$/);
    assert.match(after, /^`….*XYZ.*…?`$/);
    assert.doesNotMatch(shown, /\n/);
    assert.ok(before.length <= 124, before);
    // Short values are shown whole; backticks cannot break the inline code.
    assert.equal(contrast("a`b", "c"), "`a'b` → `c`");
    assert.equal(contrast(undefined, ["x"]), '`(none)` → `["x"]`');
  });

  test("a changed map output lists the keys that changed, with values", () => {
    const a = { ...base, resources: [], outputs: { irsaRoleArns: { app: "arn:1", web: "arn:2" } } };
    const b = {
      ...base,
      resources: [],
      outputs: { irsaRoleArns: { app: "arn:1", web: "arn:3", api: "arn:4" } },
    };
    const lines = renderDiff(diffPlans(a, b)).split("\n");
    const at = lines.indexOf("- `irsaRoleArns`");
    assert.deepEqual(lines.slice(at + 1, at + 3), [
      "  - `api`: `(none)` → `arn:4`",
      "  - `web`: `arn:2` → `arn:3`",
    ]);
  });

  test("without a base plan the summary explains why and describes the head plan", () => {
    const text = renderWithoutBase(head, "base/dev.json does not exist");
    const lines = text.split("\n");
    assert.equal(lines[0], "### Offline plan diff: `dev`");
    assert.match(lines[2], /^> No base plan to compare with: base\/dev\.json does not exist\./);
    assert.equal(
      lines[4],
      "The head plan has 5 resources: 4 to create or read and 1 component, and 3 outputs.",
    );
  });

  test("parsePlan rejects files that are not plans", () => {
    assert.throws(() => parsePlan('{"resources": []}', "x.json"), /x\.json is not an offline plan/);
    assert.throws(() => parsePlan('{"resources": [{"id": 1}], "outputs": {}}'), /without id, type and name/);
    assert.equal(parsePlan(JSON.stringify(head)).resources.length, 5);
  });

  test("the command line: a missing base is not an error, a missing head is", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
    try {
      const baseFile = path.join(dir, "base.json");
      const headFile = path.join(dir, "head.json");
      fs.writeFileSync(baseFile, JSON.stringify(base));
      fs.writeFileSync(headFile, JSON.stringify(head));
      const cli = (...args: string[]) =>
        spawnSync(
          process.execPath,
          [
            "--require",
            path.join(ROOT, "runtime", "transpile.ts"),
            path.join(ROOT, "commands", "plan-diff.ts"),
            ...args,
          ],
          {
            encoding: "utf8",
          },
        );

      const both = cli(baseFile, headFile, "--title", "Changes to dev");
      assert.equal(both.status, 0, both.stderr);
      assert.ok(both.stdout.startsWith(renderDiff(diffPlans(base, head), "Changes to dev")), both.stdout);
      // The transition section follows (tests/plan-diff.transitions.test.ts covers it).
      assert.match(
        both.stdout,
        /#### Predicted replacements and deletions\n\n- `kubernetes:core\/v1:Namespace` \*\*legacy\*\* deleted\n$/,
      );

      const noBase = cli(path.join(dir, "absent.json"), headFile);
      assert.equal(noBase.status, 0, noBase.stderr);
      assert.match(noBase.stdout, /No base plan to compare with: .*absent\.json does not exist/);

      fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
      const brokenBase = cli(path.join(dir, "broken.json"), headFile);
      assert.equal(brokenBase.status, 0, brokenBase.stderr);
      assert.match(brokenBase.stdout, /broken\.json could not be read/);

      const noHead = cli(baseFile, path.join(dir, "absent.json"));
      assert.equal(noHead.status, 1);
      assert.match(noHead.stderr, /head plan: .*absent\.json/);

      assert.equal(cli(baseFile).status, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run plan:diff (working tree against a git revision)", () => {
  // A repository of its own: this checkout's files committed once, then changed in the working tree.
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-repo-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
      cwd: repo,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  // As `npm run plan:diff` runs it, in the copy.
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        "--require",
        path.join(repo, "runtime", "transpile.ts"),
        path.join(repo, "commands", "plan-diff-rev.ts"),
        ...args,
      ],
      { cwd: repo, encoding: "utf8" },
    );

  before(() => {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\0")
      .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(repo, f));
    }
    git("init", "--quiet");
    git("add", "-A");
    git("commit", "--quiet", "-m", "base");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
    const dev = path.join(repo, "Pulumi.dev.yaml");
    fs.writeFileSync(
      dev,
      fs.readFileSync(dev, "utf8").replace("className: nginx-public", "className: nginx-web"),
    );
    fs.copyFileSync(dev, path.join(repo, "Pulumi.sandbox.yaml"));
  });

  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  test("shows each changed value old -> new and leaves no worktree behind", () => {
    const run = cli("dev");
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split("\n");
    assert.match(lines[0], /^### Offline plan of dev: HEAD \([0-9a-f]{12}\) → working tree$/);
    assert.ok(
      lines.includes("  - `inputs.values.controller.ingressClass.name`: `nginx-public` → `nginx-web`"),
      run.stdout,
    );
    assert.ok(lines.includes("- `publicIngressClass`: `nginx-public` → `nginx-web`"), run.stdout);
    assert.equal(git("worktree", "list").trim().split("\n").length, 1, "the temporary worktree is removed");
  });

  test("a stack the revision does not have is described alone; a bad revision is refused", () => {
    const added = cli("sandbox", "HEAD");
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /No base plan to compare with: HEAD could not plan sandbox \(no stack file/);
    const bad = cli("dev", "no-such-rev");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no-such-rev is not a git revision/);
    assert.equal(cli().status, 2);
  });
});

describe("plan:diff against a revision of the earlier layout", () => {
  test("plans it with its tools/plan.ts, and the current layout with commands/plan.ts", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layout-"));
    try {
      fs.mkdirSync(path.join(dir, "tools"));
      fs.writeFileSync(path.join(dir, "tools", "plan.ts"), "");
      assert.equal(planCommandOf(dir), path.join(dir, "tools", "plan.ts"));
      fs.mkdirSync(path.join(dir, "commands"));
      fs.writeFileSync(path.join(dir, "commands", "plan.ts"), "");
      assert.equal(planCommandOf(dir), path.join(dir, "commands", "plan.ts"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
