/**
 * Reaching the cluster as a real account behaves: an existing cluster's IAM OIDC provider is looked up (and its
 * absence stops the program with what to create), a created cluster gets an OIDC provider only when a role uses
 * IRSA, and a created cluster grants the configured principals access through EKS access entries.
 *
 * Sources: EKS user guide "Create an IAM OIDC provider for your cluster" (an IAM OIDC provider must exist for
 * the issuer for IRSA); terraform-provider-aws internal/service/iam/openid_connect_provider_data_source.go (the
 * look-up by URL, NotFound when none matches); @pulumi/eks v4.3.0 nodejs/eks/cluster/authenticationMode.ts
 * (access entries need authentication mode API or API_AND_CONFIG_MAP).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { missingOidcProviderMessage, oidcProviderAudienceProblem } from "../components/cluster/oidcProvider";
import { runProgram, type Capture } from "../offline/harness";
import { runTool } from "./helpers/cli";
import { edited } from "./helpers/config";
import { T, json } from "./helpers/program";
import { derivedStackFile, planStack } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-access-"));
const ISSUER_URL = "https://oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id)";
const LOOKUP = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";
const newCluster = { mode: "new", name: "sandbox-eks", version: "1.34" };

let prod: Capture;
let podIdentityOnly: Capture;
let irsaCreated: Capture;
before(async () => {
  [prod, podIdentityOnly, irsaCreated] = await Promise.all([
    planStack("prod", out),
    planStack(
      "newpodid",
      out,
      derivedStackFile(out, "newpodid", "dev", {
        cluster: newCluster,
        "iam.binding": "pod-identity",
        "iam.installPodIdentityAgent": true,
      }),
    ),
    planStack("newirsa", out, derivedStackFile(out, "newirsa", "dev", { cluster: newCluster })),
  ]);
});

const federated = (c: Capture): string[] =>
  c.resources
    .filter((r) => r.type === T.role)
    .flatMap(
      (r) =>
        (json(r.inputs.assumeRolePolicy) as { Statement: { Principal: Record<string, string> }[] }).Statement,
    )
    .map((s) => s.Principal.Federated)
    .filter((f) => f !== undefined);

describe("an existing cluster's IAM OIDC provider", () => {
  test("is looked up by the cluster's issuer URL, and the roles trust the provider found", () => {
    const lookups = prod.invokes.filter((i) => i.token === LOOKUP);
    assert.deepEqual(lookups, [{ token: LOOKUP, inputs: { url: ISSUER_URL } }]);
    const trusted = [...new Set(federated(prod))];
    // The mock's answer: the ARN IAM gives the provider of that URL in the caller's account.
    assert.deepEqual(trusted, [
      "arn:aws:iam::(account-id):oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/(cluster-oidc-id)",
    ]);
  });

  test("that the account lacks stops the program, reported once, saying what to create", async () => {
    // In a process of its own: the failed run's rejections go unhandled, as under the language host.
    const run = await runTool("tests/fixtures/missing-oidc-provider.ts", []);
    assert.equal(run.code, 1, "the program must not pass when the provider does not exist");
    const reported = run.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { message: string; runError: boolean; times: number });
    // Every input the ARN reaches rethrows the same error, and the language host reports an error once.
    assert.equal(reported.length, 1, run.stderr);
    const [{ message, runError }] = reported;
    assert.equal(runError, true, "a RunError: printed without a stack trace");
    assert.equal(
      message,
      missingOidcProviderMessage(
        { clusterName: "prod-eks", region: "eu-west-1", issuerUrl: ISSUER_URL },
        "eks-platform",
        `reading IAM OIDC Provider (${ISSUER_URL}): couldn't find resource`,
      ),
      "the message as written, without the SDK's property prefixes",
    );
    assert.match(
      message,
      /eksctl utils associate-iam-oidc-provider --cluster prod-eks --region eu-west-1 --approve/,
    );
    assert.match(message, /aws iam create-open-id-connect-provider --url https:\/\/oidc\.eks/);
    assert.match(message, /eks-platform:cluster\.createOidcProvider: true/);
  });

  test("a provider without the STS audience is named with the command that adds it", () => {
    const facts = { clusterName: "c", region: "eu-west-1", issuerUrl: ISSUER_URL };
    assert.equal(
      oidcProviderAudienceProblem(facts, "arn:aws:iam::1:oidc-provider/x", ["sts.amazonaws.com"]),
      undefined,
    );
    assert.match(
      oidcProviderAudienceProblem(facts, "arn:aws:iam::1:oidc-provider/x", ["other"]) ?? "",
      /does not list the audience sts\.amazonaws\.com \(it lists other\).*add-client-id-to-open-id-connect-provider/,
    );
  });

  test("is neither looked up nor needed when every role uses Pod Identity", async () => {
    const capture = await runProgram({
      stack: "prod",
      config: edited("prod", { "iam.binding": "pod-identity" }),
      missing: [LOOKUP],
    });
    assert.deepEqual(
      capture.invokes.map((i) => i.token),
      ["aws:eks/getCluster:getCluster"],
    );
  });
});

describe("a cluster this stack creates", () => {
  test("gets an IAM OIDC provider only when a role uses IRSA", () => {
    const cluster = (c: Capture) => c.resources.find((r) => r.type === "eks:index:Cluster")!;
    assert.equal(cluster(podIdentityOnly).inputs.createOidcProvider, false);
    assert.deepEqual(federated(podIdentityOnly), []);
    assert.equal(cluster(irsaCreated).inputs.createOidcProvider, true);
  });
});
