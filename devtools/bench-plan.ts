/**
 * Benchmarks, whole processes as users run them: `npm run bench -- [--runs N] [--scale ROLES] [--scale-runs N]
 * [--test-runs N] [--no-peer] [--quick]` (`--quick`: no peer, no scale, no npm test).
 *
 * Each round runs every command once, in turn, so a ratio is taken between runs made under the same machine
 * load; the report gives min, median and max of each figure and of each round's ratio, the load average before
 * and after, and whether each speed goal is met. Figures: wall seconds, CPU seconds (user + system, the process
 * tree's) and peak memory of the largest process, read through GNU time (`/usr/bin/time`; without it, wall only).
 *
 * - floor: Node requiring @pulumi/pulumi and setting the mocks; nothing of this project.
 * - npm run plan -- dev --quiet: exactly that command (npm's CLI script; the plan file goes to a temporary
 *   folder); plan dev / plan prod: the node process npm starts for it, without npm.
 * - cli dev: the program as `pulumi preview` starts it (devtools/cli-load.ts: the language host's arguments and
 *   environment, Pulumi.yaml's nodeargs, `@pulumi/pulumi/cmd/run`), with the engine's stand-in.
 * - cli dev, SDK as is: the same with EKS_PLATFORM_SDK_AS_IS=1 (runtime/sdk-patches.ts off).
 * - cli dev, ts-node: the same with `typescript: true` and no nodeargs, how the CLI loaded the program before.
 * - cli N roles: dev plus N team roles (generated stack file) through the CLI path; per-role cost against cli dev.
 *   Past about 430 roles the configuration no longer fits the one environment variable the language host passes
 *   it in (cli-load.ts ENV_STRING_LIMIT): the real CLI cannot start the program, and the bench hands the
 *   configuration to the engine's stand-in in a file, saying so.
 * - cdk synth: CDK EKS Blueprints synthesizing the same add-ons (devtools/bench-peer.ts).
 * - npm test: the whole of it, as CI runs it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ROOT } from "../offline/stackFile";
import { peerCommand } from "./bench-peer";
import {
  ENV_STRING_LIMIT,
  envStringBytes,
  languageHostCommand,
  runtimeOptions,
  type HostCommand,
} from "./cli-load";
import { npmCliScript } from "./npm";

export interface Sample {
  wall: number;
  cpu?: number;
  peakMiB?: number;
  stdout: string;
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
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    throw new Error(`${cmd.label} failed (${String(run.status)}): ${run.stderr.toString()}`);
  }
  const stdout = run.stdout.toString();
  if (!hasGnuTime) {
    return { wall, stdout };
  }
  const [user, sys, maxKiB] = fs
    .readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .pop()!
    .split(" ")
    .map(Number);
  return { wall, cpu: user + sys, peakMiB: maxKiB / 1024, stdout };
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

/** `npm run plan -- <stack> --quiet`, exactly, through npm's CLI script (the plan file goes to `out`). */
export function npmPlanCommand(stack: string, out: string, runs: number): Command {
  const npmCli = npmCliScript();
  if (!npmCli) {
    throw new Error("npm's CLI script not found: run this as `npm run bench`");
  }
  return {
    label: `npm run plan -- ${stack} --quiet`,
    args: [npmCli, "run", "plan", "--", stack, "--quiet", "--out", out],
    runs,
  };
}

const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

const medianOf = (s: Sample[], f: (x: Sample) => number | undefined): number =>
  median(s.map((x) => f(x) ?? NaN));

/** One goal's verdict line. */
function goal(met: boolean, text: string): string {
  return `  ${met ? "met    " : "NOT met"}  ${text}`;
}

function main(argv: string[]): void {
  const option = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const quick = argv.includes("--quick");
  const runs = option("--runs", 5);
  const roles = quick ? 0 : option("--scale", 1000);
  const scaleRuns = option("--scale-runs", 3);
  const testRuns = quick ? 0 : option("--test-runs", 3);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
  const loader = ["--require", path.join(ROOT, "runtime", "transpile.ts")];
  const plan = (stack: string) => [
    ...loader,
    path.join(ROOT, "commands", "plan.ts"),
    stack,
    "--quiet",
    "--out",
    out,
  ];
  const cli = (label: string, host: HostCommand, n: number, env: NodeJS.ProcessEnv = {}): Command => ({
    label,
    args: host.args,
    env: { ...host.env, ...env },
    runs: n,
  });
  const floorScript =
    'require("@pulumi/pulumi").runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false).then(() => process.exit(0));';
  const npmPlan = npmPlanCommand("dev", out, runs);
  const commands: Command[] = [
    { label: "floor", args: ["-e", floorScript], runs },
    npmPlan,
    { label: "plan dev", args: plan("dev"), runs },
    { label: "plan prod", args: plan("prod"), runs },
    cli("cli dev", languageHostCommand("dev"), runs),
    cli("cli dev, SDK as is", languageHostCommand("dev"), runs, { EKS_PLATFORM_SDK_AS_IS: "1" }),
    cli(
      "cli dev, ts-node",
      languageHostCommand("dev", { options: { ...runtimeOptions(), typescript: true, nodeargs: [] } }),
      runs,
      { EKS_PLATFORM_SDK_AS_IS: "1" },
    ),
  ];
  if (!quick && !argv.includes("--no-peer")) {
    commands.push(peerCommand(runs));
  }
  const scaleLabel = `cli ${roles} roles`;
  const notes: string[] = [];
  if (roles > 0) {
    const host = languageHostCommand("scale", { stackFile: scaledStackFile(out, roles) });
    const bytes = envStringBytes("PULUMI_CONFIG", host.env.PULUMI_CONFIG);
    const dev = envStringBytes("PULUMI_CONFIG", languageHostCommand("dev").env.PULUMI_CONFIG);
    const perRole = (bytes - dev) / roles;
    notes.push(
      `PULUMI_CONFIG of dev plus ${roles} roles: ${bytes} bytes (dev ${dev}, ${perRole.toFixed(0)} per role); one ` +
        `environment string holds ${ENV_STRING_LIMIT}: about ${Math.floor((ENV_STRING_LIMIT - dev) / perRole)} roles ` +
        `of this size fit`,
    );
    let env: NodeJS.ProcessEnv = {};
    if (bytes > ENV_STRING_LIMIT) {
      // The real CLI cannot start node with it (E2BIG); the stand-in reads it from a file instead.
      const file = path.join(out, "pulumi-config.json");
      fs.writeFileSync(file, host.env.PULUMI_CONFIG);
      host.env.PULUMI_CONFIG = "{}";
      env = { EKS_PLATFORM_CLI_CONFIG_FILE: file };
      notes.push(
        `  over the limit: \`pulumi preview\` of such a stack fails to start node (argument list too long); ` +
          `${scaleLabel} passes its configuration in a file instead`,
      );
    }
    commands.push(cli(scaleLabel, host, scaleRuns, env));
  }
  console.log(
    `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `${new Date().toISOString().slice(0, 16)}Z; load average ${load()} (1, 5, 15 min) before; ${runs} rounds after one warm-up`,
  );
  const samples = new Map<string, Sample[]>(commands.map((c) => [c.label, []]));
  // Warm-up: the loader's cache and Node's compile cache (the scaled stack shares the dev stack's modules).
  for (const c of commands.filter((x) => x.label !== scaleLabel)) measure(c);
  const rounds = Math.max(...commands.map((c) => c.runs));
  for (let round = 0; round < rounds; round++) {
    for (const c of commands.filter((x) => round < x.runs)) samples.get(c.label)!.push(measure(c));
  }
  report(commands, samples);
  const get = (label: string): Sample[] => samples.get(label)!;
  const floor = get("floor");
  console.log("ratios, round by round (same load):");
  for (const label of [
    npmPlan.label,
    "plan dev",
    "plan prod",
    "cli dev",
    "cli dev, SDK as is",
    "cli dev, ts-node",
  ]) {
    console.log(ratioLine(`${label} / floor`, get(label), floor));
  }
  console.log(ratioLine("cli dev / cli dev, ts-node", get("cli dev"), get("cli dev, ts-node")));
  console.log(ratioLine("cli dev / cli dev, SDK as is", get("cli dev"), get("cli dev, SDK as is")));
  const peer = samples.get("cdk synth");
  if (peer) {
    console.log(ratioLine(`${npmPlan.label} / cdk synth`, get(npmPlan.label), peer));
    console.log(ratioLine("plan dev / cdk synth", get("plan dev"), peer));
  }
  // The CLI path registers what the plan records, plus the stack itself.
  const planned = (
    JSON.parse(fs.readFileSync(path.join(out, "dev.json"), "utf8")) as { resources: unknown[] }
  ).resources.length;
  const registered = Number(/(\d+) resources registered/.exec(get("cli dev")[0].stdout)?.[1]);
  console.log(`cli dev registered ${registered} resources; the plan of dev has ${planned} and the stack`);
  if (registered !== planned + 1) {
    throw new Error(`the CLI path registered ${registered} resources, the plan ${planned} + 1`);
  }
  const verdicts: string[] = [];
  const cpuRatio = (a: Sample[], b: Sample[]) => median(a.map((x, i) => x.cpu! / b[i].cpu!));
  const wallRatio = (a: Sample[], b: Sample[]) => median(a.map((x, i) => x.wall / b[i].wall));
  if (hasGnuTime) {
    const r = cpuRatio(get("cli dev"), floor);
    verdicts.push(
      goal(
        r <= 1.5,
        `cli dev at most 1.5x the floor: ${r.toFixed(2)}x CPU (${wallRatio(get("cli dev"), floor).toFixed(2)}x wall)`,
      ),
    );
  }
  if (roles > 0) {
    const big = get(scaleLabel);
    const dev = get("cli dev");
    const perRole = (f: (x: Sample) => number | undefined) => (medianOf(big, f) - medianOf(dev, f)) / roles;
    console.log(
      `per team role (${scaleLabel} minus cli dev, medians): wall ${(perRole((x) => x.wall) * 1000).toFixed(1)} ms` +
        (hasGnuTime
          ? `, cpu ${(perRole((x) => x.cpu) * 1000).toFixed(1)} ms, peak ${(perRole((x) => x.peakMiB) * 1024).toFixed(0)} KiB`
          : ""),
    );
    const wall = Math.max(...big.map((x) => x.wall));
    const peak = hasGnuTime ? Math.max(...big.map((x) => x.peakMiB!)) : NaN;
    verdicts.push(
      goal(
        wall < 8 && !(peak >= 600),
        `${scaleLabel} under 8 s wall and 600 MiB: slowest ${wall.toFixed(2)} s, largest ${peak.toFixed(0)} MiB`,
      ),
    );
  }
  if (peer && hasGnuTime) {
    const r = cpuRatio(get(npmPlan.label), peer);
    verdicts.push(
      goal(
        r <= 0.6,
        `${npmPlan.label} at most 0.6x cdk synth: ${r.toFixed(2)}x CPU (${wallRatio(get(npmPlan.label), peer).toFixed(2)}x wall)`,
      ),
    );
  }
  if (testRuns > 0) {
    // The whole of `npm test` (type check, lint, formatting and unit tests), as CI runs it; CPU is the process
    // tree's (GNU time counts waited-for children).
    const npmCli = npmCliScript()!;
    const command: Command = { label: "npm test", args: [npmCli, "test"], runs: testRuns };
    const tests = Array.from({ length: command.runs }, () => measure(command));
    report([command], new Map([[command.label, tests]]));
    const wall = median(tests.map((x) => x.wall));
    verdicts.push(goal(wall <= 45, `npm test at most 45 s wall: median ${wall.toFixed(1)} s`));
  }
  console.log(notes.join("\n"));
  console.log(`load average ${load()} after`);
  console.log("goals (medians of the rounds; ratios round by round):");
  console.log(verdicts.join("\n"));
  fs.rmSync(out, { recursive: true, force: true });
}

if (require.main === module) {
  main(process.argv.slice(2));
}
