/**
 * `npm run new-stack -- <stack> --region R --cluster NAME --public-zone DOMAIN=ZONE_ID... --email ADDRESS
 * [--private-zone DOMAIN=ZONE_ID]... [--tier dev|prod] [--dir DIR]`: writes `Pulumi.<stack>.yaml`, a new
 * environment's stack file, from the few values it must set (everything else takes its tier's default,
 * docs/configuration.md).
 *
 * The answers are checked as `pulumi up` checks them (stacks/config.ts) before anything is written, every problem
 * in one report; an existing stack file is never overwritten. The stack is for an existing cluster
 * (`cluster.mode: existing`); anything else is an edit of the file it writes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { configMap, projectName, ROOT } from "../offline/harness";
import { ConfigError, loadPlatformConfig } from "../stacks/config";

export const USAGE = `usage: npm run new-stack -- <stack> --region REGION --cluster NAME --public-zone DOMAIN=ZONE_ID --email ADDRESS [options]

Writes Pulumi.<stack>.yaml for a new environment on an existing EKS cluster; every other key takes its tier's
default (docs/configuration.md).

Options:
  --region REGION                AWS region of the cluster, such as eu-west-1
  --cluster NAME                 the existing EKS cluster's name
  --public-zone DOMAIN=ZONE_ID   a public Route53 zone (repeatable)
  --private-zone DOMAIN=ZONE_ID  a private Route53 zone (repeatable)
  --email ADDRESS                the ACME account e-mail for Let's Encrypt
  --tier dev|prod                the defaults to start from (default dev)
  --dir DIR                      the project directory to write in (default: this project)
  -h, --help                     print this help
`;

const OPTIONS = {
  region: { type: "string" },
  cluster: { type: "string" },
  "public-zone": { type: "string", multiple: true },
  "private-zone": { type: "string", multiple: true },
  email: { type: "string" },
  tier: { type: "string", default: "dev" },
  dir: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** `domain=zoneId` as a zone entry; the loader checks both parts. */
function zone(option: string, value: string): { name: string; zoneId: string } {
  const at = value.indexOf("=");
  if (at <= 0) {
    throw new UsageError(
      `${option} ${value}: expected DOMAIN=ZONE_ID, such as staging.example.com=Z0123STAGINGPUBL01`,
    );
  }
  return { name: value.slice(0, at), zoneId: value.slice(at + 1) };
}

class UsageError extends Error {}

/** The stack file's text for the answers: `config:` with the project's keys, as a person would write it. */
export function stackFileText(
  project: string,
  stack: string,
  answers: {
    region: string;
    tier: string;
    cluster: string;
    publicZones: { name: string; zoneId: string }[];
    privateZones: { name: string; zoneId: string }[];
    email: string;
  },
): string {
  const config = {
    "aws:region": answers.region,
    [`${project}:tier`]: answers.tier,
    [`${project}:environment`]: stack,
    [`${project}:cluster`]: { mode: "existing", name: answers.cluster },
    [`${project}:dns`]: { privateZones: answers.privateZones, publicZones: answers.publicZones },
    [`${project}:certManager`]: { email: answers.email },
  };
  return `# ${stack}: written by npm run new-stack; every key is in docs/configuration.md.\n${stringify({ config })}`;
}

/** Runs the command; returns the exit code (0 written, 1 bad answers or the file exists, 2 usage). */
export function newStack(argv: string[], out = process.stdout, err = process.stderr): number {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    err.write(`${unknown ? `unknown option ${unknown}` : message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  const missing = (["region", "cluster", "public-zone", "email"] as const).filter(
    (k) => values[k] === undefined,
  );
  if (positionals.length !== 1 || missing.length) {
    const what = positionals.length !== 1 ? "one stack name" : missing.map((k) => `--${k}`).join(", ");
    err.write(`npm run new-stack needs ${what}\n\n${USAGE}`);
    return 2;
  }
  const [stack] = positionals;
  const dir = path.resolve(values.dir ?? ROOT);
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (fs.existsSync(file)) {
    err.write(`${file} exists already: edit it instead (new-stack never overwrites a stack file)\n`);
    return 1;
  }
  let text: string;
  try {
    const project = projectName(dir);
    text = stackFileText(project, stack, {
      region: values.region!,
      tier: values.tier,
      cluster: values.cluster!,
      publicZones: values["public-zone"]!.map((z) => zone("--public-zone", z)),
      privateZones: (values["private-zone"] ?? []).map((z) => zone("--private-zone", z)),
      email: values.email!,
    });
    // The same checks `pulumi up` runs on the file: the report names the key, the value and what is expected.
    const { config } = configMap((parse(text) as { config: Record<string, unknown> }).config);
    loadPlatformConfig({ all: config, stack, project });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      err.write(`${e.message}\nNothing was written.\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
  fs.writeFileSync(file, text);
  out.write(
    [
      `Wrote ${path.relative(process.cwd(), file) || file}. Next:`,
      `  npm run plan -- ${stack}          what it would create, offline`,
      `  npm run test:snapshots       record its plan (commit it with the stack file)`,
      `  pulumi stack init ...        once, before its first preview or deploy (docs/deploy.md)`,
      "",
    ].join("\n"),
  );
  return 0;
}

if (require.main === module) {
  process.exit(newStack(process.argv.slice(2)));
}
