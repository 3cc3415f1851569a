/**
 * `npm run doctor -- <stack> [--host <name>] [--json] [--dns-role ARN]`: why a name or a certificate does not work.
 *
 * Reads the stack's configuration with the program's own loader, inspects the live platform with the operator's
 * kubeconfig context and AWS credentials (read-only calls only; a central DNS account through a role assumed
 * there), and prints findings root cause first, each with the next command to run, and which identity read what.
 * Exits 1 when any finding is an error, 2 on bad usage or configuration.
 */
import { collect, type CollectOptions } from "./collect";
import { diagnose } from "./diagnose";
import { loadExpected } from "./expected";
import type { ExpectedPlatform, Finding, Observed } from "./model";
import { exitCode, renderJson, renderText } from "./report";

export interface DoctorArgs {
  stack: string;
  host?: string;
  json: boolean;
  stackFile?: string;
  nameservers?: string[];
  /** A role to read the central DNS account's zones with, instead of the one each tool assumes. */
  dnsRole?: string;
}

const USAGE =
  "usage: npm run doctor -- <stack> [--host <name>] [--json] [--stack-file FILE] [--nameserver IP[:PORT]]... [--dns-role ROLE_ARN]\n";

export function parseArgs(argv: string[]): DoctorArgs | undefined {
  const valued = ["--host", "--stack-file", "--nameserver", "--dns-role"];
  const values = (name: string) => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]] : []));
  const stack = argv.find((a, i) => !a.startsWith("--") && !valued.includes(argv[i - 1]));
  const unknown = argv.filter((a) => a.startsWith("--") && ![...valued, "--json"].includes(a));
  if (!stack || unknown.length) {
    return undefined;
  }
  const nameservers = values("--nameserver");
  return {
    stack,
    host: values("--host")[0],
    json: argv.includes("--json"),
    stackFile: values("--stack-file")[0],
    ...(nameservers.length ? { nameservers } : {}),
    ...(values("--dns-role")[0] ? { dnsRole: values("--dns-role")[0] } : {}),
  };
}

/** What was checked; a count whose read failed says so instead of reading as zero. */
export function summary(exp: ExpectedPlatform, obs: Observed): string {
  const k = obs.kubernetes;
  const unread = (what: string) =>
    obs.readErrors.some((e) => e.source.startsWith(`kubernetes ${what}`) || e.source === "kubernetes");
  const count = (n: number, noun: string, what: string) =>
    unread(what) ? `${noun} not read` : `${n} ${noun}`;
  return [
    `${exp.roles.length} roles`,
    `${exp.ingresses.length} ingress controllers`,
    count(k.ingresses.length, "ingresses", "ingresses"),
    `${exp.externalDns.length} external-dns instances`,
    count(k.clusterIssuers.length, "issuers", "clusterissuers"),
    count(k.certificates.length, "certificates", "certificates"),
  ].join(", ");
}

export interface DoctorResult {
  findings: Finding[];
  output: string;
  code: number;
}

/** One doctor run; the clients can be given (tests point them at loopback servers). */
export async function runDoctor(args: DoctorArgs, opts: CollectOptions = {}): Promise<DoctorResult> {
  const exp = loadExpected(args.stack, args.stackFile);
  const obs = await collect(exp, {
    ...opts,
    host: args.host,
    nameservers: opts.nameservers ?? args.nameservers,
    dnsRole: opts.dnsRole ?? args.dnsRole,
  });
  const findings = diagnose(exp, obs, { host: args.host });
  const output = args.json
    ? renderJson(args.stack, findings, obs.readers)
    : renderText(args.stack, findings, summary(exp, obs), obs.readers);
  return { findings, output, code: exitCode(findings) };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (!args) {
    process.stderr.write(USAGE);
    return 2;
  }
  let result: DoctorResult;
  try {
    result = await runDoctor(args);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  process.stdout.write(result.output);
  return result.code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(2);
    },
  );
}
