/**
 * eks-platform: the edge of one EKS environment. Reads and validates the whole stack configuration first (so a
 * mistake is reported in full before anything is created), then builds the platform and exports the output
 * contract (stacks/outputs.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { EdgePlatform } from "./components/platform";
import { ConfigError, loadPlatformConfig } from "./stacks/config";
import { CONTRACT_VERSION, contractOutputs } from "./stacks/outputs";

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
const platform = new EdgePlatform(config.environment, { config });

export = contractOutputs(platform.outputs, pulumi.output(CONTRACT_VERSION));
