/**
 * eks-platform: the edge of one EKS environment. Reads and validates the whole stack configuration first (so a
 * mistake is reported in full before anything is created), then builds the platform and exports the output
 * contract (stacks/outputs.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { EdgePlatform } from "./components/platform";
import { loadPlatformConfig } from "./stacks/config";

const config = loadPlatformConfig({
  all: pulumi.runtime.allConfig(),
  stack: pulumi.getStack(),
  project: pulumi.getProject(),
});
const platform = new EdgePlatform(config.environment, { config });

export = platform.outputs;
