/**
 * The policy pack on the real program: the offline plans of the dev and prod stacks (and of prod with an OIDC
 * provider this program creates), each made by the plan command (commands/plan.ts). Every rule must pass them, every rule must have something to look at, and a single change to
 * a real resource must produce exactly its one violation.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { TIER_LABEL } from "../policy/facts";
import { TYPES, resourceRules, type ResourceData } from "../policy/rules";
import { derivedStackFile, planStack } from "./helpers/stacks";
import { check, fromCapture } from "./policy.helpers";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-stacks-"));

/** Plans `stack` (from its own stack file, or from `base`'s with some values changed). */
async function plan(stack: string, derived?: { base: string; changes: Record<string, unknown> }) {
  const file = derived && derivedStackFile(out, stack, derived.base, derived.changes);
  return fromCapture(await planStack(stack, out, file));
}

let dev: ResourceData[];
let prod: ResourceData[];
let prodOidc: ResourceData[];
before(async () => {
  // "prod" is the stack name the oidc variant must keep, so that the pack treats it as production.
  [dev, prod] = await Promise.all([plan("dev"), plan("prod")]);
  prodOidc = await plan("prod", { base: "prod", changes: { "cluster.createOidcProvider": true } });
});

const find = (resources: ResourceData[], type: string, name: string): ResourceData => {
  const found = resources.find((r) => r.type === type && r.name === name);
  assert.ok(found, `${type} ${name}`);
  return found;
};

/** A deep copy of the stack with one resource changed. */
function changed(
  resources: ResourceData[],
  type: string,
  name: string,
  change: (r: ResourceData) => void,
): ResourceData[] {
  const copy = structuredClone(resources);
  change(find(copy, type, name));
  return copy;
}

const dict = (value: unknown) => value as Record<string, unknown>;

/** The platform Namespace of a planned stack. */
const platformNamespace = (resources: ResourceData[]) => {
  const found = resources.filter((r) => r.type === TYPES.namespace);
  assert.equal(found.length, 1, "one namespace");
  return found[0];
};

/**
 * Why the pack takes a real stack for `tier`: from the tier label the program puts on its namespace.
 */
function tierReason(resources: ResourceData[], tier: "dev" | "prod"): string {
  const ns = platformNamespace(resources);
  const labels = dict(dict(ns.props.metadata).labels ?? {});
  assert.equal(labels[TIER_LABEL], tier, "the program labels its namespace with the stack's tier");
  return `${tier === "prod" ? "a" : "not a"} prod stack: namespace ${ns.name} is labelled ${TIER_LABEL}=${tier}`;
}

/** The stack with its platform Namespace labelled `tier`, as the program labels it. */
function labelled(resources: ResourceData[], tier: string): ResourceData[] {
  const copy = structuredClone(resources);
  const meta = dict(platformNamespace(copy).props.metadata);
  meta.labels = { ...dict(meta.labels ?? {}), [TIER_LABEL]: tier };
  return copy;
}

describe("the real stacks", () => {
  test("every rule has resources to look at in both stacks", () => {
    for (const [stack, resources] of [
      ["dev", dev],
      ["prod", prod],
    ] as const) {
      for (const rule of resourceRules) {
        assert.ok(
          resources.some((r) => rule.types.includes(r.type)),
          `${stack}: nothing for ${rule.name}`,
        );
      }
      const releases = resources.filter((r) => r.type === TYPES.release).map((r) => r.props.chart);
      assert.equal(releases.filter((c) => c === "external-dns").length, 2, `${stack}: two external-dns`);
      assert.ok(releases.includes("oci://quay.io/jetstack/charts/cert-manager"), `${stack}: cert-manager`);
    }
  });

  test("prod passes every rule", () => {
    assert.deepEqual(check(prod, "prod"), []);
  });

  test("prod with an OIDC provider created here passes too: the provider is protected", () => {
    const provider = prodOidc.filter((r) => r.type === TYPES.oidcProvider);
    assert.deepEqual(
      provider.map((r) => [r.name, r.protect]),
      [["prod-eks-oidc", true]],
    );
    assert.deepEqual(check(prodOidc, "prod"), []);
  });

  test("dev passes every mandatory rule; its unprotected roles are advice only", () => {
    assert.deepEqual(
      check(dev, "dev"),
      [
        "dev-aws-load-balancer-controller-kube-system",
        "dev-cert-manager-platform",
        "dev-ecr-operator-platform",
        "dev-external-dns-central-platform",
        "dev-external-dns-private-platform",
        "dev-orders-api-orders",
      ].map(
        (role) =>
          `protect-identity-outside-prod [advisory] ${role}: IAM role ${role} is not protected; set protect: true so that no update can delete it (${tierReason(dev, "dev")})`,
      ),
    );
  });
});

describe("prod is the tier the program labels its namespace with", () => {
  test("dev's stack on the prod tier is prod: its unprotected roles become mandatory violations", () => {
    const lines = check(labelled(dev, "prod"), "dev");
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.match(
        line,
        new RegExp(
          `^protect-identity-in-prod \\[mandatory\\] .*\\(a prod stack: namespace platform is labelled ${TIER_LABEL}=prod\\)$`,
        ),
      );
    }
    assert.equal(lines.length, check(dev, "dev").length);
  });

  test("prod's stack on the dev tier is not prod, whatever its name", () => {
    const unprotected = changed(labelled(prod, "dev"), TYPES.role, "prod-orders-api-orders", (r) => {
      r.protect = false;
    });
    assert.deepEqual(check(unprotected, "prod"), [
      `protect-identity-outside-prod [advisory] prod-orders-api-orders: IAM role prod-orders-api-orders is not protected; set protect: true so that no update can delete it (not a prod stack: namespace platform is labelled ${TIER_LABEL}=dev)`,
    ]);
  });
});

describe("one change to a real resource, one violation", () => {
  test("an unprotected role in prod", () => {
    const broken = changed(prod, TYPES.role, "prod-orders-api-orders", (r) => {
      r.protect = false;
    });
    assert.deepEqual(check(broken, "prod"), [
      `protect-identity-in-prod [mandatory] prod-orders-api-orders: IAM role prod-orders-api-orders is not protected; set protect: true so that no update can delete it (${tierReason(prod, "prod")})`,
    ]);
  });

  test("a team's statement widened to write every object of every bucket (issue 13's hole)", () => {
    let index = -1;
    const broken = changed(prod, TYPES.policy, "prod-orders-api-orders", (r) => {
      const doc = JSON.parse(r.props.policy as string) as {
        Statement: { Sid?: string; Action: string[]; Resource: string[] }[];
      };
      index = doc.Statement.findIndex((st) => st.Sid === "ReadInvoices");
      assert.ok(index >= 0, "the ReadInvoices statement of Pulumi.prod.yaml");
      doc.Statement[index].Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
      doc.Statement[index].Resource = ["arn:aws:s3:::*/*"];
      r.props.policy = JSON.stringify(doc);
    });
    assert.deepEqual(check(broken, "prod"), [
      `iam-no-wildcard-writes [mandatory] prod-orders-api-orders: managed policy prod-orders-api-orders, statement #${index} (Sid "ReadInvoices"): Allow of write actions (s3:PutObject, s3:DeleteObject) on "arn:aws:s3:::*/*", which spans every S3 bucket; name the resources it may change`,
    ]);
  });

  test("a team's statement that writes to every queue", () => {
    const broken = changed(prod, TYPES.policy, "prod-orders-api-orders", (r) => {
      const doc = JSON.parse(r.props.policy as string) as { Statement: { Resource: string[] }[] };
      doc.Statement[0].Resource = ["arn:aws:sqs:eu-west-1:333333333333:*"];
      r.props.policy = JSON.stringify(doc);
    });
    assert.deepEqual(check(broken, "prod"), [
      'iam-no-wildcard-writes [mandatory] prod-orders-api-orders: managed policy prod-orders-api-orders, statement #0 (Sid "ConsumeOrders"): Allow of write actions (sqs:ReceiveMessage, sqs:DeleteMessage) on "arn:aws:sqs:eu-west-1:333333333333:*", which spans every SQS queue; name the resources it may change',
    ]);
  });

  test("the load balancer controller's policy passes only as upstream's, exactly", () => {
    const ALB = "dev-aws-load-balancer-controller-kube-system";
    const wildcardLines = (resources: ResourceData[]) =>
      check(resources, "dev").filter((l) => l.startsWith("iam-no-wildcard-writes"));
    assert.deepEqual(wildcardLines(dev), [], "upstream's document on the controller's role");
    // One action added to a statement upstream has: the document is no longer upstream's, so every one of its
    // writes on a wildcard is reported, the added one among them.
    const widened = changed(dev, TYPES.policy, ALB, (r) => {
      const doc = JSON.parse(r.props.policy as string) as { Statement: { Action: string[] }[] };
      doc.Statement[4].Action.push("ec2:DeleteVpc");
      r.props.policy = JSON.stringify(doc);
    });
    const lines = wildcardLines(widened);
    assert.ok(lines.length > 1);
    assert.ok(
      lines.every((l) => l.startsWith(`iam-no-wildcard-writes [mandatory] ${ALB}: managed policy ${ALB}`)),
    );
    assert.ok(lines.some((l) => l.includes("statement #4") && l.includes("ec2:DeleteVpc")));
    // The same document under a team role's name is not the controller's.
    const borrowed = changed(dev, TYPES.policy, "dev-orders-api-orders", (r) => {
      r.props.policy = find(dev, TYPES.policy, ALB).props.policy;
    });
    assert.ok(
      wildcardLines(borrowed).some((l) =>
        l.startsWith(
          "iam-no-wildcard-writes [mandatory] dev-orders-api-orders: managed policy dev-orders-api-orders",
        ),
      ),
    );
  });

  test("a trust policy without its audience", () => {
    const broken = changed(dev, TYPES.role, "dev-cert-manager-platform", (r) => {
      const trust = JSON.parse(r.props.assumeRolePolicy as string) as {
        Statement: { Condition: { StringEquals: Record<string, string> } }[];
      };
      const equals = trust.Statement[0].Condition.StringEquals;
      const aud = Object.keys(equals).find((k) => k.endsWith(":aud"));
      assert.ok(aud);
      delete equals[aud];
      r.props.assumeRolePolicy = JSON.stringify(trust);
      r.protect = true;
    });
    assert.deepEqual(
      check(broken, "dev").filter((l) => !l.startsWith("protect-identity-outside-prod")),
      [
        'irsa-trust-pins-sub-and-aud [mandatory] dev-cert-manager-platform: trust policy of dev-cert-manager-platform, statement #0: no StringEquals condition on "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:aud"',
      ],
    );
  });

  test("cert-manager without crds.keep", () => {
    const broken = changed(prod, TYPES.release, "cert-manager", (r) => {
      dict(dict(r.props.values).crds).keep = false;
    });
    assert.deepEqual(check(broken, "prod"), [
      "cert-manager-keeps-crds [mandatory] cert-manager: cert-manager release cert-manager does not set crds.keep: true; uninstalling it would delete the CRDs and with them every Certificate and Issuer",
    ]);
  });

  test("an ingress chart version range", () => {
    const broken = changed(prod, TYPES.release, "ingress-public", (r) => {
      r.props.version = "^2.6.4";
    });
    assert.deepEqual(check(broken, "prod"), [
      'helm-chart-version-pinned [mandatory] ingress-public: release ingress-public (chart oci://ghcr.io/nginx/charts/nginx-ingress) asks for chart version "^2.6.4", which is not an exact version; pin one such as 1.2.3',
    ]);
  });

  test("the central external-dns instance reusing the private one's owner ID", () => {
    const broken = changed(prod, TYPES.release, "external-dns-central", (r) => {
      dict(r.props.values).txtOwnerId = "prod-prod-eks-private";
    });
    assert.deepEqual(check(broken, "prod"), [
      'external-dns-disjoint [mandatory] external-dns-private: external-dns releases external-dns-central and external-dns-private share the txtOwnerId "prod-prod-eks-private"',
    ]);
  });

  test("split horizon passes; the private instance widened to the whole company domain and unpinned does not", () => {
    const splitHorizon = changed(prod, TYPES.release, "external-dns-private", (r) => {
      dict(r.props.values).domainFilters = ["example.com"];
    });
    assert.deepEqual(check(splitHorizon, "prod"), []);
    const broken = changed(prod, TYPES.release, "external-dns-private", (r) => {
      const values = dict(r.props.values);
      values.domainFilters = ["example.com"];
      values.extraArgs = (values.extraArgs as string[]).filter((a) => !a.startsWith("--zone-id-filter"));
    });
    assert.deepEqual(check(broken, "prod"), [
      'external-dns-disjoint [mandatory] external-dns-private: external-dns releases external-dns-central and external-dns-private have overlapping domainFilters "prod.example.com" and "example.com"',
    ]);
  });

  test("a Route53 solver that no longer pins its zone", () => {
    const broken = changed(prod, TYPES.clusterIssuer, "letsencrypt-prod", (r) => {
      const solvers = dict(dict(r.props.spec).acme).solvers as {
        dns01?: { route53: Record<string, unknown> };
      }[];
      delete solvers[0].dns01?.route53.hostedZoneID;
    });
    assert.deepEqual(check(broken, "prod"), [
      "acme-issuer-lets-encrypt [mandatory] letsencrypt-prod: ACME issuer letsencrypt-prod, solver #0: the Route53 DNS-01 solver does not pin hostedZoneID",
    ]);
  });
});
