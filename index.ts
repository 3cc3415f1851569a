/**
 * eks-platform: the edge of one EKS environment. Reads and validates the whole stack configuration first (so a
 * mistake is reported in full before anything is created), then builds the platform and exports the output
 * contract (stacks/outputs.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { EdgePlatform } from "./components/platform";
import { ConfigError, loadPlatformConfig } from "./stacks/config";
import { CONTRACT_VERSION, contractOutputs } from "./stacks/outputs";
import { containsSecret, secretKeysOf, securePaths, secretValues } from "./stacks/secrets";

function load() {
  try {
    return loadPlatformConfig({
      all: pulumi.runtime.allConfig(),
      stack: pulumi.getStack(),
      project: pulumi.getProject(),
    });
  } catch (err) {
    // Pulumi's language host prints a RunError's message as it is, and any other error through util.inspect
    // with its stack trace (@pulumi/pulumi cmd/run/run.js): the report must reach the user as written.
    throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
  }
}

const config = load();

// Secret config stays secret (stacks/secrets.ts): an input or output that contains a secret config value is marked
// secret, as it would be had the program read that value with `config.requireSecret`. Which values are secret is
// written in the stack file (`secure:` where `pulumi config set --path --secret` put it), the one Pulumi reads:
// `Pulumi.<stack>.yaml` in the project folder, where the CLI runs the program (the offline plan names the file it
// read in EKS_PLATFORM_STACK_FILE). A key the SDK lists as secret without a `secure:` in that file (a Pulumi ESC
// value) is secret whole; the SDK's list is its `isConfigSecret`, internal in its .d.ts, so it is only a
// complement (tests/secrets.test.ts checks it against the pinned SDK).
const project = pulumi.getProject();
const all = pulumi.runtime.allConfig();
const stackFile =
  process.env.EKS_PLATFORM_STACK_FILE ?? path.join(process.cwd(), `Pulumi.${pulumi.getStack()}.yaml`);
const paths = fs.existsSync(stackFile) ? securePaths(fs.readFileSync(stackFile, "utf8"), project) : [];
const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
const secretKeys = secretKeysOf(Object.keys(all), paths, (key) => runtime.isConfigSecret?.(key) === true);
const secrets = secretValues(all, secretKeys, paths);
const keepSecret = (value: unknown): pulumi.Output<unknown> =>
  pulumi
    .output(value as pulumi.Input<Record<string, unknown>>)
    .apply((v): unknown => (containsSecret(v, secrets) ? pulumi.secret(v) : v));
if (secrets.length > 0) {
  pulumi.runtime.registerStackTransformation((t) => ({
    props: Object.fromEntries(Object.entries(t.props).map(([k, v]) => [k, keepSecret(v)])),
    opts: t.opts,
  }));
}

const platform = new EdgePlatform(config.environment, { config });
const outputs = Object.fromEntries(
  Object.entries(platform.outputs).map(([name, value]) => [
    name,
    secrets.length > 0 ? keepSecret(value) : value,
  ]),
);

export = contractOutputs(outputs, pulumi.output(CONTRACT_VERSION));
