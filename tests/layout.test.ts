/**
 * The layout the README's "Layout" table describes, checked from the imports themselves: no file imports from a
 * floor above its own, nothing imports development tooling but tests and development tooling, runtime/ imports
 * nothing of the project, and no files import each other in a loop.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { ROOT } from "./helpers/cli";

/** The floor of each folder of the program (README "Layout"); higher floors may import lower ones. */
const FLOORS: Record<string, number> = {
  model: 1,
  components: 2,
  stacks: 3,
  "index.ts": 4,
  offline: 5,
  commands: 6,
};

/** Folders beside the floors: who may import them. */
const BESIDE = new Set(["runtime", "devtools"]);

const SKIP = new Set(["node_modules", "plan", "bin", "dist", ".git"]);

function sources(dir = ROOT, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) out.push(...sources(dir, r));
    } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(r);
    }
  }
  return out;
}

/** The project files a file imports (static, dynamic and `require`), as repository paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true);
  const found: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith(".")) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
    const target = [base, `${base}.ts`, `${base}/index.ts`].find(
      (c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile(),
    );
    if (target) found.push(target);
  }
  return found;
}

const top = (file: string): string => file.split("/")[0];

const files = sources().filter((f) => !f.startsWith("tests/") && !f.startsWith("packages/"));
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test("no file imports from a floor above its own", () => {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    const floor = FLOORS[top(file)];
    if (floor === undefined) continue;
    for (const target of targets) {
      const other = FLOORS[top(target)];
      if (other !== undefined && other > floor)
        wrong.push(`${file} (floor ${floor}) imports ${target} (floor ${other})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("development tooling is imported only by development tooling and tests; runtime/ imports nothing", () => {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (top(target) === "devtools" && top(file) !== "devtools") wrong.push(`${file} imports ${target}`);
      if (top(file) === "runtime") wrong.push(`${file} imports ${target}`);
      if (top(file) === "policy" && top(target) !== "policy") wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("every folder with TypeScript is a floor, beside the floors, or apart", () => {
  const known = new Set([...Object.keys(FLOORS), ...BESIDE, "policy", "examples"]);
  assert.deepEqual([...new Set(files.map(top))].filter((t) => !known.has(t)).sort(), []);
});

test("the README's Layout table names exactly these floors, in order, and the folders beside them", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const layout = readme.slice(
    readme.indexOf("## Layout"),
    readme.indexOf("\n## ", readme.indexOf("## Layout") + 1),
  );
  const rows = [...layout.matchAll(/^\| (\d+) +\| `([^`]+?)\/?` +\|/gm)].map((m) => [Number(m[1]), m[2]]);
  assert.deepEqual(
    rows,
    Object.entries(FLOORS).map(([folder, floor]) => [floor, folder]),
  );
  for (const folder of BESIDE) assert.ok(layout.includes(`\`${folder}/\``), folder);
});

test("no files import each other in a loop", () => {
  // Tarjan's strongly connected components over the import graph; a component of two or more files is a loop.
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string): void => {
    order.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
    }
    if (low.get(v) === order.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) loops.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  assert.deepEqual(loops, []);
});

test("no source file outside tests/ is over 400 lines", () => {
  const long = files
    .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length - 1] as const)
    .filter(([, lines]) => lines > 400)
    .map(([f, lines]) => `${f}: ${lines} lines`);
  assert.deepEqual(long, []);
});

test("the checks see the program's imports (the graph is not empty)", () => {
  assert.ok(graph.get("index.ts")!.some((t) => t.startsWith("stacks/")));
  assert.ok(
    graph.get("components/ingress/index.ts")!.includes("components/ingress/deploy.ts"),
    "lazy require",
  );
  assert.ok(graph.get("commands/plan.ts")!.some((t) => t.startsWith("offline/")));
});
