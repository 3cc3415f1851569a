/**
 * The peer of `npm run bench` (devtools/bench-plan.ts times it against `npm run plan -- dev`, round by round):
 * CDK EKS Blueprints (pinned below), installed once into a folder of the temporary directory, synthesizing a
 * blueprint with the same add-on set as our dev stack (F5 NGINX ingress, external-dns on one hosted zone,
 * cert-manager; Blueprints' NGINX add-on also requires its AWS Load Balancer Controller add-on, which our stack
 * assumes is installed). Needs the npm registry the first time.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A command for devtools/bench-plan.ts: arguments to this Node binary, run in `cwd`. */
export interface PeerCommand {
  label: string;
  args: string[];
  cwd: string;
  runs: number;
}

// eks-blueprints 1.19.0 declares aws-cdk-lib 2.261.0 as its peer.
const PEER = {
  "@aws-quickstart/eks-blueprints": "1.19.0",
  "aws-cdk-lib": "2.261.0",
  constructs: "10.6.0",
};

const SYNTH = `
const cdk = require("aws-cdk-lib");
const blueprints = require("@aws-quickstart/eks-blueprints");
const app = new cdk.App({ outdir: process.argv[2] });
blueprints.EksBlueprint.builder()
  .account("111111111111")
  .region("eu-west-1")
  .version(cdk.aws_eks.KubernetesVersion.V1_34)
  .resourceProvider("zone", new blueprints.ImportHostedZoneProvider("Z01234567DEVPUBLIC01", "dev.example.com"))
  .addOns(
    new blueprints.addons.AwsLoadBalancerControllerAddOn(),
    new blueprints.addons.NginxAddOn(),
    new blueprints.addons.ExternalDnsAddOn({ hostedZoneResources: ["zone"] }),
    new blueprints.addons.CertManagerAddOn(),
  )
  .build(app, "dev-blueprint");
app.synth();
`;

/**
 * CDK EKS Blueprints installed in a folder of the temporary directory named after the pinned versions (installed
 * once, then reused), and the command that synthesizes the blueprint there.
 */
export function peerCommand(runs: number): PeerCommand {
  const dir = path.join(
    os.tmpdir(),
    `eks-platform-bench-peer-${Object.values(PEER)
      .join("-")
      .replace(/[^\w.-]/g, "")}`,
  );
  if (!fs.existsSync(path.join(dir, "node_modules", "@aws-quickstart", "eks-blueprints", "package.json"))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "bench-peer", private: true, dependencies: PEER }, null, 2),
    );
    console.log(
      `installing ${Object.entries(PEER)
        .map(([n, v]) => `${n}@${v}`)
        .join(", ")} in ${dir}`,
    );
    execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: "inherit",
    });
  }
  fs.writeFileSync(path.join(dir, "synth.js"), SYNTH);
  return {
    label: "cdk synth",
    args: [path.join(dir, "synth.js"), path.join(dir, "cdk.out")],
    runs,
    cwd: dir,
  };
}
