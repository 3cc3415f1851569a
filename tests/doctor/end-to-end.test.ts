/**
 * The doctor through its real clients, every scenario: @kubernetes/client-node against a loopback API server, the AWS SDK answered
 * by aws-sdk-client-mock, Node's resolver against a loopback DNS server, and the HTTP-01 probe against a loopback
 * web server, all serving the same recordings as the pure tests.
 */
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { collect, type CollectOptions } from "../../commands/doctor/collect";
import { diagnose } from "../../commands/doctor/diagnose";
import { runDoctor } from "../../commands/doctor/index";
import type { Finding, Observed } from "../../commands/doctor/model";
import { OPERATOR } from "./aws";
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

/** The fixture stack in its plain world, as a case. */
const plain =
  (build: (o: Observed) => Observed): (() => s.Case) =>
  () => ({ stack: "fixture", obs: build(s.healthy()) });

async function doctor(
  c: s.Case,
  extra: { json?: boolean; host?: string; options?: Partial<CollectOptions> } = {},
) {
  const p = await platform(c.obs, c.world);
  try {
    const started = process.hrtime.bigint();
    const result = await runDoctor(
      { stack: c.stack, stackFile: s.stackFileOf(c.stack), json: extra.json ?? false, host: extra.host },
      { ...p.options, ...extra.options },
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      ...result,
      ms,
      kubeRequests: p.kube.requests,
      awsCommands: p.aws.sent(),
      awsCalls: p.aws.calls(),
      dnsQueries: p.dns.requests,
      web: p.web.requests,
    };
  } finally {
    await p.close();
  }
}

/**
 * What the doctor may send: reads only. Get/List/Describe, iam:SimulatePrincipalPolicy (IAM evaluates the policies
 * and changes nothing), and sts:AssumeRole, named on its own: it changes nothing either, it opens the session
 * through which the DNS account's zones and trusts are read.
 */
const READ_ONLY_AWS = /^((Get|List|Describe|Simulate)\w+|AssumeRole)Command$/;

function assertReadOnly(r: Awaited<ReturnType<typeof doctor>>): void {
  assert.ok(
    r.kubeRequests.every((q) => q.startsWith("GET ")),
    r.kubeRequests.join("\n"),
  );
  assert.ok(
    r.awsCommands.every((c) => READ_ONLY_AWS.test(c)),
    r.awsCommands.join(", "),
  );
}

/** Every scenario: its first finding (or none), the same through the loopback servers as from the pure diagnosis. */
const SCENARIOS: [string, () => s.Case, string | undefined][] = [
  ["healthy", plain((o) => o), undefined],
  ["a stale role on a pod", plain(s.staleRoleOnPod), "pod-stale-role"],
  ["a trust naming the wrong service account", plain(s.trustNamesWrongServiceAccount), "trust-wrong-subject"],
  ["a record owned by the other instance", plain(s.recordOwnedByOtherInstance), "dns-record-owned-by-other"],
  ["split horizon", plain(s.txtHiddenByPrivateZone), "dns01-split-horizon"],
  ["waiting for propagation", plain(s.challengeWaitingForPropagation), "dns01-not-public"],
  ["ACME e-mail rejected", plain(s.acmeEmailRejected), "acme-contact-rejected"],
  ["HTTP-01 behind a redirect", plain(s.http01BlockedByRedirect), "http01-https-redirect"],
  ["a Service without an address", plain(s.serviceWithoutAddress), "lb-address-missing"],
  ["a TXT record cert-manager may not write", plain(s.dns01WriteDenied), "dns01-txt-missing"],
  ["a missing role", plain((o) => ((o.aws.roles["dev-cert-manager-platform"] = null), o)), "role-missing"],
  ["no OIDC provider in IAM", plain(s.oidcProviderMissing), "oidc-provider-missing"],
  ["a statement denies cert-manager's TXT write", plain(s.acmeWriteDeniedByStatement), "permission-denied"],
  ["the load balancer controller down", plain(s.lbControllerDown), "lb-controller-not-ready"],
  [
    "the controller's webhook without endpoints",
    plain(s.webhookWithoutEndpoints),
    "lb-controller-webhook-unavailable",
  ],
  ["the cluster's controller without a role", plain(s.lbControllerWithoutRole), "lb-controller-no-role"],
  ["central DNS account, healthy", s.centralHealthy, undefined],
  ["central DNS account, role refuses the operator", s.centralRoleRefused, "read-failed"],
  ["Pod Identity, healthy", () => s.podIdentityHealthy(), undefined],
  ["Pod Identity on a busy cluster", s.busyCluster, undefined],
  [
    "Pod Identity trust without sts:TagSession",
    () => s.trustWithoutTagSession(s.podIdentityHealthy()),
    "trust-tag-session-missing",
  ],
  [
    "Pod Identity without an agent",
    () => s.agentMissing(s.podIdentityHealthy()),
    "pod-identity-agent-missing",
  ],
  ["Pod Identity with a self-managed agent", () => s.agentSelfManaged(s.podIdentityHealthy()), undefined],
  ["chain into the DNS account, healthy", () => s.chainHealthy(), undefined],
  ["chain: sts:TagSession not allowed", () => s.chainTagSessionDenied(s.chainHealthy()), "permission-denied"],
  [
    "chain: the DNS role's trust without sts:TagSession",
    () => s.chainHealthy(["sts:AssumeRole"]),
    "chain-trust-tag-session-missing",
  ],
  [
    "chain: the DNS role's trust unreadable",
    () => s.chainTrustUnreadable(s.chainHealthy()),
    "chain-trust-unchecked",
  ],
];

/** The client gives timestamps back with milliseconds: compare findings with instants written one way. */
const plainJson = (f: Finding[]) =>
  JSON.parse(JSON.stringify(f).replace(/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.000)?Z/g, "$1Z")) as unknown;

describe("every scenario through the loopback servers", () => {
  for (const [name, build, first] of SCENARIOS) {
    test(`${name}: ${first ?? "nothing"} first, as the pure diagnosis says, and only reads`, async () => {
      const c = build();
      const r = await doctor(c);
      assert.equal(r.findings[0]?.id, first, JSON.stringify(r.findings, null, 2));
      const pure = build();
      assert.deepEqual(plainJson(r.findings), plainJson(diagnose(s.expectedOf(pure.stack), pure.obs)));
      assertReadOnly(r);
    });
  }
});

describe("doctor end to end", () => {
  test("collecting the healthy platform gives back the recording", async () => {
    const recorded = s.healthy();
    const p = await platform(recorded);
    try {
      const seen = await collect(s.expected(), p.options);
      assert.deepEqual(seen.readErrors, []);
      assert.deepEqual(canonical(seen.kubernetes), canonical(recorded.kubernetes));
      assert.deepEqual(canonical(seen.aws), canonical(recorded.aws));
    } finally {
      await p.close();
    }
  });

  test("a healthy platform: nothing wrong, exit 0, and who read what", async () => {
    const r = await doctor({ stack: "fixture", obs: s.healthy() });
    assert.deepEqual(r.findings, []);
    assert.equal(r.code, 0);
    assert.match(r.output, /nothing wrong found \(5 roles, 2 ingress controllers, 2 ingresses/);
    assert.match(
      r.output,
      new RegExp(`^read as ${OPERATOR}: iam roles, route53 hosted zones, route53 records of zone`, "m"),
    );
    assert.ok(r.kubeRequests.length > 10);
  });

  test("a stale role on a pod, as JSON, exits 1", async () => {
    const r = await doctor(plain(s.staleRoleOnPod)(), { json: true });
    assert.equal(r.code, 1);
    const data = JSON.parse(r.output) as { ok: boolean; findings: { id: string; next: string }[] };
    assert.equal(data.ok, false);
    assert.equal(data.findings[0].id, "pod-stale-role");
    assert.deepEqual(data.findings, JSON.parse(JSON.stringify(r.findings)));
  });

  test("split horizon: the public view comes from the loopback resolver", async () => {
    const r = await doctor(plain(s.txtHiddenByPrivateZone)());
    assert.ok(r.dnsQueries.includes("TXT _acme-challenge.www.dev.example.com"), r.dnsQueries.join(", "));
  });

  test("HTTP-01 behind an HTTPS redirect: the probe sees the 308 and does not follow it", async () => {
    const r = await doctor(plain(s.http01BlockedByRedirect)());
    assert.deepEqual(r.web, ["GET legacy.corp.example.org/.well-known/acme-challenge/tok-http"]);
  });
});

describe("central DNS account", () => {
  const ZONE = "Z01234567DEVPUBLIC01";
  const AS_EXTERNAL_DNS = "arn:aws:sts::222222222222:assumed-role/dev-eks-external-dns/eks-platform-doctor";

  test("its zones are read through the role external-dns central assumes, with its external ID", async () => {
    const r = await doctor(s.centralHealthy());
    assert.deepEqual(r.findings, []);
    const assume = r.awsCalls.filter((c) => c.command === "AssumeRoleCommand");
    assert.deepEqual(
      assume.map((c) => c.input),
      [
        {
          RoleArn: s.EXTERNAL_DNS_CENTRAL_ROLE,
          RoleSessionName: "eks-platform-doctor",
          DurationSeconds: 900,
          ExternalId: "dev-eks-platform",
        },
      ],
    );
    const records = r.awsCalls.filter((c) => c.command === "ListResourceRecordSetsCommand");
    assert.deepEqual(
      records.map((c) => [c.identity, (c.input as { HostedZoneId: string }).HostedZoneId]).sort(),
      [
        [OPERATOR, "Z01234567DEVPRIVATE1"],
        [AS_EXTERNAL_DNS, ZONE],
      ],
    );
    assert.match(
      r.output,
      new RegExp(`^read as ${AS_EXTERNAL_DNS}: route53 records of zone ${ZONE}, route53 hosted zones$`, "m"),
    );
  });

  test("or through a role the operator names, without the tool's external ID", async () => {
    const c = s.centralHealthy();
    const named = "arn:aws:iam::222222222222:role/dns-readonly";
    assert.ok(c.world?.dnsAccount);
    c.world.dnsAccount.roles[named] = {};
    const r = await doctor(c, { options: { dnsRole: named } });
    assert.deepEqual(r.findings, []);
    const assume = r.awsCalls.filter((x) => x.command === "AssumeRoleCommand").map((x) => x.input);
    assert.deepEqual(assume, [
      { RoleArn: named, RoleSessionName: "eks-platform-doctor", DurationSeconds: 900 },
    ]);
    assert.match(
      r.output,
      /read as arn:aws:sts::222222222222:assumed-role\/dns-readonly\/eks-platform-doctor: route53 records of zone/,
    );
  });

  test("a role that refuses the operator: one read-failed, naming the identity, and how to name another role", async () => {
    const r = await doctor(s.centralRoleRefused());
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.subject, f.next]),
      [
        [
          "read-failed",
          `sts assume role ${s.EXTERNAL_DNS_CENTRAL_ROLE}`,
          "npm run doctor -- central --dns-role <a role in the DNS account you may assume>",
        ],
      ],
    );
    assert.match(
      r.findings[0].message,
      new RegExp(`as ${OPERATOR}: User: .* is not authorized to perform: sts:AssumeRole`),
    );
  });
});

describe("Pod Identity through the loopback servers", () => {
  test("associations are asked per service account, following nextToken to the last page", async () => {
    const r = await doctor(s.busyCluster());
    assert.deepEqual(r.findings, []);
    const lists = r.awsCalls
      .filter((c) => c.command === "ListPodIdentityAssociationsCommand")
      .map((c) => c.input as { namespace?: string; serviceAccount?: string; nextToken?: string });
    assert.ok(
      lists.every((l) => l.namespace && l.serviceAccount),
      JSON.stringify(lists),
    );
    const orders = lists.filter((l) => l.serviceAccount === "orders-api");
    assert.deepEqual(
      orders.map((l) => l.nextToken),
      [undefined, "empty-1", "empty-2"],
    );
  });

  test("the agent is asked of EKS as the add-on, then looked for as a DaemonSet", async () => {
    const r = await doctor(s.agentMissing(s.podIdentityHealthy()));
    assert.ok(
      r.awsCalls.some(
        (c) =>
          c.command === "DescribeAddonCommand" &&
          (c.input as { addonName: string }).addonName === "eks-pod-identity-agent",
      ),
    );
    assert.ok(
      r.kubeRequests.includes("GET /apis/apps/v1/namespaces/kube-system/daemonsets"),
      r.kubeRequests.join("\n"),
    );
  });
});

describe("IAM asked, not inferred", () => {
  test("the OIDC provider's existence is asked of IAM", async () => {
    const r = await doctor(plain(s.oidcProviderMissing)());
    const asked = r.awsCalls
      .filter((c) => c.command === "GetOpenIDConnectProviderCommand")
      .map((c) => c.input);
    assert.deepEqual(asked, [{ OpenIDConnectProviderArn: s.expected().oidcProviderArn }]);
    assert.equal(
      r.findings[0].next,
      "eksctl utils associate-iam-oidc-provider --cluster dev-eks --region eu-west-1 --approve",
    );
  });

  test("cert-manager's permissions are simulated with the exact request: zone, TXT, _acme-challenge name, UPSERT and DELETE", async () => {
    const r = await doctor({ stack: "fixture", obs: s.healthy() });
    const asked = r.awsCalls
      .filter((c) => c.command === "SimulatePrincipalPolicyCommand")
      .map((c) => c.input as { PolicySourceArn: string })
      .filter((i) => i.PolicySourceArn.endsWith(":role/dev-cert-manager-platform"));
    const context = (action: string) => [
      {
        ContextKeyName: "route53:ChangeResourceRecordSetsActions",
        ContextKeyType: "stringList",
        ContextKeyValues: [action],
      },
      {
        ContextKeyName: "route53:ChangeResourceRecordSetsRecordTypes",
        ContextKeyType: "stringList",
        ContextKeyValues: ["TXT"],
      },
      {
        ContextKeyName: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
        ContextKeyType: "stringList",
        ContextKeyValues: ["_acme-challenge.dev.example.com"],
      },
    ];
    const arn = "arn:aws:iam::111111111111:role/dev-cert-manager-platform";
    assert.deepEqual(asked, [
      {
        PolicySourceArn: arn,
        ActionNames: ["route53:ChangeResourceRecordSets"],
        ResourceArns: ["arn:aws:route53:::hostedzone/Z01234567DEVPUBLIC01"],
        ContextEntries: context("UPSERT"),
      },
      {
        PolicySourceArn: arn,
        ActionNames: ["route53:ChangeResourceRecordSets"],
        ResourceArns: ["arn:aws:route53:::hostedzone/Z01234567DEVPUBLIC01"],
        ContextEntries: context("DELETE"),
      },
      {
        PolicySourceArn: arn,
        ActionNames: ["route53:GetChange"],
        ResourceArns: ["arn:aws:route53:::change/*"],
        ContextEntries: [],
      },
    ]);
  });

  test("external-dns is asked for what it calls on its zones, and the denying statement is named", async () => {
    const r = await doctor(plain(s.acmeWriteDeniedByStatement)());
    const dns = r.awsCalls
      .filter((c) => c.command === "SimulatePrincipalPolicyCommand")
      .map((c) => c.input as { PolicySourceArn: string; ActionNames: string[]; ResourceArns: string[] })
      .filter((i) => i.PolicySourceArn.endsWith(":role/dev-external-dns-central-platform"))
      .map((i) => `${i.ActionNames[0]} ${i.ResourceArns[0]}`);
    assert.deepEqual(dns, [
      "route53:ChangeResourceRecordSets arn:aws:route53:::hostedzone/Z01234567DEVPUBLIC01",
      "route53:ListResourceRecordSets arn:aws:route53:::hostedzone/Z01234567DEVPUBLIC01",
      "route53:ListHostedZones *",
    ]);
    const [first] = r.findings;
    assert.equal(first.subject, "role dev-cert-manager-platform");
    assert.match(
      first.message,
      /a statement denies it: deny-public-zone-writes \(user-managed\) line 4, column 5/,
    );
  });
});

describe("hints: each finding's next is the command that addresses it", () => {
  test("no kubeconfig: update-kubeconfig, and no `0 issuers, 0 certificates`", async () => {
    const r = await doctor(
      { stack: "fixture", obs: s.healthy() },
      { options: { kubeConfig: new KubeConfig() } },
    );
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.next]),
      [["read-failed", "aws eks update-kubeconfig --name dev-eks --region eu-west-1"]],
    );
    assert.doesNotMatch(r.output, /\b0 (issuers|certificates)\b/);
    assert.match(
      r.output,
      /ingresses not read, 2 external-dns instances, issuers not read, certificates not read/,
    );
  });

  test("IAM's name does not resolve: a network check, not the caller identity", async () => {
    const r = await doctor({
      stack: "fixture",
      obs: s.healthy(),
      world: { iamError: "getaddrinfo ENOTFOUND iam.amazonaws.com" },
    });
    const failed = r.findings.filter((f) => f.id === "read-failed");
    assert.ok(failed.length >= 1);
    assert.ok(
      failed.every((f) => f.next === "nslookup iam.amazonaws.com"),
      JSON.stringify(failed),
    );
  });

  test("a Service without an address leads to the load balancer controller, its state in the evidence", async () => {
    const r = await doctor(plain(s.serviceWithoutAddress)());
    assert.equal(
      r.findings[0].next,
      "kubectl -n kube-system logs deploy/aws-load-balancer-controller --since=1h",
    );
    assert.ok(
      r.findings[0].evidence.includes("controller kube-system/aws-load-balancer-controller: 2/2 ready"),
      r.findings[0].evidence.join("\n"),
    );
  });
});
