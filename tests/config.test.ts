/**
 * The stack configuration: both real stack files resolve to the expected settings, and every rule rejects bad
 * input with a problem naming the key, the value and what is expected, all problems in one report.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, formatProblems } from "../stacks/config";
import { splitRawConfig } from "../stacks/load";
import { assertOneProblem, edited, load, problems, stackValues, toPulumiConfig } from "./helpers/config";

const dev = () => load(edited("dev", {}));
const prod = () => load(edited("prod", {}), "prod");

describe("real stack files", () => {
  test("dev resolves to the dev tier's defaults", () => {
    const cfg = dev();
    assert.equal(cfg.environment, "dev");
    assert.equal(cfg.tier, "dev");
    assert.equal(cfg.region, "eu-west-1");
    assert.equal(cfg.namespace, "platform");
    assert.equal(cfg.protect, false);
    assert.deepEqual(
      cfg.ingress.instances.map((i) => [
        i.key,
        i.className,
        i.scheme,
        i.replicas,
        i.isDefaultClass,
        i.highAvailability,
      ]),
      [
        ["public", "nginx-public", "internet-facing", 1, true, false],
        ["internal", "nginx-internal", "internal", 1, false, false],
      ],
    );
    assert.deepEqual(
      cfg.externalDns.map((e) => [
        e.name,
        e.zoneType,
        e.ownerId,
        e.policy,
        e.ingressClass,
        e.zoneIds,
        e.domainFilters,
      ]),
      [
        [
          "private",
          "private",
          "dev-dev-eks-private",
          "sync",
          "nginx-internal",
          ["Z01234567DEVPRIVATE1"],
          ["dev.internal.example.com"],
        ],
        [
          "central",
          "public",
          "dev-dev-eks-central",
          "sync",
          "nginx-public",
          ["Z01234567DEVPUBLIC01"],
          ["dev.example.com"],
        ],
      ],
    );
    assert.equal(cfg.certManager.defaultIssuer, "letsencrypt-staging");
    assert.deepEqual(cfg.certManager.replicas, { controller: 1, webhook: 1, cainjector: 1 });
    // dev.internal.example.com does not shadow dev.example.com: the cluster's resolver is fine.
    assert.deepEqual(cfg.certManager.recursiveNameservers, []);
    assert.deepEqual(cfg.certManager.dns01Zones, [
      { name: "dev.example.com", zoneId: "Z01234567DEVPUBLIC01", roleArn: undefined },
    ]);
    assert.equal(cfg.certManager.http01IngressClass, "nginx-public");
  });

  test("prod resolves to the prod tier's defaults and its cross-account DNS", () => {
    const cfg = prod();
    assert.equal(cfg.tier, "prod");
    assert.equal(cfg.protect, true);
    assert.deepEqual(
      cfg.ingress.instances.map((i) => [i.key, i.replicas, i.highAvailability, i.sourceRanges]),
      [
        ["public", 3, true, []],
        ["internal", 2, true, ["10.0.0.0/8"]],
      ],
    );
    const central = cfg.externalDns.find((e) => e.name === "central");
    assert.deepEqual(central?.assumeRole, {
      roleArn: "arn:aws:iam::222222222222:role/prod-eks-external-dns",
      externalId: "prod-eks-platform",
    });
    assert.equal(central?.policy, "upsert-only");
    assert.deepEqual(cfg.externalDns.find((e) => e.name === "private")?.domainFilters, [
      "internal.example.com",
    ]);
    assert.deepEqual(cfg.certManager.replicas, { controller: 2, webhook: 3, cainjector: 2 });
    assert.equal(cfg.certManager.podDisruptionBudgets, true);
    assert.equal(cfg.certManager.defaultIssuer, "letsencrypt-prod");
    // internal.example.com and prod.example.com do not overlap: the VPC resolver serves the self-check.
    assert.deepEqual(cfg.certManager.recursiveNameservers, []);
    assert.deepEqual(cfg.certManager.dns01Zones, [
      {
        name: "prod.example.com",
        zoneId: "Z0987654PRODPUBLIC01",
        roleArn: "arn:aws:iam::222222222222:role/prod-eks-cert-manager",
      },
    ]);
  });

  test("user values override tier defaults", () => {
    const cfg = load(
      edited("prod", {
        "externalDns.policy": "sync",
        protect: false,
        "certManager.defaultIssuer": "internal-ca",
      }),
      "prod",
    );
    assert.equal(cfg.protect, false);
    assert.ok(cfg.externalDns.every((e) => e.policy === "sync"));
    assert.equal(cfg.certManager.defaultIssuer, "internal-ca");
  });

  test("omitted ingress gets the public and internal instances; environment defaults to the stack name", () => {
    const cfg = load(edited("dev", { ingress: undefined, environment: undefined }), "qa");
    assert.equal(cfg.environment, "qa");
    assert.deepEqual(
      cfg.ingress.instances.map((i) => [i.key, i.className, i.scheme, i.isDefaultClass]),
      [
        ["public", "nginx-public", "internet-facing", true],
        ["internal", "nginx-internal", "internal", false],
      ],
    );
    assert.equal(cfg.ingress.loadBalancer, "aws-load-balancer-controller");
  });
});

describe("split-horizon DNS", () => {
  const nameservers = (privateZone: string) =>
    load(
      edited("dev", {
        "dns.privateZones[0].name": privateZone,
        "externalDns.private.domainFilters": ["x.internal.example.org"],
      }),
    ).certManager.recursiveNameservers;

  test("a private zone that contains a DNS-01 zone turns on public resolvers for the self-check", () => {
    assert.deepEqual(nameservers("example.com"), ["1.1.1.1:53", "8.8.8.8:53"]);
  });

  test("so does a private zone inside a DNS-01 zone", () => {
    assert.deepEqual(nameservers("internal.dev.example.com"), ["1.1.1.1:53", "8.8.8.8:53"]);
  });

  test("a private zone beside it does not, and an explicit list always wins", () => {
    assert.deepEqual(nameservers("dev.example.org"), []);
    const cfg = load(edited("dev", { "certManager.recursiveNameservers": ["10.0.0.2:53"] }));
    assert.deepEqual(cfg.certManager.recursiveNameservers, ["10.0.0.2:53"]);
  });
});

describe("raw config decoding", () => {
  test("keeps scalars as text and decodes structured values", () => {
    const { values, region } = splitRawConfig({
      "aws:region": "eu-west-1",
      "eks-platform:tier": "dev",
      "eks-platform:protect": "true",
      "eks-platform:dns": '{"publicZones":[]}',
      "other:key": "x",
    });
    assert.equal(region, "eu-west-1");
    assert.deepEqual(values, { tier: "dev", protect: true, dns: { publicZones: [] } });
  });
});

describe("missing and unknown keys", () => {
  test("every missing required key is reported, each by name", () => {
    const all = toPulumiConfig({ "aws:region": "eu-west-1" });
    const found = problems(all);
    assert.deepEqual(
      found.map((p) => p.key),
      ["eks-platform:tier", "eks-platform:cluster", "eks-platform:dns", "eks-platform:certManager"],
    );
    // What to set, in the project's words, not the section's documentation.
    assert.deepEqual(
      found.map((p) => p.expected),
      [
        'missing: set it to one of "dev", "prod"',
        "missing: set cluster.mode (existing or new) and that mode's keys (docs/configuration.md)",
        "missing: set it, with one or more of dns.privateZones, dns.publicZones, dns.centralDnsAccount (docs/configuration.md)",
        "missing: set certManager.email (the Let's Encrypt account's contact), or certManager.letsEncrypt: false",
      ],
    );
  });

  test("missing aws:region", () => {
    assertOneProblem(edited("dev", { "aws:region": undefined }), "aws:region", /required: the AWS region/);
  });

  test("a misspelt top-level key is unknown, with a suggestion", () => {
    const p = assertOneProblem(
      edited("dev", { ingres: { instances: {} } }),
      "eks-platform:ingres",
      /unknown key/,
    );
    assert.match(p.expected, /Did you mean "ingress"\?/);
  });

  test("a misspelt nested key is unknown, with a suggestion and the known keys", () => {
    const p = assertOneProblem(
      edited("dev", { "dns.publicZone": [] }),
      "eks-platform:dns.publicZone",
      /unknown key\. Did you mean "publicZones"\?/,
    );
    assert.match(p.expected, /Known keys: privateZones, publicZones, centralDnsAccount/);
  });

  test("an unknown key inside a record entry names its full path", () => {
    assertOneProblem(
      edited("dev", { "ingress.instances.public.clasName": "x" }),
      "eks-platform:ingress.instances.public.clasName",
      /Did you mean "className"\?/,
    );
  });

  test("an unknown environment tier", () => {
    const p = assertOneProblem(
      edited("dev", { tier: "staging" }),
      "eks-platform:tier",
      /expected one of "dev", "prod"/,
    );
    assert.equal(p.value, "staging");
  });

  test("a stack name that is not a valid environment name, when none is set", () => {
    assertOneProblem(
      edited("dev", { environment: undefined }),
      "eks-platform:environment",
      /stack name 'Dev_1'/,
      "Dev_1",
    );
  });
});

describe("formats", () => {
  const cases: [string, string, unknown, RegExp][] = [
    [
      "malformed OIDC provider ARN",
      "cluster.oidcProviderArn",
      "arn:aws:iam::1111:oidc-provider/x",
      /EKS IAM OIDC provider ARN/,
    ],
    [
      "malformed role ARN",
      "dns.centralDnsAccount",
      { externalDnsRoleArn: "arn:aws:iam::222:role/x" },
      /IAM role ARN/,
    ],
    [
      "malformed boundary policy ARN",
      "iam.permissionsBoundaryArn",
      "arn:aws:iam::111111111111:role/x",
      /managed policy ARN/,
    ],
    [
      "ECR ARN with a wildcard region",
      "ecr.repositoryArns[0]",
      "arn:aws:ecr:*:111111111111:repository/x",
      /ECR repository ARN/,
    ],
    [
      "zone ID with the /hostedzone/ prefix",
      "dns.publicZones[0].zoneId",
      "/hostedzone/Z01234567DEVPUBLIC01",
      /no \/hostedzone\/ prefix/,
    ],
    ["lower-case zone ID", "dns.privateZones[0].zoneId", "z0123456789", /Route53 hosted zone ID/],
    [
      "domain with upper case and a trailing dot",
      "dns.publicZones[0].name",
      "Dev.Example.com.",
      /lower-case DNS name/,
    ],
    ["e-mail", "certManager.email", "platform-team(at)example.com", /e-mail address/],
    ["environment name too long", "environment", "a-very-long-environment", /1-16 characters/],
    ["namespace not a DNS label", "namespace", "Platform_NS", /Kubernetes DNS label/],
    ["ingress scheme", "ingress.instances.public.scheme", "public", /"internet-facing", "internal"/],
    ["source range", "ingress.instances.internal.sourceRanges", ["10.0.0.0/33"], /IPv4 CIDR/],
    ["region", "aws:region", "Europe", /AWS region/],
    ["cluster mode", "cluster.mode", "borrowed", /mode: existing/],
    [
      "recursive nameserver without port",
      "certManager.recursiveNameservers",
      ["1.1.1.1"],
      /address and port/,
    ],
  ];
  for (const [what, path, value, expected] of cases) {
    test(`rejects a ${what}`, () => {
      const found = problems(edited("dev", { [path]: value }));
      assert.equal(found.length, 1, found.map((p) => `${p.key}: ${p.expected}`).join("\n"));
      assert.match(found[0].key, new RegExp(`^(eks-platform:)?${path.split(/[.[]/)[0].replace(":", "\\:")}`));
      assert.match(found[0].expected, expected);
      if (typeof value === "string") {
        assert.equal(found[0].value, value, "the report shows the bad value");
      }
    });
  }
});

describe("names within AWS limits", () => {
  test("an extra role whose name would exceed IAM's 64 characters", () => {
    const key = "a-rather-long-team-role-key-for-orders";
    const p = assertOneProblem(
      edited("dev", {
        environment: "development-eu1",
        [`iam.extraRoles.${key}`]: {
          namespace: "orders-and-payments",
          serviceAccount: "orders",
          description: "x",
          statements: [
            {
              effect: "Allow",
              actions: ["sqs:ReceiveMessage"],
              resources: ["arn:aws:sqs:eu-west-1:111111111111:q"],
            },
          ],
        },
      }),
      `eks-platform:iam.extraRoles.${key}`,
      /"development-eu1-a-rather-long-team-role-key-for-orders-orders-and-payments" has 74 characters and IAM allows 64/,
    );
    assert.ok(p);
  });

  test("a long platform namespace pushes every built-in role over the limit: one problem per role", () => {
    // 50 characters: every built-in role name (`dev-<key>-<namespace>`) passes 64.
    const found = problems(
      edited("dev", { namespace: "platform-edge-ingress-dns-and-certificates-for-all" }),
    );
    assert.deepEqual(
      found.map((p) => p.key),
      [
        "eks-platform:namespace",
        "eks-platform:namespace",
        "eks-platform:namespace",
        "eks-platform:ecr.namespace",
      ],
    );
  });
});

describe("ingress", () => {
  test("two instances with one class name", () => {
    assertOneProblem(
      edited("dev", { "ingress.instances.internal.className": "nginx-public" }),
      "eks-platform:ingress.instances.internal.className",
      /instance 'public' uses it already/,
    );
  });

  test("two default classes", () => {
    assertOneProblem(
      edited("dev", { "ingress.instances.internal.default": true }),
      "eks-platform:ingress.instances",
      /at most one instance with default: true; public and internal both set it/,
    );
  });

  test("a single replica in prod", () => {
    assertOneProblem(
      edited("prod", { "ingress.instances.internal.replicas": 1 }),
      "eks-platform:ingress.instances.internal.replicas",
      /at least 2 in a prod tier/,
      "prod",
    );
  });

  test("no instances at all", () => {
    const found = problems(edited("dev", { "ingress.instances": {} }));
    assert.ok(
      found.some(
        (p) => p.key === "eks-platform:ingress.instances" && /at least one instance/.test(p.expected),
      ),
    );
  });
});

describe("external-dns", () => {
  test("zones shared between the instances", () => {
    const found = problems(
      edited("dev", { "externalDns.central.zoneIds": ["Z01234567DEVPUBLIC01", "Z01234567DEVPRIVATE1"] }),
    );
    assert.deepEqual(
      found.map((p) => [p.key, p.value]),
      [
        ["eks-platform:externalDns.central.zoneIds[1]", "Z01234567DEVPRIVATE1"],
        ["eks-platform:externalDns.central.zoneIds", ["Z01234567DEVPUBLIC01", "Z01234567DEVPRIVATE1"]],
      ],
    );
    assert.match(found[0].expected, /this one is a private zone, which the other instance manages/);
    assert.match(
      found[1].expected,
      /no zone shared with externalDns\.private\.zoneIds \(both list Z01234567DEVPRIVATE1\)/,
    );
  });

  test("split horizon: a private zone named like the public one is accepted, with public resolvers for DNS-01", () => {
    const cfg = load(
      edited("dev", { "dns.privateZones": [{ name: "dev.example.com", zoneId: "Z01234567DEVPRIVATE1" }] }),
    );
    const [priv, central] = cfg.externalDns;
    assert.deepEqual(priv.domainFilters, central.domainFilters);
    assert.deepEqual([priv.zoneType, central.zoneType], ["private", "public"]);
    assert.notDeepEqual(priv.zoneIds, central.zoneIds);
    assert.notEqual(priv.ownerId, central.ownerId);
    assert.deepEqual(cfg.certManager.recursiveNameservers, ["1.1.1.1:53", "8.8.8.8:53"]);
  });

  test("split horizon: a private parent of the public zone is accepted too", () => {
    const cfg = load(
      edited("dev", { "dns.privateZones": [{ name: "example.com", zoneId: "Z01234567DEVPRIVATE1" }] }),
    );
    assert.deepEqual(
      cfg.externalDns.map((e) => e.domainFilters),
      [["example.com"], ["dev.example.com"]],
    );
    assert.deepEqual(cfg.certManager.recursiveNameservers, ["1.1.1.1:53", "8.8.8.8:53"]);
  });

  test("explicit domain filters that overlap are accepted: the zones keep the instances apart", () => {
    const cfg = load(edited("dev", { "externalDns.private.domainFilters": ["example.com"] }));
    assert.deepEqual(cfg.externalDns[0].domainFilters, ["example.com"]);
  });

  test("one owner ID for both", () => {
    assertOneProblem(
      edited("dev", { "externalDns.private.ownerId": "dev-dev-eks-central" }),
      "eks-platform:externalDns.central.ownerId",
      /different from externalDns\.private\.ownerId/,
    );
  });

  test("one ingress class for both", () => {
    assertOneProblem(
      edited("dev", { "externalDns.private.ingressClass": "nginx-public" }),
      "eks-platform:externalDns.central.ingressClass",
      /different from externalDns\.private\.ingressClass/,
    );
  });

  test("an ingress class no controller serves", () => {
    assertOneProblem(
      edited("dev", { "externalDns.central.ingressClass": "nginx" }),
      "eks-platform:externalDns.central.ingressClass",
      /one of the ingress classes \(nginx-public, nginx-internal\)/,
    );
  });

  test("a zone ID that is not configured", () => {
    assertOneProblem(
      edited("dev", { "externalDns.private.zoneIds": ["Z99999999UNKNOWN"] }),
      "eks-platform:externalDns.private.zoneIds[0]",
      /one of the zone IDs in dns\.privateZones/,
    );
  });

  test("settings for an instance that has no zones", () => {
    assertOneProblem(
      edited("dev", { "dns.privateZones": [], "externalDns.private.ownerId": "x" }),
      "eks-platform:externalDns.private",
      /exists only when dns\.privateZones is not empty/,
    );
  });
});

describe("cert-manager", () => {
  test("a private zone used for DNS-01", () => {
    const p = assertOneProblem(
      edited("dev", { "certManager.dns01Zones": ["dev.internal.example.com"] }),
      "eks-platform:certManager.dns01Zones[0]",
      /Let's Encrypt validates DNS-01 against public DNS/,
    );
    assert.equal(p.value, "dev.internal.example.com");
  });

  test("a DNS-01 zone that is not configured", () => {
    assertOneProblem(
      edited("dev", { "certManager.dns01Zones": ["other.example.org"] }),
      "eks-platform:certManager.dns01Zones[0]",
      /one of dns\.publicZones \(dev\.example\.com\)/,
    );
  });

  test("HTTP-01 without a public ingress class", () => {
    assertOneProblem(
      edited("dev", {
        "ingress.instances.public.scheme": "internal",
        "externalDns.central.ingressClass": "nginx-public",
        "externalDns.private.ingressClass": "nginx-internal",
      }),
      "eks-platform:certManager.http01IngressClass",
      /no ingress instance is internet-facing/,
    );
  });

  test("HTTP-01 through an internal class", () => {
    assertOneProblem(
      edited("dev", { "certManager.http01IngressClass": "nginx-internal" }),
      "eks-platform:certManager.http01IngressClass",
      /internet-facing ingress class: Let's Encrypt must reach the HTTP-01 solver/,
    );
  });

  test("HTTP-01 can be turned off", () => {
    const cfg = load(edited("dev", { "certManager.http01": false }));
    assert.equal(cfg.certManager.http01IngressClass, undefined);
  });
});

describe("DNS and cluster cross-checks", () => {
  test("one zone ID listed twice", () => {
    assertOneProblem(
      edited("dev", { "dns.publicZones[0].zoneId": "Z01234567DEVPRIVATE1" }),
      "eks-platform:dns.publicZones[0].zoneId",
      /dns\.privateZones\[0\] has it already/,
    );
  });

  test("a central DNS account without public zones", () => {
    const found = problems(
      edited("dev", {
        "dns.publicZones": [],
        "dns.centralDnsAccount": { externalDnsRoleArn: "arn:aws:iam::222222222222:role/dns" },
        "certManager.http01": true,
      }),
    );
    assert.ok(
      found.some(
        (p) => p.key === "eks-platform:dns.centralDnsAccount" && /publicZones to go with it/.test(p.expected),
      ),
    );
  });

  test("an external ID with no separate cert-manager role", () => {
    assertOneProblem(
      edited("prod", { "dns.centralDnsAccount.certManagerRoleArn": undefined }),
      "eks-platform:dns.centralDnsAccount.certManagerRoleArn",
      /cannot send an external ID/,
      "prod",
    );
  });

  test("an OIDC provider ARN and createOidcProvider together", () => {
    assertOneProblem(
      edited("dev", { "cluster.createOidcProvider": true }),
      "eks-platform:cluster.createOidcProvider",
      /either oidcProviderArn or createOidcProvider/,
    );
  });

  test("an OIDC provider of another region", () => {
    assertOneProblem(
      edited("dev", { "aws:region": "us-east-1" }),
      "eks-platform:cluster.oidcProviderArn",
      /aws:region us-east-1, not eu-west-1/,
    );
  });

  test("a new cluster with an impossible node group", () => {
    assertOneProblem(
      edited("dev", {
        cluster: {
          mode: "new",
          name: "dev-eks",
          vpcId: "vpc-0123456789abcdef0",
          nodes: { min: 3, desired: 2, max: 4 },
        },
      }),
      "eks-platform:cluster.nodes",
      /min <= desired <= max/,
    );
  });
});

describe("extra roles", () => {
  const role = (statement: Record<string, unknown>) => ({
    "iam.extraRoles.orders-api.statements": [statement],
  });
  const sqs = "arn:aws:sqs:eu-west-1:111111111111:dev-orders";

  test('"*" as an action', () => {
    const p = assertOneProblem(
      edited("dev", role({ effect: "Allow", actions: ["*"], resources: [sqs] })),
      "eks-platform:iam.extraRoles.orders-api.statements[0].actions[0]",
      /IAM action `service:Action`/,
    );
    assert.equal(p.value, "*");
  });

  test("a whole service as an action", () => {
    assertOneProblem(
      edited("dev", role({ effect: "Allow", actions: ["sqs:*"], resources: [sqs] })),
      "eks-platform:iam.extraRoles.orders-api.statements[0].actions[0]",
      /named actions, not a whole service/,
    );
  });

  test("an action that does not look like an IAM action", () => {
    assertOneProblem(
      edited("dev", role({ effect: "Allow", actions: ["SendMessage"], resources: [sqs] })),
      "eks-platform:iam.extraRoles.orders-api.statements[0].actions[0]",
      /IAM action `service:Action`/,
    );
  });

  test("an effect other than Allow or Deny", () => {
    assertOneProblem(
      edited("dev", role({ effect: "allow", actions: ["sqs:SendMessage"], resources: [sqs] })),
      "eks-platform:iam.extraRoles.orders-api.statements[0].effect",
      /"Allow", "Deny"/,
    );
  });

  test("no resources", () => {
    assertOneProblem(
      edited("dev", role({ effect: "Allow", actions: ["sqs:SendMessage"], resources: [] })),
      "eks-platform:iam.extraRoles.orders-api.statements[0].resources",
      /at least one resource/,
    );
  });

  test("an Allow of a write action on *", () => {
    assertOneProblem(
      edited(
        "dev",
        role({ effect: "Allow", actions: ["sqs:GetQueueUrl", "sqs:SendMessage"], resources: ["*"] }),
      ),
      "eks-platform:iam.extraRoles.orders-api.statements[0].resources[0]",
      /sqs:SendMessage may write/,
    );
  });

  test("read actions on * and a Deny on * are accepted", () => {
    const cfg = load(
      edited("dev", {
        "iam.extraRoles.orders-api.statements": [
          { effect: "Allow", actions: ["sqs:ListQueues"], resources: ["*"] },
          { effect: "Deny", actions: ["sqs:DeleteQueue"], resources: ["*"] },
        ],
      }),
    );
    const orders = cfg.identity.roles.find((r) => r.key === "orders-api");
    assert.equal(orders?.policy.Statement.length, 2);
  });

  test("a key that collides with a built-in role", () => {
    const values = stackValues("dev");
    const extra = (values.iam as { extraRoles: Record<string, unknown> }).extraRoles;
    extra["cert-manager"] = { ...(extra["orders-api"] as object), namespace: "platform" };
    const found = problems(toPulumiConfig(values));
    assert.deepEqual(
      found.map((p) => p.key),
      ["eks-platform:iam.extraRoles.cert-manager", "eks-platform:iam.extraRoles"],
    );
    // Every add-on's role key is reserved, the load balancer controller's included (components/addOns.ts).
    assert.equal(
      found[0].expected,
      "a key other than the built-in roles (aws-load-balancer-controller, external-dns-private, external-dns-central, cert-manager, ecr-operator)",
    );
    assert.match(found[1].expected, /unique role names; "dev-cert-manager-platform" would be created twice/);
  });
});

describe("wrong types and bad keys", () => {
  test("a number where a string belongs says what was expected and what was got", () => {
    const p = assertOneProblem(
      edited("prod", { "tags.cost-center": 4711 }),
      "eks-platform:tags.cost-center",
      /^expected text, got a number; quote it in YAML: "4711"$/,
      "prod",
    );
    assert.equal(p.value, 4711);
  });

  test("a list where an object belongs, and text where a boolean belongs", () => {
    const found = problems(edited("dev", { "dns.centralDnsAccount": ["x"], protect: "yes" }));
    assert.deepEqual(
      found.map((p) => [p.key, p.expected]),
      [
        ["eks-platform:protect", "expected true or false, got text"],
        ["eks-platform:dns.centralDnsAccount", "expected a map of keys, got a list"],
      ],
    );
  });

  test("a missing key is still reported as required", () => {
    assertOneProblem(
      edited("dev", { "ingress.instances.public.scheme": undefined }),
      "eks-platform:ingress.instances.public.scheme",
      /^missing: set it to one of "internet-facing", "internal"$/,
    );
  });

  test("a bad tag key says what a key must be, showing the key", () => {
    const p = assertOneProblem(
      edited("dev", { "tags.aws:owner": "me" }),
      "eks-platform:tags.aws:owner",
      /^a valid key: tag keys may not start with aws:$/,
    );
    assert.equal(p.value, "aws:owner");
  });

  test("a bad IAM condition operator and a bad role key say what is expected", () => {
    const found = problems(
      edited("dev", {
        "iam.extraRoles.orders-api.statements[0].conditions": {
          "String Equals": { "aws:SourceVpc": "vpc-1" },
        },
        "iam.extraRoles.Orders_API": (stackValues("dev").iam as { extraRoles: Record<string, unknown> })
          .extraRoles["orders-api"],
      }),
    );
    const byKey = Object.fromEntries(found.map((p) => [p.key, p.expected]));
    assert.match(
      byKey["eks-platform:iam.extraRoles.orders-api.statements[0].conditions.String Equals"],
      /^a valid key: an IAM condition operator such as StringEquals/,
    );
    assert.match(byKey["eks-platform:iam.extraRoles.Orders_API"], /^a valid key: a Kubernetes DNS label/);
    assert.ok(!found.some((p) => /Invalid key in record/.test(p.expected)));
  });
});

describe("the ACME e-mail", () => {
  for (const email of [
    "platform-team@example.com",
    "ops@mail.example.org",
    "ops@EXAMPLE.NET",
    "ops@corp.example",
    "ops@ci.test",
    "ops@nowhere.invalid",
    "ops@host.localhost",
  ]) {
    test(`rejects ${email}: a reserved or example domain, which Let's Encrypt refuses`, () => {
      const p = assertOneProblem(
        edited("dev", { "certManager.email": email }),
        "eks-platform:certManager.email",
        /an address at a real domain: Let's Encrypt refuses contacts at reserved and example domains/,
      );
      assert.equal(p.value, email);
    });
  }

  test("accepts a real domain, including one that merely contains a reserved name", () => {
    for (const email of ["ops@acme-corp.com", "ops@example.com.au", "ops@myexample.com", "ops@testing.io"]) {
      assert.equal(load(edited("dev", { "certManager.email": email })).certManager.email, email);
    }
  });

  test("both shipped stacks have a contact Let's Encrypt accepts", () => {
    for (const stack of ["dev", "prod"]) {
      const email = (stackValues(stack).certManager as { email: string }).email;
      assert.doesNotMatch(
        email,
        /@(?:.*\.)?(?:example\.(?:com|net|org)|[^.]+\.(?:example|test|invalid|localhost))$/i,
      );
    }
    assert.equal(dev().certManager.email, "platform-team@acme-corp.com");
    assert.equal(prod().certManager.email, "platform-team@acme-corp.com");
  });
});

describe("everything at once", () => {
  test("a team role missing its description and allowing s3:* reports both, in one run", () => {
    const found = problems(
      edited("dev", {
        "iam.extraRoles.orders-api.description": undefined,
        "iam.extraRoles.orders-api.statements[0].actions": ["s3:*"],
      }),
    );
    assert.deepEqual(
      found.map((p) => [p.key, p.expected]),
      [
        ["eks-platform:iam.extraRoles.orders-api.description", "missing: set it (text)"],
        [
          "eks-platform:iam.extraRoles.orders-api.statements[0].actions[0]",
          "named actions, not a whole service: list the actions the workload calls",
        ],
      ],
    );
  });

  test("kinds and limits in the project's words, not the validator's", () => {
    const found = problems(
      edited("dev", {
        tags: ["a", "b"],
        "ingress.instances.public.replicas": 0,
        "ingress.instances.internal.replicas": 1.5,
      }),
    );
    assert.deepEqual(
      found.map((p) => [p.key, p.expected]),
      [
        ["eks-platform:tags", "expected a map of key: value entries, got a list"],
        ["eks-platform:ingress.instances.public.replicas", "expected at least 1"],
        ["eks-platform:ingress.instances.internal.replicas", "expected a whole number"],
      ],
    );
    for (const p of found) {
      assert.doesNotMatch(p.expected, /record|array|\bint\b|Too small|>=/, p.expected);
    }
  });

  test("a duplicate IngressClass is reported together with an unrelated scheme typo", () => {
    const found = problems(
      edited("dev", {
        "ingress.instances.public.scheme": "publik",
        "ingress.instances.internal.className": "nginx-public",
      }),
    );
    assert.deepEqual(
      found.map((p) => p.key),
      ["eks-platform:ingress.instances.public.scheme", "eks-platform:ingress.instances.internal.className"],
    );
    assert.match(found[1].expected, /a class name of its own; instance 'public' uses it already/);
  });

  test("an entry of the wrong type is left out of the checks, and its consequences are not reported", () => {
    const found = problems(
      edited("dev", {
        "ingress.instances.public": "nginx-public",
        "ingress.instances.extra": { className: "nginx-internal", scheme: "internal" },
      }),
    );
    assert.deepEqual(
      found.map((p) => [p.key, p.expected]),
      [
        ["eks-platform:ingress.instances.public", "expected a map of keys, got text"],
        [
          "eks-platform:ingress.instances.extra.className",
          "a class name of its own; instance 'internal' uses it already, and two controllers on one class would both serve its Ingresses",
        ],
      ],
    );
  });

  test("a bad zone ID and a duplicate zone name in one dns section", () => {
    const found = problems(
      edited("dev", {
        "dns.publicZones[0].zoneId": "bad",
        "dns.privateZones[1]": { name: "dev.internal.example.com", zoneId: "Z01234567DEVPRIVATE2" },
      }),
    );
    assert.deepEqual(
      found.map((p) => p.key),
      ["eks-platform:dns.publicZones[0].zoneId", "eks-platform:dns.privateZones[1].name"],
    );
  });

  test("a bad statement ID and a least-privilege hole in the same role, naming the statement", () => {
    const found = problems(
      edited("dev", {
        "iam.extraRoles.orders-api.statements[0].sid": "Consume Orders",
        "iam.extraRoles.orders-api.statements[0].actions": ["sqs:DeleteMessage"],
        "iam.extraRoles.orders-api.statements[0].resources": ["*"],
      }),
    );
    assert.deepEqual(
      found.map((p) => p.key),
      [
        "eks-platform:iam.extraRoles.orders-api.statements[0].sid",
        "eks-platform:iam.extraRoles.orders-api.statements[0].resources[0]",
      ],
    );
    assert.match(found[1].expected, /sqs:DeleteMessage may write/);
  });

  test("a problem the schema already explains is not reported again by the checks", () => {
    // The class is malformed, so it is also no class the ingress serves: one problem, not two.
    assertOneProblem(
      edited("dev", { "certManager.http01IngressClass": "Nginx_Public" }),
      "eks-platform:certManager.http01IngressClass",
      /Kubernetes DNS label/,
    );
  });

  test("a misspelt config namespace is named, with the project's", () => {
    const all = Object.fromEntries(
      Object.entries(edited("dev", {})).map(([k, v]) => [k.replace(/^eks-platform:/, "eks-plaform:"), v]),
    );
    const found = problems(all);
    assert.equal(found[0].key, "eks-plaform:tier");
    assert.match(found[0].expected, /^unknown namespace "eks-plaform"\. Did you mean "eks-platform"\?/);
    // Provider namespaces are not typos.
    assert.ok(!found.some((p) => p.key.startsWith("aws:")));
  });
});

describe("the report", () => {
  test("several mistakes in different sections come in one report, each with key, value and expectation", () => {
    const all = edited("dev", {
      tier: "qa",
      "dns.publicZones[0].zoneId": "bad",
      "certManager.email": "nobody",
      "ingress.instances.internal.className": "nginx-public",
      colour: "blue",
    });
    let error: unknown;
    try {
      load(all);
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(
      error.problems.map((p) => p.key),
      [
        "eks-platform:colour",
        "eks-platform:tier",
        "eks-platform:dns.publicZones[0].zoneId",
        "eks-platform:certManager.email",
        "eks-platform:ingress.instances.internal.className",
      ],
    );
    assert.match(error.message, /^Stack 'dev' configuration has 5 problems; nothing was created:/);
    assert.match(
      error.message,
      /- eks-platform:dns\.publicZones\[0\]\.zoneId \(got "bad"\): a Route53 hosted zone ID/,
    );
  });

  test("the report reads well for a single problem", () => {
    assert.equal(
      formatProblems("dev", [
        { key: "eks-platform:tier", value: "qa", expected: 'expected one of "dev", "prod"' },
      ]),
      'Stack \'dev\' configuration has 1 problem; nothing was created:\n  - eks-platform:tier (got "qa"): expected one of "dev", "prod"',
    );
  });
});
