/**
 * Time of a doctor run against the recorded healthy platform (tests/doctor/fixtures) served on loopback:
 * `node --require ./runtime/transpile.ts devtools/bench-doctor.ts [--runs N]`. Starts N fresh processes, each
 * timing its first result from process start (module loading included, as an operator's `npm run doctor` pays it)
 * and then five warm runs; prints min, median and max of both.
 *
 * Measured on the 2-core build machine (2026-11-24, idle): a warm run (collection through the clients and the
 * diagnosis) took about 45 ms; a fresh process to its first result 1.5 s with the project's loader, against
 * 7.8 s (5.4 CPU s) when `npm run doctor` ran through tsx, whose hooks saw each of @kubernetes/client-node's
 * ~1,400 modules. Most of what is left is loading @kubernetes/client-node and the AWS SDK clients.
 *
 * With the central DNS account, Pod Identity, permission and load balancer controller checks (2026-12-04, 5 fresh
 * processes on the shared machine at a load average of 14 to 20): first result min 1.50 s, median 1.77 s, max
 * 1.91 s; warm runs median 73 ms. The previous doctor measured 1.43 to 1.74 s in the same minutes. At a load
 * average near 18 both took 2.1 to 4.5 s: on this machine the figure follows the load more than the code.
 */
import { execFileSync } from "node:child_process";
import { median } from "./bench-plan";
import { expected, healthy } from "../tests/doctor/scenarios";
import { platform } from "../tests/doctor/servers";
import { collect } from "../commands/doctor/collect";
import { diagnose } from "../commands/doctor/diagnose";

async function once(): Promise<number> {
  const started = process.hrtime.bigint();
  const obs = healthy();
  const p = await platform(obs);
  try {
    const findings = diagnose(expected(), await collect(expected(), p.options));
    if (findings.length > 0) {
      throw new Error(`the healthy fixture reported ${findings.length} findings`);
    }
  } finally {
    await p.close();
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** In a fresh process: seconds from process start to the first result, then the median of warm runs (ms). */
async function child(): Promise<void> {
  await once();
  const first = process.uptime();
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    warm.push(await once());
  }
  process.stdout.write(`${JSON.stringify({ first, warm: median(warm) })}\n`);
}

const stats = (xs: number[], digits: number) =>
  `min ${Math.min(...xs).toFixed(digits)}, median ${median(xs).toFixed(digits)}, max ${Math.max(...xs).toFixed(digits)}`;

function main(argv: string[]): void {
  const at = argv.indexOf("--runs");
  const runs = at >= 0 ? Number(argv[at + 1]) : 5;
  const results = Array.from({ length: runs }, () => {
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, "--child"], {
      encoding: "utf8",
    });
    return JSON.parse(out.trim().split("\n").pop() ?? "{}") as { first: number; warm: number };
  });
  console.log(
    `node ${process.version}, ${runs} fresh processes: healthy doctor run, process start to first result (s): ${stats(
      results.map((r) => r.first),
      2,
    )}`,
  );
  console.log(
    `warm run (ms, median of 5 per process): ${stats(
      results.map((r) => r.warm),
      0,
    )}`,
  );
}

if (require.main === module) {
  if (process.argv.includes("--child")) {
    child().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  } else {
    main(process.argv.slice(2));
  }
}
