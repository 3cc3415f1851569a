/**
 * The doctor through its real clients: @kubernetes/client-node against a loopback API server, the AWS SDK answered
 * by aws-sdk-client-mock, Node's resolver against a loopback DNS server, and the HTTP-01 probe against a loopback
 * web server, all serving the same recordings as the pure tests.
 */
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { collect } from "../../commands/doctor/collect";
import { runDoctor } from "../../commands/doctor/index";
import type { Observed } from "../../commands/doctor/model";
import * as s from "./scenarios";
import { platform } from "./servers";

/**
 * The client turns timestamps into Dates (and back with milliseconds) and lists namespace by namespace: compare
 * instants, and objects in name order.
 */
function canonical(value: unknown): unknown {
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) {
    return new Date(value).toISOString();
  }
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    const key = (v: unknown) => {
      const m = (v as { metadata?: { namespace?: string; name?: string } }).metadata;
      return m ? `${m.namespace ?? ""}/${m.name ?? ""}` : "";
    };
    return items.every((v) => key(v) !== "")
      ? [...items].sort((a, b) => key(a).localeCompare(key(b)))
      : items;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

async function doctor(obs: Observed, extra: { json?: boolean; host?: string } = {}) {
  const p = await platform(obs);
  try {
    const started = process.hrtime.bigint();
    const result = await runDoctor(
      { stack: "fixture", stackFile: s.STACK_FILE, json: extra.json ?? false, host: extra.host },
      p.options,
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      ...result,
      ms,
      kubeRequests: p.kube.requests,
      awsCommands: p.aws.sent(),
      dnsQueries: p.dns.requests,
      web: p.web.requests,
    };
  } finally {
    await p.close();
  }
}

describe("doctor end to end", () => {
  test("collecting the healthy platform gives back the recording", async () => {
    const recorded = s.healthy();
    const p = await platform(recorded);
    try {
      const seen = await collect(s.expected(), p.options);
      assert.deepEqual(seen.readErrors, []);
      assert.deepEqual(canonical(seen.kubernetes), canonical(recorded.kubernetes));
      assert.deepEqual(canonical(seen.aws), canonical({ ...recorded.aws, oidcIssuer: undefined }));
    } finally {
      await p.close();
    }
  });

  test("a healthy platform: nothing wrong, exit 0, well under two seconds, and only reads", async () => {
    const r = await doctor(s.healthy());
    assert.deepEqual(r.findings, []);
    assert.equal(r.code, 0);
    assert.match(r.output, /nothing wrong found \(5 roles, 2 ingress controllers, 2 ingresses/);
    assert.ok(r.ms < 2000, `took ${r.ms.toFixed(0)} ms`);
    assert.ok(
      r.kubeRequests.length > 10 && r.kubeRequests.every((q) => q.startsWith("GET ")),
      r.kubeRequests.join("\n"),
    );
    assert.ok(
      r.awsCommands.every((c) => /^(Get|List|Describe)/.test(c)),
      r.awsCommands.join(", "),
    );
  });

  test("a stale role on a pod, as JSON, exits 1", async () => {
    const r = await doctor(s.staleRoleOnPod(s.healthy()), { json: true });
    assert.equal(r.code, 1);
    const data = JSON.parse(r.output) as { ok: boolean; findings: { id: string; next: string }[] };
    assert.equal(data.ok, false);
    assert.equal(data.findings[0].id, "pod-stale-role");
    assert.deepEqual(data.findings, JSON.parse(JSON.stringify(r.findings)));
  });

  test("split horizon: the public view comes from the loopback resolver", async () => {
    const r = await doctor(s.txtHiddenByPrivateZone(s.healthy()));
    assert.equal(r.findings[0].id, "dns01-split-horizon");
    assert.ok(r.dnsQueries.includes("TXT _acme-challenge.www.dev.example.com"), r.dnsQueries.join(", "));
  });

  test("waiting for propagation: NXDOMAIN from the resolver means not public", async () => {
    const r = await doctor(s.challengeWaitingForPropagation(s.healthy()));
    assert.equal(r.findings[0].id, "dns01-not-public");
  });

  test("HTTP-01 behind an HTTPS redirect: the probe sees the 308 and does not follow it", async () => {
    const r = await doctor(s.http01BlockedByRedirect(s.healthy()));
    assert.equal(r.findings[0].id, "http01-https-redirect");
    assert.deepEqual(r.web, ["GET legacy.corp.example.org/.well-known/acme-challenge/tok-http"]);
  });

  test("a missing role: IAM's NoSuchEntity becomes role-missing", async () => {
    const obs = s.healthy();
    obs.aws.roles["dev-cert-manager-platform"] = null;
    const r = await doctor(obs);
    assert.equal(r.findings[0].id, "role-missing");
    assert.equal(r.findings[0].subject, "role dev-cert-manager-platform");
  });
});
