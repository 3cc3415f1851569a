/**
 * Benchmark of the offline plan, whole process as a user runs it: `npm run bench -- [--runs N] [stacks...]`.
 * Each run is a fresh `node --import tsx tools/plan.ts <stack> --quiet`; prints min, median and max seconds.
 * With `--tests`, also times one full `npm run test:unit`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./harness";

function timeIt(cmd: string, args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(cmd, args, { cwd: ROOT, stdio: "ignore" });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function main(argv: string[]): void {
  const runsAt = argv.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 7;
  const stacks = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--runs");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
  console.log(
    `node ${process.version}, ${os.cpus().length} cores, ${runs} runs per stack (plus one warm-up)`,
  );
  for (const stack of stacks.length ? stacks : ["dev", "prod"]) {
    const args = ["--import", "tsx", path.join(ROOT, "tools", "plan.ts"), stack, "--quiet", "--out", out];
    timeIt(process.execPath, args);
    const times = Array.from({ length: runs }, () => timeIt(process.execPath, args));
    const f = (n: number) => n.toFixed(2);
    console.log(
      `plan ${stack}: median ${f(median(times))} s (min ${f(Math.min(...times))}, max ${f(Math.max(...times))})`,
    );
  }
  if (argv.includes("--tests")) {
    console.log(
      `npm run test:unit: ${timeIt("npm", ["run", "--silent", "test:unit"]).toFixed(1)} s (one run)`,
    );
  }
}

if (require.main === module) {
  main(process.argv.slice(2));
}
