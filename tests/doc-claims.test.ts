/**
 * What the README and the documents say about the repository holds: every relative link and every repository
 * path they name exists (read at test time, so a rewritten document is checked too), and the facts they state
 * about versions, outputs, rules and defaults are the ones the code has. A claim a test cannot hold is named
 * as such in the document, not here.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { charts, nginxIngressCrds } from "../components/versions";
import { tierDefaults } from "../model/defaults";
import { ingressServiceName } from "../model/naming";
import { configReference } from "../devtools/config-reference";
import { FIX_PACK, FIX_ROOT } from "../devtools/policy-pack-lockfiles";
import { CONTRACT_VERSION, outputContract } from "../stacks/outputs";
import { sections } from "../stacks/schema";
import * as packFacts from "../policy/facts";
import { resourceRules, stackRules } from "../policy/rules";
import * as programIam from "../model/iamActions";
import { ROOT } from "./helpers/cli";
import { planRun, runPlan } from "./helpers/stacks";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The Markdown documents of the repository: the README, docs/, and the READMEs of the pack and the packages. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
  const readmes = ["policy/README.md", "packages/contract/README.md", "examples/consumer/README.md"];
  return ["README.md", ...docs, ...readmes.filter((f) => fs.existsSync(path.join(ROOT, f)))];
}

export interface Reference {
  /** Document and 1-based line the reference is on. */
  file: string;
  line: number;
  /** As written (a link target, or a path). */
  target: string;
  kind: "link" | "path";
}

/** Entries of the repository's root that name its own folders and files (what a repository path starts with). */
const rootEntries = (): Set<string> =>
  new Set(fs.readdirSync(ROOT).filter((e) => e !== "node_modules" && e !== ".git"));

/** Folders Git ignores (build output, plans): a document may name them though they need not exist. */
const ignoredPrefixes = (): string[] =>
  read(".gitignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#") && !l.includes("*"))
    .map((l) => l.replace(/^\//, ""));

/**
 * Relative links (`[x](target)`) and repository paths in a document. A path is a backticked token or a bare
 * word of the form `<root entry>/...` (such as `components/versions.ts`, `tests/layout.test.ts`), or a
 * backticked root file (`package.json`). Placeholders (`<stack>`, `*`, `...`) are not paths.
 */
export function referencesIn(file: string, markdown: string, roots: Set<string>): Reference[] {
  const refs: Reference[] = [];
  const isPlaceholder = (t: string) => /[<>*{}$]|\.\.\./.test(t);
  markdown.split("\n").forEach((text, i) => {
    const line = i + 1;
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      refs.push({ file, line, target, kind: "link" });
    }
    const withoutLinks = text.replace(/\]\([^)\s]+\)/g, "]").replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, "");
    const candidates = new Set<string>();
    for (const m of withoutLinks.matchAll(/`([^`\s]+)`/g)) candidates.add(m[1]);
    for (const m of withoutLinks.matchAll(/(?<![\w./:@<-])((?:\.\/)?\.?[\w-]+\/[\w./-]*)/g))
      candidates.add(m[1]);
    for (const raw of candidates) {
      const target = raw.replace(/^\.\//, "").replace(/[.,:;)]+$/, "");
      if (!target || isPlaceholder(target) || target.startsWith("@")) continue;
      const first = target.split("/")[0];
      const isRootFile = !target.includes("/") && roots.has(target);
      if (!isRootFile && !(target.includes("/") && roots.has(first))) continue;
      refs.push({ file, line, target, kind: "path" });
    }
  });
  return refs;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to `-`; repeats get `-1`, `-2`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/`/g, "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Why a reference does not resolve, or undefined when it does. */
export function brokenReason(
  ref: Reference,
  exists: (p: string) => boolean,
  readDoc: (p: string) => string,
  ignored: string[],
): string | undefined {
  const docDir = path.posix.dirname(ref.file);
  if (ref.kind === "link") {
    const [rel, anchor] = ref.target.split("#");
    const target = rel ? path.posix.normalize(path.posix.join(docDir, rel)) : ref.file;
    if (!exists(target)) return `${target} does not exist`;
    if (anchor && target.endsWith(".md") && !anchorsOf(readDoc(target)).has(anchor)) {
      return `${target} has no heading with anchor #${anchor}`;
    }
    return undefined;
  }
  const target = ref.target;
  if (
    ignored.some((p) => target === p.replace(/\/$/, "") || target.startsWith(p.endsWith("/") ? p : `${p}/`))
  ) {
    return undefined;
  }
  // Repository paths are from the root; a folder's own README may also name its files relative to itself.
  if (exists(target) || exists(path.posix.join(docDir, target))) return undefined;
  return `${target} exists neither at the repository root nor in ${docDir}/`;
}

/**
 * Paths that are not this repository's: a file of another project whose first folder happens to share a name
 * with one here. Each names the document and why; it is allowed only there.
 */
const FOREIGN: readonly { file: string; target: string; why: string }[] = [
  {
    file: "docs/architecture.md",
    target: "docs/install/iam_policy.json",
    why: "the AWS Load Balancer Controller's repository",
  },
  { file: "docs/contributing.md", target: "runtime/debuggable.js", why: "a file of @pulumi/pulumi" },
  { file: "docs/architecture.md", target: "docs/flags.md", why: "external-dns' repository" },
  {
    file: "docs/operations.md",
    target: "docs/deploy/pod_readiness_gate.md",
    why: "the AWS Load Balancer Controller's repository",
  },
];

/**
 * Known wrong references in documents being rewritten elsewhere; each entry must still be wrong (so a fixed
 * one is removed from this list) and must be corrected in its document.
 */
const KNOWN_BROKEN: readonly { file: string; target: string }[] = [];

describe("links and paths in the documents", () => {
  const roots = rootEntries();
  const ignored = ignoredPrefixes();
  const exists = (p: string) => fs.existsSync(path.join(ROOT, p));
  const refs = documents().flatMap((file) => referencesIn(file, read(file), roots));
  const isListed = (list: readonly { file: string; target: string }[], r: Reference) =>
    list.some((e) => e.file === r.file && e.target === r.target);

  test("the scan finds the references it is meant to", () => {
    // A scan that finds nothing would pass every document: these are named today and must be seen.
    const seen = (file: string, target: string) => refs.some((r) => r.file === file && r.target === target);
    assert.ok(seen("README.md", "components/versions.ts"));
    assert.ok(seen("README.md", "tests/layout.test.ts"));
    assert.ok(seen("README.md", "docs/contributing.md#how-fast-and-where-the-time-goes"));
    assert.ok(seen("docs/architecture.md", "model/partition.ts"));
    assert.ok(seen("policy/README.md", "tests/policy.drift.test.ts"));
    assert.ok(refs.length > 100, `${refs.length} references`);
  });

  test("every relative link and every repository path exists (and every anchor is a heading)", () => {
    const broken = refs
      .filter((r) => !isListed(FOREIGN, r) && !isListed(KNOWN_BROKEN, r))
      .flatMap((r) => {
        const why = brokenReason(r, exists, read, ignored);
        return why ? [`${r.file}:${r.line}: ${r.kind} ${r.target}: ${why}`] : [];
      });
    assert.deepEqual(broken, []);
  });

  test("the known wrong references are still there and still wrong (remove fixed ones from the list)", () => {
    for (const entry of KNOWN_BROKEN) {
      const found = refs.filter((r) => r.file === entry.file && r.target === entry.target);
      assert.ok(
        found.length > 0,
        `${entry.file} no longer names ${entry.target}: remove it from KNOWN_BROKEN`,
      );
      for (const r of found) assert.ok(brokenReason(r, exists, read, ignored), `${entry.target} now exists`);
    }
  });

  test("a name said to be in a repository file (`runPlan` in tests/helpers/stacks.ts, `model/iam.ts` `x`) is in it", () => {
    const missing: string[] = [];
    let checked = 0;
    for (const file of documents()) {
      const text = read(file).replace(/\s+/g, " ");
      const pairs = [
        ...[...text.matchAll(/`([A-Za-z_]\w*)(?:\.\w+)*(?:\(\))?` in `?([\w./-]+\.ts)\b/g)].map((m) => [
          m[2],
          m[1],
        ]),
        ...[...text.matchAll(/`?([\w./-]+\.ts)`? `([A-Za-z_]\w*)(?:\.\w+)*(?:\(\))?`/g)].map((m) => [
          m[1],
          m[2],
        ]),
      ];
      for (const [source, name] of pairs) {
        const local = [source, path.posix.join(path.posix.dirname(file), source)].find((p) =>
          fs.existsSync(path.join(ROOT, p)),
        );
        if (!local) continue; // not a file of this repository: the path check above decides
        checked++;
        if (!new RegExp(`\\b${name}\\b`).test(read(local)))
          missing.push(`${file}: ${name} is not in ${local}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(checked >= 3, `${checked} names`);
  });

  test("the check reports a missing file, a missing anchor and a wrong path, and leaves the rest alone", () => {
    const doc = [
      "See [the guide](docs/nowhere.md) and [contributing](docs/contributing.md#no-such-heading).",
      "Pins are in `components/versions.ts`; the old `components/iamActions.ts` is gone, as is tests/gone.test.ts.",
      "Not paths: `plan/<stack>.json`, `tests/*.test.ts`, `eks.amazonaws.com/role-arn`, https://example.com/tests/x.ts.",
      "Ignored output: `packages/contract/dist/`.",
    ].join("\n");
    const found = referencesIn("README.md", doc, roots).flatMap((r) => {
      const why = brokenReason(r, exists, read, ignored);
      return why ? [r.target] : [];
    });
    assert.deepEqual(found.sort(), [
      "components/iamActions.ts",
      "docs/contributing.md#no-such-heading",
      "docs/nowhere.md",
      "tests/gone.test.ts",
    ]);
  });

  test("anchors follow GitHub's rule", () => {
    const anchors = anchorsOf(
      "# A `b` c\n## How fast, and where the time goes\n## Dup\n## Dup\n```\n# not\n```\n",
    );
    assert.deepEqual([...anchors], ["a-b-c", "how-fast-and-where-the-time-goes", "dup", "dup-1"]);
  });
});

/**
 * Does a configuration key as a document writes it (`<key>` for any map key, a final `*` for any sub-key) name a
 * key of the reference?
 */
export function namesReferenceKey(written: string, reference: readonly string[]): boolean {
  const parts = written.replace(/\.\*$/, "").split(".");
  const isPlaceholder = (x: string) => /^<[^>]+>$/.test(x);
  // A placeholder matches any segment, and a concrete map key (`orders-api`) matches the reference's `<key>`.
  const segmentMatches = (w: string, r: string) => w === r || isPlaceholder(w) || isPlaceholder(r);
  return reference.some((key) => {
    const ref = key.split(".");
    // A trailing placeholder may stand for the entries of a map the reference lists as one key.
    const trimmed = [...parts];
    while (trimmed.length > ref.length && /^<[^>]+>$/.test(trimmed[trimmed.length - 1])) trimmed.pop();
    // The written key is a reference key, or the start of one (a section or map entry whose fields are listed).
    if (ref.length < trimmed.length) return false;
    return trimmed.every((w, i) => segmentMatches(w, ref[i]));
  });
}

describe("configuration keys in the documents", () => {
  const reference = [...configReference().matchAll(/\| `eks-platform:([^`]+)`(?: \(mode \w+\))? +\|/g)].map(
    (m) => m[1],
  );
  const sectionKeys = Object.keys(sections);

  test("every key a document names (such as `certManager.http01`) is in the configuration reference", () => {
    const unknown: string[] = [];
    let checked = 0;
    for (const file of documents()) {
      read(file)
        .split("\n")
        .forEach((text, i) => {
          for (const m of text.matchAll(/`(?:eks-platform:)?([a-zA-Z]+(?:\.[\w<>[\]*-]+)+)`/g)) {
            const key = m[1];
            if (!sectionKeys.includes(key.split(".")[0]) || /\.(ts|md|json|ya?ml)$/.test(key)) continue;
            checked++;
            if (!namesReferenceKey(key, reference)) unknown.push(`${file}:${i + 1}: ${key}`);
          }
        });
    }
    assert.deepEqual(unknown, []);
    assert.ok(checked > 40, `${checked} keys`);
  });

  test("the matcher takes placeholders and sub-keys, and refuses a key that does not exist", () => {
    assert.ok(reference.length > 50);
    assert.ok(namesReferenceKey("ingress.instances.<key>.enableCustomResources", reference));
    assert.ok(namesReferenceKey("externalDns.<instance>.domainFilters", reference));
    assert.ok(namesReferenceKey("iam.roleBindings.<key>", reference));
    assert.ok(namesReferenceKey("certManager.internalCa.*", reference));
    assert.ok(!namesReferenceKey("certManager.http01Class", reference));
    assert.ok(!namesReferenceKey("externalDns.<instance>.zoneFilters", reference));
  });
});

/** Paths in source comments that are files of upstream projects (cited as sources), not of this repository. */
const UPSTREAM_PATHS: Readonly<Record<string, string>> = {
  "docs/install/iam_policy.json": "kubernetes-sigs/aws-load-balancer-controller",
  "docs/configuration/acme/dns01/route53.md": "cert-manager's website",
  "docs/tutorials/aws.md": "kubernetes-sigs/external-dns",
  "docs/flags.md": "kubernetes-sigs/external-dns",
  "docs/deploy/pod_readiness_gate.md": "kubernetes-sigs/aws-load-balancer-controller",
  "docs/guide/service/annotations.md": "kubernetes-sigs/aws-load-balancer-controller",
  // The layout before commands/, runtime/ and devtools/, which plan:diff still plans for older revisions.
  "tools/transpile.ts": "this repository's earlier layout",
  "tools/plan.ts": "this repository's earlier layout",
};

/** The TypeScript sources, tests included (only their comments are read), without node_modules. */
function sourceFiles(dir = ""): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      return ["node_modules", ".git", "dist", "plan"].includes(e.name) ? [] : sourceFiles(rel);
    }
    return /\.(ts|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [rel] : [];
  });
}

describe("paths cited in source comments", () => {
  test("every repository path a comment cites (`tests/x.test.ts checks ...`) exists", () => {
    const roots = rootEntries();
    const missing: string[] = [];
    let checked = 0;
    // This file's own comments name wrong paths as examples.
    for (const file of sourceFiles().filter((f) => f !== "tests/doc-claims.test.ts")) {
      read(file)
        .split("\n")
        .forEach((line, i) => {
          if (!/^\s*(\/\/|\/?\*)/.test(line)) return;
          for (const m of line.matchAll(
            /(?<![\w./:@-])((?:\.\/)?[\w-]+\/[\w./-]*\.(?:ts|md|json|ya?ml))\b/g,
          )) {
            const target = m[1].replace(/^\.\//, "");
            if (!roots.has(target.split("/")[0]) || target in UPSTREAM_PATHS) continue;
            checked++;
            const here = path.posix.join(path.posix.dirname(file), target);
            if (!fs.existsSync(path.join(ROOT, target)) && !fs.existsSync(path.join(ROOT, here))) {
              missing.push(`${file}:${i + 1}: ${target}`);
            }
          }
        });
    }
    assert.deepEqual(missing, []);
    assert.ok(checked > 30, `${checked} paths`);
  });
});

/** Rows of the first Markdown table after `marker` in `markdown`: cells trimmed, header and rule dropped. */
function tableAfter(markdown: string, marker: string): string[][] {
  const start = markdown.indexOf(marker);
  assert.ok(start >= 0, `no "${marker}"`);
  const lines = markdown.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith("|")) break;
    rows.push(
      l
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
  }
  return rows.slice(2);
}

const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe("README: Versions", () => {
  const readme = read("README.md");
  test("the table lists every chart of components/versions.ts, with its version and app version", () => {
    const rows = tableAfter(readme, "## Versions");
    const listed = rows.map(([chart, version, app]) => ({ name: backticked(chart)[0], version, app }));
    const pinned = Object.values(charts).map((c) => ({
      name: c.chart.split("/").pop(),
      version: c.version,
      app: c.appVersion,
    }));
    assert.deepEqual(
      [...listed].sort((a, b) => a.name.localeCompare(b.name)),
      [...pinned].sort((a, b) => a.name!.localeCompare(b.name!)),
    );
  });
});

describe("README: every npm dependency exactly in package.json", () => {
  test("the root's and the policy pack's dependencies are exact versions", () => {
    // The contract package is a library: its ranges let consumers share one @pulumi/pulumi and zod.
    for (const file of ["package.json", "policy/package.json"]) {
      const pkg = JSON.parse(read(file)) as Record<string, Record<string, string> | undefined>;
      const ranges = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"].flatMap(
        (field) =>
          Object.entries(pkg[field] ?? {})
            .filter(([, version]) => !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version))
            .map(([name, version]) => `${file} ${field} ${name}@${version}`),
      );
      assert.deepEqual(ranges, []);
    }
  });
});

describe("docs/architecture.md: chart pins", () => {
  test("the paragraph on chart pins names every chart with its version and app version", () => {
    const doc = read("docs/architecture.md");
    const start = doc.indexOf("Chart pins are in `components/versions.ts`");
    assert.ok(start >= 0);
    const paragraph = doc.slice(start, doc.indexOf("\n\n", start)).replace(/\s+/g, " ");
    for (const c of Object.values(charts)) {
      const name = c.chart.split("/").pop()!;
      assert.ok(paragraph.includes(`\`${name}\` ${c.version} (app ${c.appVersion}`), `${name} ${c.version}`);
    }
  });
});

describe("the output contract, as the documents state it", () => {
  test("the README's table lists exactly the outputs of stacks/outputs.ts", () => {
    const rows = tableAfter(read("README.md"), "| Output ");
    const listed = rows.flatMap(([names]) => backticked(names)).sort();
    assert.deepEqual(listed, Object.keys(outputContract).sort());
  });

  test("each row of the README's table says since which version its outputs exist, as stacks/outputs.ts does", () => {
    const rows = tableAfter(read("README.md"), "| Output ");
    for (const [names, , meaning] of rows) {
      const since = new Set(
        backticked(names).map((name) => {
          const description = outputContract[name as keyof typeof outputContract].description ?? "";
          return /^(Deprecated since|Since) \d+\.\d+/.exec(description)?.[0] ?? "";
        }),
      );
      assert.equal(since.size, 1, `${names}: outputs of different versions share a row`);
      const [phrase] = [...since];
      if (phrase) assert.ok(meaning.includes(phrase), `${names}: "${phrase}"`);
      else assert.doesNotMatch(meaning, /[Ss]ince \d/, names);
    }
  });

  test("the README and docs/architecture.md name the current contract version", () => {
    assert.match(
      read("README.md"),
      new RegExp(`\\(\`contractVersion\` ${CONTRACT_VERSION.replace(".", "\\.")}\\)`),
    );
    assert.ok(
      read("docs/architecture.md").includes(`\`contractVersion\` is currently \`${CONTRACT_VERSION}\``),
    );
  });

  test("the README names exactly the files the contract package is compiled from", () => {
    const readme = read("README.md").replace(/\s+/g, " ");
    const sentence = /\(compiled from (.*?); its major version is the contract's\)/.exec(readme)?.[1] ?? "";
    const named = [...sentence.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).sort();
    // The package's entries (its tsconfig's files) and every project file they import, outside the package.
    const tsconfig = ts.parseConfigFileTextToJson("tsconfig.json", read("packages/contract/tsconfig.json"))
      .config as { files: string[] };
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { fileName } of ts.preProcessFile(read(file), true, true).importedFiles) {
        if (!fileName.startsWith(".")) continue;
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
        const found = [`${base}.ts`, `${base}/index.ts`, base].find((c) => fs.existsSync(path.join(ROOT, c)));
        if (found?.endsWith(".ts")) visit(found);
      }
    };
    tsconfig.files.forEach((f) => visit(path.posix.join("packages/contract", f)));
    const compiled = [...seen].filter((f) => !f.startsWith("packages/contract/")).sort();
    assert.deepEqual(named, compiled);
  });

  test("the contract package's major version is the contract's", () => {
    const pkg = JSON.parse(read("packages/contract/package.json")) as { version: string };
    assert.equal(pkg.version.split(".")[0], CONTRACT_VERSION.split(".")[0]);
  });
});

describe("policy/README.md", () => {
  const doc = read("policy/README.md");
  const rows = tableAfter(doc, "## Rules");

  test("the rules table lists exactly the pack's rules, stack rules marked (stack)", () => {
    const listed = rows.map(([name]) => name).sort();
    const expected = [
      ...resourceRules.map((r) => `\`${r.name}\``),
      ...stackRules.map((r) => `\`${r.name}\` (stack)`),
    ].sort();
    assert.deepEqual(listed, expected);
  });

  test("what it says is advisory is exactly the advisory rules", () => {
    const advisory = [...resourceRules, ...stackRules].filter((r) => r.enforcementLevel !== "mandatory");
    const sentence = /All rules are mandatory except (.*?), which (?:is|are) advisory\./.exec(doc)?.[1] ?? "";
    assert.deepEqual(backticked(sentence).sort(), advisory.map((r) => r.name).sort());
  });

  test("every program file facts.ts says it mirrors exists and exports what it names", async () => {
    const facts = read("policy/facts.ts");
    const mirrors = [...facts.matchAll(/mirrors ([\w./-]+\.ts) \(([^)]*)\)/g)];
    assert.ok(mirrors.length >= 3, "facts.ts names the files it mirrors");
    for (const [, file, names] of mirrors) {
      assert.ok(
        fs.existsSync(path.join(ROOT, file)),
        `policy/facts.ts mirrors ${file}, which does not exist`,
      );
      const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
      for (const name of names.split(",").map((n) => n.trim())) {
        assert.ok(name in mod, `${file} exports no ${name}`);
      }
    }
  });

  test("the two-lockfile commands are the ones npm test names when the lockfiles disagree", () => {
    const block = blockAfter(doc, "### Two lockfiles", "sh");
    const commands = block.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim());
    assert.ok(commands.includes(/`([^`]+)`/.exec(FIX_PACK)![1]), FIX_PACK);
    assert.ok(commands.includes(/`([^`]+)`/.exec(FIX_ROOT)![1]), FIX_ROOT);
  });

  test("`npm test --prefix policy` is the pack's type-check and then its tests", () => {
    const scripts = (JSON.parse(read("policy/package.json")) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.test, /^npm run typecheck && node --import tsx --test .*tests\/\*\*\/\*\.test\.ts/);
  });
});

describe("policy/README.md: what counts as a wildcard resource", () => {
  test("each example of the table gets the verdict the table gives it, from the pack and from the program", () => {
    const rows = tableAfter(read("policy/README.md"), "## What counts as a wildcard resource");
    let checked = 0;
    for (const [resources, verdict] of rows) {
      const examples = backticked(resources)
        .filter((r) => r.startsWith("arn:") || r === "*")
        .map((r) => r.replace(":...:", ":eu-west-1:123456789012:"));
      const fine = /: fine$/.test(verdict);
      for (const resource of examples) {
        for (const [who, span] of [
          ["policy/facts.ts", packFacts.wildcardSpan(resource)],
          ["model/iamActions.ts", programIam.wildcardSpan(resource)],
        ] as const) {
          assert.equal(span === undefined, fine, `${who}: ${resource} (${verdict}): ${String(span)}`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 12, `${checked} examples`);
  });
});

describe("README: Policy pack", () => {
  test("the pull-request workflow runs npm run test:policy-pack, and the script exists", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    assert.ok(scripts["test:policy-pack"]);
    assert.match(read(".github/workflows/pull-request.yml"), /^\s*- run: npm run test:policy-pack$/m);
    const workspaces = (JSON.parse(read("package.json")) as { workspaces: string[] }).workspaces;
    assert.ok(workspaces.includes("policy"), "npm ci installs the pack: it is a workspace");
    assert.ok(fs.existsSync(path.join(ROOT, "policy", "package-lock.json")));
  });
});

describe("docs/architecture.md: tier defaults", () => {
  const rows = tableAfter(read("docs/architecture.md"), "| Default (tier)");
  const row = (label: string) => {
    const found = rows.find(([first]) => first.startsWith(label));
    assert.ok(found, `no row "${label}"`);
    return { dev: found[1], prod: found[2] };
  };

  test("each row says what model/defaults.ts has", () => {
    for (const tier of ["dev", "prod"] as const) {
      const d = tierDefaults[tier];
      assert.equal(row("`protect`")[tier], String(d.protect));
      assert.match(row("Ingress controller replicas")[tier], new RegExp(`^${d.ingressReplicas}\\b`));
      assert.equal(row("Ingress PDB")[tier], d.ingressHighAvailability ? "yes" : "no");
      assert.equal(
        row("Ingress pod requests")[tier],
        `${d.ingressRequests.cpu} / ${d.ingressRequests.memory}`,
      );
      assert.match(row("external-dns `policy`")[tier], new RegExp(`^\`${d.externalDnsPolicy}\``));
      assert.equal(row("`defaultClusterIssuer`")[tier], `\`${d.defaultIssuer}\``);
      const r = d.certManagerReplicas;
      assert.equal(row("cert-manager replicas")[tier], `${r.controller} / ${r.webhook} / ${r.cainjector}`);
      assert.equal(row("cert-manager PodDisruptionBudgets")[tier], d.certManagerPdb ? "yes" : "no");
      assert.match(row("Internal CA validity")[tier], new RegExp(`^${d.caValidityHours} h`));
      const n = d.newCluster;
      assert.equal(
        row("Node group")[tier],
        `${n.instanceType}, ${n.nodes.min}/${n.nodes.desired}/${n.nodes.max}`,
      );
    }
  });
});

interface PlannedResource {
  id: string;
  protect?: boolean;
  dependsOn?: string[];
  inputs: Record<string, unknown>;
}
interface Plan {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
  invokes: { token: string }[];
}

/** The plan of a real stack file, as the documents describe the real stacks. */
async function realPlan(stack: string): Promise<Plan> {
  const { run, json } = await planRun(stack, path.join(ROOT, `Pulumi.${stack}.yaml`));
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(json!) as Plan;
}

describe("docs/architecture.md against the plans of the real stacks", () => {
  const doc = read("docs/architecture.md");

  test("every workload role of the platform is named in 'What is deployed'", async () => {
    const deployed = doc.slice(doc.indexOf("## What is deployed"), doc.indexOf("Chart pins are in"));
    for (const stack of ["dev", "prod"]) {
      const roles = (await realPlan(stack)).resources
        .filter((r) => r.id.startsWith("aws:iam/role:Role::"))
        .map((r) => r.id.split("::")[1].replace(new RegExp(`^${stack}-`), "<env>-"))
        // Team roles, `<env>-<key>-<namespace>` from iam.extraRoles.
        .filter((name) => name !== "<env>-orders-api-orders");
      assert.ok(roles.length >= 4, stack);
      for (const name of roles) assert.ok(deployed.includes(`\`${name}\``), `${stack}: ${name}`);
    }
  });

  test("releases are atomic; only the IAM roles, the namespace and the CA key are protected in prod", async () => {
    for (const stack of ["dev", "prod"]) {
      const plan = await realPlan(stack);
      for (const r of plan.resources.filter((x) => x.id.startsWith("kubernetes:helm.sh/v3:Release::"))) {
        assert.equal(r.inputs.atomic, true, r.id);
      }
      const protectedTypes = [
        ...new Set(plan.resources.filter((r) => r.protect).map((r) => r.id.split("::")[0])),
      ];
      assert.deepEqual(
        protectedTypes.sort(),
        stack === "dev"
          ? []
          : ["aws:iam/role:Role", "kubernetes:core/v1:Namespace", "tls:index/privateKey:PrivateKey"],
      );
    }
  });

  test("the ingress rows name the chart's Service and the default class", async () => {
    const plan = await realPlan("dev");
    for (const instance of ["public", "internal"]) {
      const release = `ingress-${instance}`;
      assert.ok(doc.includes(`Service \`${ingressServiceName(release)}\``), release);
      const values = plan.resources.find((r) => r.id === `kubernetes:helm.sh/v3:Release::${release}`)?.inputs
        .values as { controller: { ingressClass: { name: string; setAsDefaultIngress: boolean } } };
      const cls = values.controller.ingressClass;
      const row = doc.split("\n").find((l) => l.includes(`Helm release \`${release}\``)) ?? "";
      assert.ok(
        row.includes(`IngressClass \`${cls.name}\`${cls.setAsDefaultIngress ? " (cluster default)" : ","}`),
        row,
      );
    }
  });

  test("the values it names: the webhook TLS and the internal CA, external-dns' flags, no recursive nameservers", async () => {
    const dev = await realPlan("dev");
    const find = (plan: Plan, id: string) => {
      const r = plan.resources.find((x) => x.id === id);
      assert.ok(r, id);
      return r.inputs;
    };
    const alb = find(dev, "kubernetes:helm.sh/v3:Release::aws-load-balancer-controller").values as Record<
      string,
      unknown
    >;
    for (const key of ["clusterName", "region", "vpcId", "webhookTLS"]) assert.ok(key in alb, key);
    assert.equal(alb.enableServiceMutatorWebhook, false);
    // "ECDSA P-256, 3650 days like the chart's own, renewed by a pulumi up in their last 30 days"
    for (const key of ["aws-load-balancer-controller-webhook", "aws-load-balancer-controller-webhook-ca"]) {
      const k = find(dev, `tls:index/privateKey:PrivateKey::${key}`);
      assert.deepEqual([k.algorithm, k.ecdsaCurve], ["ECDSA", "P256"]);
    }
    const ca = find(dev, "tls:index/selfSignedCert:SelfSignedCert::aws-load-balancer-controller-webhook-ca");
    const leaf = find(
      dev,
      "tls:index/locallySignedCert:LocallySignedCert::aws-load-balancer-controller-webhook",
    );
    for (const cert of [ca, leaf])
      assert.deepEqual([cert.validityPeriodHours, cert.earlyRenewalHours], [3650 * 24, 30 * 24]);
    assert.ok(
      doc.includes("ECDSA P-256, 3650 days like the chart's own, renewed by a `pulumi up` in their last 30"),
    );
    for (const stack of ["dev", "prod"] as const) {
      const plan = await realPlan(stack);
      const key = find(plan, "tls:index/privateKey:PrivateKey::internal-ca");
      assert.deepEqual([key.algorithm, key.ecdsaCurve], ["ECDSA", "P384"]);
      assert.equal(
        find(plan, "tls:index/selfSignedCert:SelfSignedCert::internal-ca").validityPeriodHours,
        tierDefaults[stack].caValidityHours,
      );
      // "Neither stack file has such an overlap": no recursive nameservers.
      const cm = find(plan, "kubernetes:helm.sh/v3:Release::cert-manager").values as Record<string, unknown>;
      assert.equal(cm.dns01RecursiveNameservers, undefined, stack);
      const zoneIds = plan.outputs.externalDnsZoneIds as Record<string, string[]>;
      for (const instance of ["private", "central"]) {
        const v = find(plan, `kubernetes:helm.sh/v3:Release::external-dns-${instance}`).values as {
          policy?: string;
          txtOwnerId?: string;
          txtPrefix?: string;
          extraArgs: string[];
        };
        assert.ok(v.policy && v.txtOwnerId, instance);
        assert.equal(v.txtPrefix, "extdns-%{record_type}.");
        const kind = instance === "private" ? "private" : "public";
        const cls = instance === "private" ? "nginx-internal" : "nginx-public";
        assert.deepEqual(
          v.extraArgs.filter((a) => /^--(aws-zone-type|zone-id-filter|ingress-class)=/.test(a)),
          [
            `--aws-zone-type=${kind}`,
            ...zoneIds[instance].map((z) => `--zone-id-filter=${z}`),
            `--ingress-class=${cls}`,
          ],
        );
      }
    }
  });

  test("no output of the dev and prod stacks is secret", async () => {
    for (const stack of ["dev", "prod"]) assert.deepEqual((await realPlan(stack)).secretOutputs, []);
  });

  test("the ingress releases wait for the controller release and the CRDs; cert-manager waits for neither", async () => {
    const plan = await realPlan("dev");
    const deps = (id: string) => plan.resources.find((r) => r.id === id)?.dependsOn ?? [];
    for (const instance of ["public", "internal"]) {
      assert.deepEqual(deps(`kubernetes:helm.sh/v3:Release::ingress-${instance}`).sort(), [
        ...nginxIngressCrds.names.map(
          (n) => `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition::${n}`,
        ),
        "kubernetes:helm.sh/v3:Release::aws-load-balancer-controller",
      ]);
    }
    assert.deepEqual(deps("kubernetes:helm.sh/v3:Release::cert-manager"), []);
  });

  test("the stack table's cluster, ingress, IAM and controller rows are the plans'", async () => {
    const dev = await realPlan("dev");
    const prod = await realPlan("prod");
    const lookedUp = (plan: Plan) => plan.invokes.some((i) => i.token.includes("getOpenIdConnectProvider"));
    // dev: "OIDC provider ARN given"; prod: "looked up by issuer URL".
    assert.deepEqual([lookedUp(dev), lookedUp(prod)], [false, true]);
    const values = (plan: Plan, release: string) =>
      plan.resources.find((r) => r.id === `kubernetes:helm.sh/v3:Release::${release}`)?.inputs.values as {
        controller: { replicaCount: number; service: { loadBalancerSourceRanges?: string[] } };
      };
    const rows = tableAfter(doc, "What the two stack files add on top:");
    const prodCell = (label: string) => rows.find(([first]) => first === label)?.[2] ?? "";
    const replicas = values(prod, "ingress-public").controller.replicaCount;
    const ranges = values(prod, "ingress-internal").controller.service.loadBalancerSourceRanges ?? [];
    assert.ok(prodCell("Ingress").includes(`\`public\` ${replicas} replicas`), prodCell("Ingress"));
    assert.ok(prodCell("Ingress").includes(`\`sourceRanges: [${ranges.join(", ")}]\``), prodCell("Ingress"));
    for (const [plan, bounded] of [
      [dev, false],
      [prod, true],
    ] as const) {
      const roles = plan.resources.filter((r) => r.id.startsWith("aws:iam/role:Role::"));
      assert.ok(roles.every((r) => (r.inputs.permissionsBoundary !== undefined) === bounded));
    }
    // AWS Load Balancer Controller: dev `install` (kube-system, its own role), prod `existing`.
    assert.deepEqual(
      [dev.outputs.loadBalancerControllerManaged, prod.outputs.loadBalancerControllerManaged],
      [true, false],
    );
    const alb = dev.resources.find(
      (r) => r.id === "kubernetes:helm.sh/v3:Release::aws-load-balancer-controller",
    );
    assert.equal(alb?.inputs.namespace, "kube-system");
  });

  test("the stack table's owner IDs and zones are the plans'", async () => {
    const rows = tableAfter(doc, "What the two stack files add on top:");
    const cell = (label: string, stack: "dev" | "prod") => {
      const found = rows.find(([first]) => first.startsWith(label));
      assert.ok(found, label);
      return found[stack === "dev" ? 1 : 2];
    };
    for (const stack of ["dev", "prod"] as const) {
      const o = (await realPlan(stack)).outputs as Record<string, Record<string, string | string[]>>;
      assert.deepEqual(backticked(cell("Owner IDs", stack)), [
        o.externalDnsOwnerIds.private,
        o.externalDnsOwnerIds.central,
      ]);
      assert.deepEqual(backticked(cell("Private zone", stack)), o.externalDnsDomainFilters.private);
      assert.deepEqual(backticked(cell("Public zone", stack)), o.externalDnsDomainFilters.central);
      assert.equal(backticked(cell("Cluster", stack))[0], o.clusterName);
    }
  });
});

/** The body of the first fenced block of `lang` after `marker`. */
function blockAfter(markdown: string, marker: string, lang: string): string {
  const start = markdown.indexOf(marker);
  assert.ok(start >= 0, `no "${marker}"`);
  const body = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(markdown.slice(start))?.[1];
  assert.ok(body, `no ${lang} block after "${marker}"`);
  return body;
}

describe("README: the examples run as shown", () => {
  const readme = read("README.md");

  test("the bad-configuration report is what the plan prints for those three mistakes", async () => {
    const shown = blockAfter(readme, "every problem at once:", "text").trimEnd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doc-claims-"));
    try {
      // The real dev stack with the three mistakes the example names.
      const stack = read("Pulumi.dev.yaml")
        .replace(
          /^ {2}eks-platform:tier: dev$/m,
          "  eks-platform:tier: qa\n  eks-platform:ingres:\n    instances: {}",
        )
        .replace(/email: platform-team@acme-corp\.com/, "email: not-an-email");
      assert.notEqual(stack, read("Pulumi.dev.yaml"));
      const file = path.join(dir, "Pulumi.dev.yaml");
      fs.writeFileSync(file, stack);
      const run = await runPlan(["dev", "--stack-file", file, "--out", dir, "--quiet"]);
      assert.equal(run.code, 1);
      assert.ok(run.stderr.startsWith(`${shown}\n`), run.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the Pulumi.staging.yaml example plans, on the prod tier's defaults", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doc-claims-"));
    try {
      const file = path.join(dir, "Pulumi.staging.yaml");
      fs.writeFileSync(file, blockAfter(readme, "For example `Pulumi.staging.yaml`:", "yaml"));
      const run = await runPlan(["staging", "--stack-file", file, "--out", dir, "--quiet"]);
      assert.equal(run.code, 0, run.stderr);
      const plan = JSON.parse(fs.readFileSync(path.join(dir, "staging.json"), "utf8")) as Plan;
      assert.equal(plan.outputs.tier, "prod");
      assert.equal(plan.outputs.environment, "staging");
      assert.equal(plan.outputs.defaultClusterIssuer, "letsencrypt-staging");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
