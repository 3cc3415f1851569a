/**
 * Benchmarks, whole processes as users run them: `npm run bench -- [--runs N] [--scale ROLES] [--tests]`.
 *
 * Each round runs every command once, in turn, so a ratio is taken between runs made under the same machine
 * load; the report gives min, median and max of each figure and of each round's ratio. Figures: wall seconds,
 * CPU seconds (user + system) and peak memory of the largest process, read through GNU time (`/usr/bin/time`;
 * without it, wall time only).
 *
 * - floor: Node requiring @pulumi/pulumi and setting the mocks; nothing of this project.
 * - plan dev / plan prod: `npm run plan -- <stack> --quiet`.
 * - cli dev: the program loaded as `pulumi preview` loads it (devtools/cli-load.ts: ts-node registered as the SDK's
 *   cmd/run/run.js does, with Pulumi.yaml's tsconfig), under the mocks.
 * - cli dev, type-checked: the same with PULUMI_NODEJS_TRANSPILE_ONLY=false, what every CLI run paid before
 *   tsconfig.pulumi.json (one run: it takes ten times longer).
 * - plan N roles: dev plus N team roles, generated in a temporary folder; per-role cost against plan dev.
 * - npm test (with --tests; --test-runs N, default 1): the whole of it, as CI runs it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ROOT } from "../offline/stackFile";
import { npmCliScript } from "./npm";

export interface Sample {
  wall: number;
  cpu?: number;
  peakMiB?: number;
}

export interface Command {
  label: string;
  /** Arguments to this Node binary. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  runs: number;
}

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = fs.existsSync(GNU_TIME);

/** Runs one command once; throws if it fails. */
export function measure(cmd: Command): Sample {
  const report = path.join(os.tmpdir(), `bench-time-${process.pid}.txt`);
  const [file, args] = hasGnuTime
    ? [GNU_TIME, ["-o", report, "-f", "%U %S %M", process.execPath, ...cmd.args]]
    : [process.execPath, cmd.args];
  const start = process.hrtime.bigint();
  const run = spawnSync(file, args, {
    cwd: cmd.cwd ?? ROOT,
    env: { ...process.env, ...cmd.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    throw new Error(`${cmd.label} failed (${String(run.status)}): ${run.stderr.toString()}`);
  }
  if (!hasGnuTime) {
    return { wall };
  }
  const [user, sys, maxKiB] = fs
    .readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .pop()!
    .split(" ")
    .map(Number);
  return { wall, cpu: user + sys, peakMiB: maxKiB / 1024 };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const spread = (values: number[], digits: number): string =>
  values.length === 1
    ? `${values[0].toFixed(digits)} (one run)`
    : `median ${median(values).toFixed(digits)}  (min ${Math.min(...values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)})`;

/** Pulumi.dev.yaml with `roles` more team roles, in a temporary folder; returns the file. */
function scaledStackFile(dir: string, roles: number): string {
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, { extraRoles?: Record<string, unknown> }>;
  };
  const iam = doc.config["eks-platform:iam"];
  for (let i = 0; i < roles; i++) {
    iam.extraRoles = {
      ...iam.extraRoles,
      [`team-${i}`]: {
        namespace: `team-${i}`,
        serviceAccount: `app-${i}`,
        description: `Team ${i} application`,
        statements: [
          {
            sid: "ConsumeQueue",
            effect: "Allow",
            actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            resources: [`arn:aws:sqs:eu-west-1:111111111111:team-${i}`],
          },
        ],
      },
    };
  }
  const file = path.join(dir, `Pulumi.scale.yaml`);
  fs.writeFileSync(file, stringify(doc));
  return file;
}

/** min, median and max of each command's figures. */
export function report(commands: Command[], samples: Map<string, Sample[]>): void {
  for (const c of commands) {
    const s = samples.get(c.label)!;
    console.log(`${c.label}:`);
    console.log(
      `  wall s   ${spread(
        s.map((x) => x.wall),
        2,
      )}`,
    );
    if (hasGnuTime) {
      console.log(
        `  cpu s    ${spread(
          s.map((x) => x.cpu!),
          2,
        )}`,
      );
      console.log(
        `  peak MiB ${spread(
          s.map((x) => x.peakMiB!),
          0,
        )}`,
      );
    }
  }
}

/** The ratio a/b of each round's pair of runs. */
export function ratioLine(label: string, a: Sample[], b: Sample[]): string {
  const wall = spread(
    a.map((x, i) => x.wall / b[i].wall),
    2,
  );
  const cpu = hasGnuTime
    ? `; cpu ${spread(
        a.map((x, i) => x.cpu! / b[i].cpu!),
        2,
      )}`
    : "";
  return `  ${label}: wall ${wall}${cpu}`;
}

function main(argv: string[]): void {
  const option = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const runs = option("--runs", 5);
  const roles = option("--scale", 1000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
  const loader = ["--require", path.join(ROOT, "runtime", "transpile.ts")];
  const plan = (stack: string, ...extra: string[]) => [
    ...loader,
    path.join(ROOT, "commands", "plan.ts"),
    stack,
    "--quiet",
    "--out",
    out,
    ...extra,
  ];
  const floorScript =
    'require("@pulumi/pulumi").runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false).then(() => process.exit(0));';
  const commands: Command[] = [
    { label: "floor", args: ["-e", floorScript], runs },
    { label: "plan dev", args: plan("dev"), runs },
    { label: "plan prod", args: plan("prod"), runs },
    { label: "cli dev", args: [path.join(ROOT, "devtools", "cli-load.ts"), "dev"], runs },
    {
      label: "cli dev, type-checked",
      args: [path.join(ROOT, "devtools", "cli-load.ts"), "dev"],
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
      runs: option("--check-runs", 1),
    },
  ];
  if (roles > 0) {
    const file = scaledStackFile(out, roles);
    commands.push({ label: `plan ${roles} roles`, args: plan("scale", "--stack-file", file), runs: 1 });
  }
  console.log(
    `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `load ${os.loadavg()[0].toFixed(1)}, ${new Date().toISOString().slice(0, 10)}; ${runs} rounds after one warm-up`,
  );
  const samples = new Map<string, Sample[]>(commands.map((c) => [c.label, []]));
  for (const c of commands) measure(c); // warm-up: caches of the loader and of Node's compiler
  for (let round = 0; round < runs; round++) {
    for (const c of commands.filter((x) => round < x.runs)) samples.get(c.label)!.push(measure(c));
  }
  report(commands, samples);
  const floor = samples.get("floor")!;
  console.log("ratios to the floor, round by round (same load):");
  for (const label of ["plan dev", "plan prod", "cli dev", "cli dev, type-checked"]) {
    console.log(ratioLine(`${label} / floor`, samples.get(label)!, floor));
  }
  if (roles > 0) {
    const big = samples.get(`plan ${roles} roles`)![0];
    const dev = samples.get("plan dev")!;
    const perRole = (f: (x: Sample) => number) => (f(big) - median(dev.map(f))) / roles;
    console.log(
      `per team role (plan ${roles} roles minus plan dev): wall ${(perRole((x) => x.wall) * 1000).toFixed(1)} ms` +
        (hasGnuTime
          ? `, cpu ${(perRole((x) => x.cpu!) * 1000).toFixed(1)} ms, peak ${(perRole((x) => x.peakMiB!) * 1024).toFixed(0)} KiB`
          : ""),
    );
  }
  if (argv.includes("--tests")) {
    // The whole of `npm test` (type check, lint, formatting and unit tests), as CI runs it; CPU is the process
    // tree's (GNU time counts waited-for children).
    const npmCli = npmCliScript();
    if (!npmCli) {
      throw new Error("npm's CLI script not found: run this as `npm run bench -- --tests`");
    }
    const command: Command = { label: "npm test", args: [npmCli, "test"], runs: option("--test-runs", 1) };
    const tests = Array.from({ length: command.runs }, () => measure(command));
    report([command], new Map([[command.label, tests]]));
  }
}

if (require.main === module) {
  main(process.argv.slice(2));
}
