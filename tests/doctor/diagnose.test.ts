/**
 * The diagnosis on the recorded platform: healthy reports nothing, and each broken link is named first.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { FINDING_ORDER, diagnose, ownerOf, ownershipTxtName } from "../../commands/doctor/diagnose";
import { loadExpected } from "../../commands/doctor/expected";
import { parseArgs } from "../../commands/doctor/index";
import type { ExpectedPlatform, Finding, Observed } from "../../commands/doctor/model";
import * as s from "./scenarios";

const exp = s.expected();
const run = (scenario: (o: Observed) => Observed, host?: string): Finding[] =>
  diagnose(exp, scenario(s.healthy()), { host });

describe("doctor diagnosis", () => {
  test("a healthy platform reports nothing", () => {
    assert.deepEqual(
      run((o) => o),
      [],
    );
  });

  test("a pod still running with the old role is named first, with a rollout restart", () => {
    const [first, ...rest] = run(s.staleRoleOnPod);
    assert.equal(first.id, "pod-stale-role");
    assert.equal(first.subject, "pod platform/external-dns-central-6f7a8b9c0d-x7k2p");
    assert.match(first.message, /dev-external-dns-public-platform/);
    assert.equal(first.next, "kubectl -n platform rollout restart deploy/external-dns-central");
    assert.deepEqual(rest, []);
  });

  test("a trust naming the wrong service account comes before the AccessDenied it causes", () => {
    const findings = run(s.trustNamesWrongServiceAccount);
    assert.equal(findings[0].id, "trust-wrong-subject");
    assert.equal(findings[0].subject, "role dev-external-dns-central-platform");
    assert.match(
      findings[0].message,
      /system:serviceaccount:platform:external-dns\b.*platform\/external-dns-central/,
    );
    const denied = findings.findIndex((f) => f.id === "externaldns-access-denied");
    assert.ok(denied > 0, "the AccessDenied in the log is reported as a consequence");
  });

  test("a record owned by the other external-dns instance", () => {
    const [first] = run(s.recordOwnedByOtherInstance);
    assert.equal(first.id, "dns-record-owned-by-other");
    assert.equal(first.subject, "host www.dev.example.com");
    assert.match(first.message, /other external-dns instance \(private, owner dev-dev-eks-private\)/);
  });

  test("a DNS-01 TXT record hidden by a private zone is split horizon", () => {
    const [first] = run(s.txtHiddenByPrivateZone);
    assert.equal(first.id, "dns01-split-horizon");
    assert.equal(first.subject, "challenge shop/web-tls-1-3021425371-1866402227");
    assert.match(first.message, /private zone dev\.example\.com/);
    assert.match(first.next, /recursiveNameservers/);
  });

  test("without a private zone, the same waiting challenge means the record is not public", () => {
    const [first] = run(s.challengeWaitingForPropagation);
    assert.equal(first.id, "dns01-not-public");
    assert.ok(first.evidence.some((e) => /ENOTFOUND/.test(e)));
    assert.equal(first.next, "dig +short TXT _acme-challenge.www.dev.example.com @1.1.1.1");
  });

  test("an ACME account e-mail rejected comes before the certificate that waits for it", () => {
    const findings = run(s.acmeEmailRejected);
    assert.deepEqual(
      findings.map((f) => [f.id, f.subject]),
      [
        ["acme-contact-rejected", "clusterissuer letsencrypt-staging"],
        ["certificate-not-ready", "certificate shop/web-tls"],
      ],
    );
    assert.match(findings[0].message, /platform-team@example\.com/);
    assert.equal(
      findings[0].next,
      "pulumi config set --path certManager.email <a mailbox of your domain> -s fixture",
    );
  });

  test("HTTP-01 blocked by an HTTPS redirect", () => {
    const findings = run(s.http01BlockedByRedirect);
    assert.equal(findings[0].id, "http01-https-redirect");
    assert.match(findings[0].message, /^HTTPS redirect blocks HTTP-01/);
    assert.equal(findings[0].next, `curl -sI ${s.HTTP01_URL}`);
    // The name is outside every external-dns domain: a note, after the error.
    assert.deepEqual(
      findings.slice(1).map((f) => [f.id, f.severity]),
      [["dns-no-instance", "info"]],
    );
  });

  test("a Service without a load balancer address comes before the Ingress without one", () => {
    const findings = run(s.serviceWithoutAddress);
    assert.deepEqual(
      findings.map((f) => f.id),
      ["lb-address-missing", "ingress-address-missing"],
    );
    assert.equal(findings[0].subject, "service platform/ingress-public-nginx-ingress-controller");
    assert.ok(findings[0].evidence.some((e) => e.includes("FailedDeployModel")));
  });

  test("a TXT record cert-manager may not write: the denial comes from the Challenge's events", () => {
    const [first] = run(s.dns01WriteDenied);
    assert.equal(first.id, "dns01-txt-missing");
    assert.match(first.message, /may not write _acme-challenge\.www\.dev\.example\.com/);
    assert.ok(first.evidence.some((e) => e.startsWith("event PresentError: ")));
  });

  test("Pod Identity: the association is checked instead of the IRSA trust and annotation", () => {
    const podIdentity: ExpectedPlatform = {
      ...exp,
      roles: exp.roles.map((r) => (r.key === "orders-api" ? { ...r, binding: "pod-identity" } : r)),
    };
    const obs = s.healthy();
    const roleArn = "arn:aws:iam::111111111111:role/dev-orders-api-orders";
    const role = obs.aws.roles["dev-orders-api-orders"];
    assert.ok(role);
    role.trust = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    };
    const pod = obs.kubernetes.pods.find((p) => p.spec.serviceAccountName === "orders-api");
    assert.ok(pod);
    pod.spec.containers[0].env = [
      { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
    ];
    assert.deepEqual(
      diagnose(podIdentity, obs).map((f) => f.id),
      ["pod-identity-association-missing"],
    );
    obs.aws.podIdentityAssociations.push({ namespace: "orders", serviceAccount: "orders-api", roleArn });
    assert.deepEqual(diagnose(podIdentity, obs), []);
  });

  test("a cluster that cannot be read is one read-failed finding, not a list of missing objects", () => {
    const obs = s.healthy();
    const message = "connect ECONNREFUSED 127.0.0.1:8080";
    for (const kind of Object.keys(obs.kubernetes) as (keyof Observed["kubernetes"])[]) {
      if (kind !== "logs") {
        obs.kubernetes[kind] = [];
      }
    }
    obs.readErrors = [
      "kubernetes pods in platform",
      "kubernetes pods in orders",
      "kubernetes serviceaccounts in platform",
      "kubernetes serviceaccounts in orders",
      "kubernetes services in platform",
      "kubernetes deployments in platform",
      "kubernetes deployments in kube-system",
      "kubernetes endpointslices in kube-system",
      "kubernetes ingresses",
      "kubernetes ingressclasses",
      "kubernetes events",
      "kubernetes clusterissuers.cert-manager.io",
      "kubernetes certificates.cert-manager.io",
    ].map((source) => ({ source, message }));
    const findings = diagnose(exp, obs);
    assert.deepEqual(
      findings.map((f) => [f.id, f.subject, f.next]),
      // Refused connections: the API server is not reachable, so the cluster's address is what to check.
      [["read-failed", "Kubernetes (13 reads)", "kubectl cluster-info"]],
    );
    assert.match(findings[0].message, /kubernetes pods in platform, .*: connect ECONNREFUSED/);
  });

  test("--host limits the DNS and certificate checks to that name", () => {
    assert.deepEqual(run(s.recordOwnedByOtherInstance, "orders.dev.internal.example.com"), []);
    assert.equal(run(s.recordOwnedByOtherInstance, "www.dev.example.com")[0].id, "dns-record-owned-by-other");
  });
});

describe("the load balancer controller in the expected platform", () => {
  test("a stack that installs it: its role is checked like the others, with its release, namespace and webhook", () => {
    const dev = loadExpected("dev");
    assert.deepEqual(dev.loadBalancerController, {
      mode: "install",
      namespace: "kube-system",
      serviceAccount: "aws-load-balancer-controller",
      release: "aws-load-balancer-controller",
      webhookService: "aws-load-balancer-webhook-service",
    });
    const role = dev.roles.find((r) => r.key === "aws-load-balancer-controller");
    assert.deepEqual(role && [role.namespace, role.serviceAccount, role.release], [
      "kube-system",
      "aws-load-balancer-controller",
      "aws-load-balancer-controller",
    ]);
  });
});

describe("external-dns TXT registry names", () => {
  test("the prefix with %{record_type} goes before the first label", () => {
    assert.equal(
      ownershipTxtName("extdns-%{record_type}.", "www.dev.example.com", "A"),
      "extdns-a.www.dev.example.com",
    );
    assert.equal(
      ownershipTxtName("extdns-%{record_type}.", "dev.example.com", "CNAME"),
      "extdns-cname.dev.example.com",
    );
  });
  test("a prefix without it puts the type in front of the first label", () => {
    assert.equal(ownershipTxtName("extdns-", "www.dev.example.com", "A"), "extdns-a-www.dev.example.com");
  });
  test("the owner is read only from external-dns records", () => {
    assert.equal(
      ownerOf(
        '"heritage=external-dns,external-dns/owner=dev-dev-eks-central,external-dns/resource=ingress/a/b"',
      ),
      "dev-dev-eks-central",
    );
    assert.equal(ownerOf("v=spf1 -all"), undefined);
  });
});

describe("doctor command line", () => {
  test("stack, --host, --json and --nameserver", () => {
    assert.deepEqual(
      parseArgs(["dev", "--host", "www.dev.example.com", "--json", "--nameserver", "9.9.9.9"]),
      {
        stack: "dev",
        host: "www.dev.example.com",
        json: true,
        stackFile: undefined,
        nameservers: ["9.9.9.9"],
      },
    );
  });
  test("--dns-role names the role to read the DNS account with", () => {
    const role = "arn:aws:iam::222222222222:role/dns-readonly";
    assert.equal(parseArgs(["prod", "--dns-role", role])?.dnsRole, role);
    assert.equal(parseArgs(["prod", "--dns-role", role])?.stack, "prod");
  });
  test("no stack or an unknown flag is a usage error", () => {
    assert.equal(parseArgs(["--json"]), undefined);
    assert.equal(parseArgs(["dev", "--fix"]), undefined);
  });
});

describe("the finding catalogue", () => {
  test("docs/troubleshooting.md explains every finding id the doctor can report, and no other", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "troubleshooting.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Start here"), doc.indexOf("## Manual steps"));
    const documented = [...section.matchAll(/^\| `([a-z0-9-]+)` +\|/gm)].map((m) => m[1]);
    assert.deepEqual([...documented].sort(), [...FINDING_ORDER].sort());
  });
});

describe("what the doctor expects of a stack", () => {
  test("with certManager.letsEncrypt: false, the internal CA's issuer alone; otherwise all three", () => {
    const fixtures = path.join(__dirname, "..", "fixtures", "stacks");
    const privateStack = loadExpected("private", path.join(fixtures, "Pulumi.private.yaml"));
    assert.deepEqual(privateStack.certManager.issuers, ["internal-ca"]);
    const dev = loadExpected("dev", path.join(fixtures, "Pulumi.dev.yaml"));
    assert.deepEqual(dev.certManager.issuers, ["letsencrypt-staging", "letsencrypt-prod", "internal-ca"]);
  });
});
