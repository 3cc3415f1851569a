/**
 * Peer comparison, outside npm test: `node --require ./runtime/transpile.ts devtools/bench-peer.ts [--runs N]`.
 *
 * Installs CDK EKS Blueprints (pinned below) into a temporary folder, synthesizes a blueprint with the same add-on
 * set as our dev stack (F5 NGINX ingress, external-dns on one hosted zone, cert-manager; Blueprints' NGINX add-on
 * also requires its AWS Load Balancer Controller add-on, which our stack assumes is installed), and times that
 * synth against `npm run plan -- dev` and the SDK-load floor, round by round. Needs the npm registry.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../offline/stackFile";
import { measure, ratioLine, report, type Command, type Sample } from "./bench-plan";

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

function main(argv: string[]): void {
  const at = argv.indexOf("--runs");
  const runs = at >= 0 ? Number(argv[at + 1]) : 5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-peer-"));
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
  fs.writeFileSync(path.join(dir, "synth.js"), SYNTH);
  const out = path.join(dir, "out");
  const commands: Command[] = [
    { label: "cdk synth", args: [path.join(dir, "synth.js"), path.join(dir, "cdk.out")], runs, cwd: dir },
    {
      label: "plan dev",
      args: [
        "--require",
        path.join(ROOT, "runtime", "transpile.ts"),
        path.join(ROOT, "commands", "plan.ts"),
        "dev",
      ].concat(["--quiet", "--out", out]),
      runs,
    },
  ];
  const samples = new Map<string, Sample[]>(commands.map((c) => [c.label, []]));
  for (const c of commands) measure(c);
  for (let round = 0; round < runs; round++) {
    for (const c of commands) samples.get(c.label)!.push(measure(c));
  }
  report(commands, samples);
  console.log("ratio, round by round (same load):");
  console.log(ratioLine("plan dev / cdk synth", samples.get("plan dev")!, samples.get("cdk synth")!));
  fs.rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) {
  main(process.argv.slice(2));
}
