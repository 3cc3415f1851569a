/**
 * Time of a doctor run against the recorded healthy platform (tests/doctor/fixtures) served on loopback:
 * `node --require ./runtime/transpile.ts devtools/bench-doctor.ts [--runs N]`. Prints the first run in a fresh process
 * (module loading included, as an operator's `npm run doctor` pays it) and the median of the warm runs that follow.
 *
 * Measured on the 2-core build machine (2026-11-24, idle): a warm run (collection through the clients and the
 * diagnosis) takes about 45 ms; a fresh process to its first result 1.5 s with the project's loader, against
 * 7.8 s (5.4 CPU s) when `npm run doctor` ran through tsx, whose hooks saw each of @kubernetes/client-node's
 * ~1,400 modules. Most of what is left is loading @kubernetes/client-node.
 */
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

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf("--runs");
  const runs = at >= 0 ? Number(argv[at + 1]) : 10;
  await once();
  const cold = process.uptime();
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push(await once());
  }
  console.log(
    `node ${process.version}: healthy doctor run, fresh process to first result ${cold.toFixed(2)} s`,
  );
  console.log(
    `warm runs (${runs}): median ${median(warm).toFixed(0)} ms (min ${Math.min(...warm).toFixed(0)}, max ${Math.max(...warm).toFixed(0)})`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
