/**
 * The policy pack as the Pulumi CLI runs it, without the CLI: policy/index.ts started by the pack's own
 * @pulumi/pulumi policy-pack runner (ts-node, type-checked, from policy/), then asked over gRPC what the engine
 * asks during a preview. This covers what the other policy tests cannot: the entry point loads, and protection
 * reaches the rules from the request's resource options. Needs `npm ci --prefix policy`.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzeStackRequest,
  AnalyzerResource,
  AnalyzerResourceOptions,
  EnforcementLevel,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { resourceRules, stackRules, TYPES, type ResourceData } from "../policy/rules";
import { TIER_LABEL } from "../policy/facts";
import { dnsValues, externalDns, irsaTrust, namespace, release, res, role } from "./policy.helpers";

const PACK = path.resolve(__dirname, "..", "policy");

let pack: ChildProcess | undefined;
let client: AnalyzerClient;

/** Starts the pack like the CLI's analyzer plugin does and resolves with the port it prints. */
function startPack(): Promise<number> {
  return new Promise((resolve, reject) => {
    const runner = path.join(PACK, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
      cwd: PACK,
      stdio: ["ignore", "pipe", "pipe"],
    });
    pack = child;
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`the pack did not start in time: ${stderr}`)), 120_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the pack exited with ${code}: ${stderr}`));
    });
  });
}

before(async () => {
  const port = await startPack();
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

after(() => {
  client?.close();
  pack?.kill();
});

/** Each call fails after 30 seconds instead of hanging the test run. */
const callOptions = (): Partial<grpc.CallOptions> => ({ deadline: Date.now() + 30_000 });

function options(r: ResourceData): AnalyzerResourceOptions {
  return new AnalyzerResourceOptions().setProtect(r.protect);
}

/** The generated enum is a plain object (no reverse mapping): number to name, e.g. 1 -> "mandatory". */
function levelName(level: number): string {
  const found = Object.entries(EnforcementLevel as unknown as Record<string, number>).find(
    ([, v]) => v === level,
  );
  return found ? found[0].toLowerCase() : `unknown level ${level}`;
}

/** A unary call as a promise; a throw while reading the response rejects instead of hanging the test. */
function call<Res, T>(
  start: (cb: (err: grpc.ServiceError | null, response: Res) => void) => unknown,
  read: (response: Res) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    start((err, response) => {
      try {
        if (err) {
          throw err;
        }
        resolve(read(response));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

type Diagnostic = [policy: string, level: string, message: string];

function diagnostics(response: AnalyzeResponse): Diagnostic[] {
  return response
    .getDiagnosticsList()
    .map((d) => [d.getPolicyname(), levelName(d.getEnforcementlevel()), d.getMessage()]);
}

function analyze(r: ResourceData): Promise<Diagnostic[]> {
  const request = new AnalyzeRequest()
    .setType(r.type)
    .setName(r.name)
    .setUrn(r.urn ?? "")
    .setProperties(Struct.fromJavaScript(r.props as Parameters<typeof Struct.fromJavaScript>[0]))
    .setOptions(options(r));
  return call((cb) => client.analyze(request, new grpc.Metadata(), callOptions(), cb), diagnostics);
}

function analyzeStack(resources: ResourceData[]): Promise<Diagnostic[]> {
  const request = new AnalyzeStackRequest().setResourcesList(
    resources.map((r) =>
      new AnalyzerResource()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn ?? "")
        .setProperties(Struct.fromJavaScript(r.props as Parameters<typeof Struct.fromJavaScript>[0]))
        .setOptions(options(r)),
    ),
  );
  return call((cb) => client.analyzeStack(request, new grpc.Metadata(), callOptions(), cb), diagnostics);
}

const UNPROTECTED = "IAM role app is not protected; set protect: true so that no update can delete it";
const BY_NAME = (stack: string, prod: boolean) =>
  `no namespace is labelled ${TIER_LABEL}, and the stack name "${stack}" is ${prod ? "" : "not "}in prodStacks`;

/** What the CLI shows: the analyzer puts the policy's description before the violation's message. */
function diag(policy: string, message: string): Diagnostic {
  const rule = [...resourceRules, ...stackRules].find((r) => r.name === policy);
  assert.ok(rule, policy);
  return [policy, rule.enforcementLevel, `${rule.description}\n${message}`];
}

describe("the pack under Pulumi's policy-pack runner", () => {
  test("announces every policy with its enforcement level", async () => {
    const info = await call<AnalyzerInfo, [string, string, [string, string][]]>(
      (cb) => client.getAnalyzerInfo(new Empty(), new grpc.Metadata(), callOptions(), cb),
      (response) => [
        response.getName(),
        response.getVersion(),
        response.getPoliciesList().map((p) => [p.getName(), levelName(p.getEnforcementlevel())]),
      ],
    );
    assert.deepEqual(info, [
      "eks-platform",
      "0.1.0",
      [...resourceRules, ...stackRules].map((r) => [r.name, r.enforcementLevel]),
    ]);
  });

  test("an unprotected role is mandatory in prod, advice in dev, and fine when protected", async () => {
    const unprotected = (stack: string) => role("app", irsaTrust(), {}, { protect: false, stack });
    assert.deepEqual(await analyzeStack([unprotected("prod")]), [
      diag("protect-identity-in-prod", `${UNPROTECTED} (a prod stack: ${BY_NAME("prod", true)})`),
    ]);
    assert.deepEqual(await analyzeStack([unprotected("dev")]), [
      diag("protect-identity-outside-prod", `${UNPROTECTED} (not a prod stack: ${BY_NAME("dev", false)})`),
    ]);
    assert.deepEqual(
      await analyzeStack([role("app", irsaTrust(), {}, { protect: true, stack: "prod" })]),
      [],
    );
    // The resource-level call no longer judges protection: only the stack knows its tier.
    assert.deepEqual(await analyze(unprotected("prod")), []);
  });

  test("the namespace's tier label makes a stack of any name prod", async () => {
    const stack = [
      namespace("staging", "prod"),
      role("app", irsaTrust(), {}, { protect: false, stack: "staging" }),
    ];
    assert.deepEqual(await analyzeStack(stack), [
      diag(
        "protect-identity-in-prod",
        `${UNPROTECTED} (a prod stack: namespace platform is labelled ${TIER_LABEL}=prod)`,
      ),
    ]);
  });

  test("a Helm release with a version range and an IAM write on '*' are reported", async () => {
    const ranged = release("ingress", { chart: "oci://ghcr.io/nginx/charts/nginx-ingress", version: "2.x" });
    assert.deepEqual(await analyze(ranged), [
      diag(
        "helm-chart-version-pinned",
        'release ingress (chart oci://ghcr.io/nginx/charts/nginx-ingress) asks for chart version "2.x", which is not an exact version; pin one such as 1.2.3',
      ),
    ]);
    const policy = JSON.stringify({
      Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }],
    });
    assert.deepEqual(await analyze(res(TYPES.policy, "p", { policy })), [
      diag(
        "iam-no-wildcard-writes",
        'managed policy p, statement #0: Allow of write actions (s3:PutObject) on "*", which spans every resource; name the resources it may change',
      ),
    ]);
  });

  test("the stack check sees every external-dns instance", async () => {
    const a = externalDns("private", dnsValues("dev", "Z1", "internal.example.com"));
    const b = externalDns("central", dnsValues("dev", "Z2", "example.com"));
    assert.deepEqual(await analyzeStack([a, b]), [
      diag(
        "external-dns-disjoint",
        'external-dns releases external-dns-private and external-dns-central share the txtOwnerId "dev"',
      ),
      diag(
        "external-dns-disjoint",
        'external-dns releases external-dns-private and external-dns-central have overlapping domainFilters "internal.example.com" and "example.com"',
      ),
    ]);
  });

  test("a value not known during preview gives advice that the rule could not run, not a verdict", async () => {
    // The engine's marker for an unknown string, e.g. Helm values built from a role ARN not created yet.
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const pending = release("cert-manager", {
      chart: "oci://quay.io/jetstack/charts/cert-manager",
      version: "v1.21.1",
      values: unknown,
    });
    assert.deepEqual(
      (await analyze(pending)).map(([policy, level, message]) => [policy, level, message.split("\n")[0]]),
      [
        [
          "cert-manager-keeps-crds",
          "advisory",
          "can't run policy 'cert-manager-keeps-crds' from policy pack 'eks-platform@v0.1.0' during preview: string value at .values can't be known during preview",
        ],
      ],
    );
  });
});
