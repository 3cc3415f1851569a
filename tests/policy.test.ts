/**
 * The policy pack on crafted resources: every rule passes a valid resource and reports exactly the expected
 * violation, and nothing else, for a broken one. Then the CrossGuard wiring (pack.ts) with arguments shaped like
 * the engine's. No Pulumi engine or program run here; the real stacks are in policy.stacks.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "../policy/pack";
import { PACK_NAME, policies } from "../policy/pack";
import {
  MULTI_SERVICE_ACCOUNT_TAG,
  TYPES,
  chartName,
  resourceRules,
  stackFromUrn,
  stackRules,
  stackTier,
  type ResourceData,
} from "../policy/rules";
import { TIER_LABEL } from "../policy/facts";
import {
  ISSUER,
  LE_STAGING,
  OIDC_ARN,
  acmeSpec,
  certManager,
  check,
  clusterIssuer,
  dnsValues,
  externalDns,
  irsaTrust,
  namespace,
  policyDoc,
  release,
  res,
  role,
  sa,
  trustStatement,
  urnOf,
} from "./policy.helpers";

const ZONE = "arn:aws:route53:::hostedzone/Z0123456789";
const iamPolicy = (...statements: Record<string, unknown>[]) =>
  res(TYPES.policy, "app", { name: "app", policy: policyDoc(...statements) });
const allow = (action: unknown, resource: unknown, sid?: string) => ({
  ...(sid ? { Sid: sid } : {}),
  Effect: "Allow",
  Action: action,
  Resource: resource,
});

describe("iam-no-wildcard-writes", () => {
  const R = "iam-no-wildcard-writes [mandatory] app";

  test("passes writes on named resources, reads on anything, and denies", () => {
    assert.deepEqual(
      check([
        iamPolicy(
          allow(["route53:ChangeResourceRecordSets"], [ZONE]),
          allow(["route53:ListHostedZones", "route53:GetChange"], "*"),
          allow(["ecr:GetAuthorizationToken"], ["*"]),
          allow(["ecr:BatchGetImage"], ["arn:aws:ecr:eu-west-1:111111111111:repository/platform/*"]),
          { Effect: "Deny", Action: "*", Resource: "*" },
        ),
      ]),
      [],
    );
  });

  test("reports a write on '*', naming the statement and only the write actions", () => {
    assert.deepEqual(
      check([iamPolicy(allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], ["*"], "Objects"))]),
      [
        `${R}: managed policy app, statement #0 (Sid "Objects"): Allow of write actions (s3:PutObject, s3:DeleteObject) on "*", which spans every resource; name the resources it may change`,
      ],
    );
  });

  test("reports a write on a wildcard hosted zone, a wildcard account, and '*' as a plain string", () => {
    assert.deepEqual(
      check([
        iamPolicy(
          allow("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/*"),
          allow(["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:*:orders"]),
          allow("*", "*"),
        ),
      ]),
      [
        `${R}: managed policy app, statement #0: Allow of write actions (route53:ChangeResourceRecordSets) on "arn:aws:route53:::hostedzone/*", which spans every route53 hostedzone; name the resources it may change`,
        `${R}: managed policy app, statement #1: Allow of write actions (sqs:SendMessage) on "arn:aws:sqs:eu-west-1:*:orders", which spans every account of sqs; name the resources it may change`,
        `${R}: managed policy app, statement #2: Allow of write actions (*) on "*", which spans every resource; name the resources it may change`,
      ],
    );
  });

  test("reports writes on every object of every bucket, every queue and every table (issue 13, point 6)", () => {
    assert.deepEqual(
      check([
        iamPolicy(
          allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], ["arn:aws:s3:::*/*"], "Objects"),
          allow("s3:PutObject", ["arn:aws:s3:::orders-invoices/*", "arn:aws:s3:::orders-*/*"]),
          allow("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111111111111:*"),
          allow("dynamodb:PutItem", [
            "arn:aws:dynamodb:eu-west-1:111111111111:table/orders/index/*",
            "arn:aws:dynamodb:eu-west-1:111111111111:table/*",
          ]),
        ),
      ]),
      [
        `${R}: managed policy app, statement #0 (Sid "Objects"): Allow of write actions (s3:PutObject, s3:DeleteObject) on "arn:aws:s3:::*/*", which spans every S3 bucket; name the resources it may change`,
        `${R}: managed policy app, statement #1: Allow of write actions (s3:PutObject) on "arn:aws:s3:::orders-*/*", which spans every S3 bucket whose name matches "orders-*"; name the resources it may change`,
        `${R}: managed policy app, statement #2: Allow of write actions (sqs:SendMessage) on "arn:aws:sqs:eu-west-1:111111111111:*", which spans every SQS queue; name the resources it may change`,
        `${R}: managed policy app, statement #3: Allow of write actions (dynamodb:PutItem) on "arn:aws:dynamodb:eu-west-1:111111111111:table/*", which spans every dynamodb table; name the resources it may change`,
      ],
    );
  });

  test("counts NotAction as writes and NotResource as a wildcard", () => {
    assert.deepEqual(
      check([
        iamPolicy(
          { Effect: "Allow", NotAction: ["iam:*"], Resource: "*" },
          { Effect: "Allow", Action: ["s3:PutObject"], NotResource: ["arn:aws:s3:::secrets/*"] },
          { Effect: "Allow", Action: ["s3:GetObject"], NotResource: ["arn:aws:s3:::secrets/*"] },
        ),
      ]),
      [
        `${R}: managed policy app, statement #0: Allow of write actions (every action except iam:*) on "*", which spans every resource; name the resources it may change`,
        `${R}: managed policy app, statement #1: Allow of write actions (s3:PutObject) with NotResource, which matches every other resource; list the resources instead`,
      ],
    );
  });

  test("checks role inline policies, role, user and group policies, and documents given as objects", () => {
    const doc = { Version: "2012-10-17", Statement: allow("s3:PutObject", "*") };
    assert.deepEqual(
      check([
        role("app", irsaTrust(), { inlinePolicies: [{ name: "extra", policy: JSON.stringify(doc) }] }),
        res(TYPES.rolePolicy, "inline", { role: "app", policy: doc }),
        res(TYPES.userPolicy, "deploy", { user: "ci", policy: doc }),
        res(TYPES.groupPolicy, "ops", { name: "ops-write", group: "ops", policy: doc }),
      ]),
      [
        `iam-no-wildcard-writes [mandatory] app: role app, inline policy "extra", statement #0: Allow of write actions (s3:PutObject) on "*", which spans every resource; name the resources it may change`,
        `iam-no-wildcard-writes [mandatory] inline: role app, policy inline, statement #0: Allow of write actions (s3:PutObject) on "*", which spans every resource; name the resources it may change`,
        `iam-no-wildcard-writes [mandatory] deploy: user ci, policy deploy, statement #0: Allow of write actions (s3:PutObject) on "*", which spans every resource; name the resources it may change`,
        `iam-no-wildcard-writes [mandatory] ops: group ops, policy ops-write, statement #0: Allow of write actions (s3:PutObject) on "*", which spans every resource; name the resources it may change`,
      ],
    );
  });

  test("reports a policy that is not JSON instead of passing it", () => {
    assert.deepEqual(check([res(TYPES.policy, "app", { policy: "{not json" })]), [
      `${R}: managed policy app: the document is not valid JSON, so it cannot be checked`,
    ]);
  });
});

describe("irsa-trust-pins-sub-and-aud", () => {
  const R = "irsa-trust-pins-sub-and-aud [mandatory] app";
  const trustWith = (condition: Record<string, unknown>) => ({
    Version: "2012-10-17",
    Statement: [trustStatement(condition)],
  });

  test("passes StringEquals on both claims, and principals that are not OIDC providers", () => {
    const ec2 = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    };
    assert.deepEqual(check([role("app"), role("node", ec2)]), []);
  });

  test("reports a missing aud", () => {
    assert.deepEqual(
      check([role("app", trustWith({ StringEquals: { [`${ISSUER}:sub`]: sa("apps", "app") } }))]),
      [`${R}: trust policy of app, statement #0: no StringEquals condition on "${ISSUER}:aud"`],
    );
  });

  test("reports sub under StringLike instead of StringEquals", () => {
    const trust = trustWith({
      StringLike: { [`${ISSUER}:sub`]: sa("apps", "app") },
      StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" },
    });
    assert.deepEqual(check([role("app", trust)]), [
      `${R}: trust policy of app, statement #0: no StringEquals condition on "${ISSUER}:sub"`,
    ]);
  });

  test("reports both claims when there is no condition, for each OIDC provider of the statement", () => {
    const other = "oidc.eks.us-east-1.amazonaws.com/id/FFFF";
    const trust = {
      Statement: [trustStatement({}, [OIDC_ARN, `arn:aws:iam::111111111111:oidc-provider/${other}`])],
    };
    assert.deepEqual(check([role("app", trust)]), [
      `${R}: trust policy of app, statement #0: no StringEquals condition on "${ISSUER}:sub"`,
      `${R}: trust policy of app, statement #0: no StringEquals condition on "${ISSUER}:aud"`,
      `${R}: trust policy of app, statement #0: no StringEquals condition on "${other}:sub"`,
      `${R}: trust policy of app, statement #0: no StringEquals condition on "${other}:aud"`,
    ]);
  });

  test("reports a trust policy that is not JSON", () => {
    assert.deepEqual(check([role("app", "nope")]), [
      `${R}: trust policy of app is not valid JSON, so it cannot be checked`,
    ]);
  });
});

describe("irsa-one-service-account", () => {
  const R = "irsa-one-service-account [mandatory] app";
  const declared = { tags: { [MULTI_SERVICE_ACCOUNT_TAG]: "true" } };

  test("reports two service accounts in one condition", () => {
    assert.deepEqual(check([role("app", irsaTrust([sa("apps", "a"), sa("apps", "b")]))]), [
      `${R}: role app is trusted by more than one service account (system:serviceaccount:apps:a; system:serviceaccount:apps:b); give each workload its own role, or declare it with the tag eks-platform/multi-service-account: "true"`,
    ]);
  });

  test("counts the service accounts of all statements together", () => {
    const a = irsaTrust(sa("apps", "a")).Statement as unknown[];
    const b = irsaTrust(sa("jobs", "b")).Statement as unknown[];
    assert.deepEqual(check([role("app", { Statement: [...a, ...b] })]), [
      `${R}: role app is trusted by more than one service account (system:serviceaccount:apps:a; system:serviceaccount:jobs:b); give each workload its own role, or declare it with the tag eks-platform/multi-service-account: "true"`,
    ]);
  });

  test('passes a declared role, and only with the tag set to "true"', () => {
    const trust = irsaTrust([sa("apps", "a"), sa("apps", "b")]);
    assert.deepEqual(check([role("app", trust, declared)]), []);
    assert.equal(check([role("app", trust, { tags: { [MULTI_SERVICE_ACCOUNT_TAG]: "yes" } })]).length, 1);
  });

  test("a StringLike pattern alone counts as many (and breaks the sub rule too)", () => {
    const trust = {
      Statement: [
        trustStatement({
          StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:apps:*" },
          StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" },
        }),
      ],
    };
    assert.deepEqual(check([role("app", trust)]), [
      `irsa-trust-pins-sub-and-aud [mandatory] app: trust policy of app, statement #0: no StringEquals condition on "${ISSUER}:sub"`,
      `${R}: role app is trusted by more than one service account (every service account matching system:serviceaccount:apps:*); give each workload its own role, or declare it with the tag eks-platform/multi-service-account: "true"`,
    ]);
  });

  test("a StringLike next to a StringEquals on sub only narrows it", () => {
    const trust = {
      Statement: [
        trustStatement({
          StringEquals: { [`${ISSUER}:sub`]: sa("apps", "a"), [`${ISSUER}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:apps:*" },
        }),
      ],
    };
    assert.deepEqual(check([role("app", trust)]), []);
  });
});

describe("helm-chart-version-pinned", () => {
  const nginx = (version: unknown) =>
    release("ingress-public", {
      chart: "oci://ghcr.io/nginx/charts/nginx-ingress",
      ...(version === undefined ? {} : { version }),
    });

  test("passes exact versions, with or without a leading v or a pre-release", () => {
    for (const version of ["2.6.4", "v1.21.1", "1.0.0-rc.1", "0.1.0+build.5"]) {
      assert.deepEqual(check([nginx(version)]), [], version);
    }
  });

  test("reports a release without a version", () => {
    for (const version of [undefined, "", "  "]) {
      assert.deepEqual(check([nginx(version)]), [
        "helm-chart-version-pinned [mandatory] ingress-public: release ingress-public (chart oci://ghcr.io/nginx/charts/nginx-ingress) has no chart version; pin an exact one such as 1.2.3",
      ]);
    }
  });

  test("reports ranges and partial versions", () => {
    for (const version of [
      "^2.6.4",
      "~2.6.4",
      ">=2.0.0",
      "2.6",
      "2.x",
      "2.6.*",
      "*",
      "2.6.4 - 2.7.0",
      "latest",
    ]) {
      assert.deepEqual(check([nginx(version)]), [
        `helm-chart-version-pinned [mandatory] ingress-public: release ingress-public (chart oci://ghcr.io/nginx/charts/nginx-ingress) asks for chart version "${version}", which is not an exact version; pin one such as 1.2.3`,
      ]);
    }
  });
});

describe("helm-no-community-ingress-nginx", () => {
  const R = "helm-no-community-ingress-nginx [mandatory] ingress";

  test("passes F5 NGINX's chart", () => {
    assert.deepEqual(
      check([release("ingress", { chart: "oci://ghcr.io/nginx/charts/nginx-ingress", version: "2.6.4" })]),
      [],
    );
  });

  test("reports the community chart by its repository, its name, its OCI registry and its release archive", () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { chart: "ingress-nginx", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" } },
        "https://kubernetes.github.io/ingress-nginx",
      ],
      [{ chart: "ingress-nginx/ingress-nginx" }, "ingress-nginx/ingress-nginx"],
      [
        { chart: "nginx", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx/" } },
        "https://kubernetes.github.io/ingress-nginx/",
      ],
      [
        { chart: "oci://registry.k8s.io/ingress-nginx/charts/controller" },
        "oci://registry.k8s.io/ingress-nginx/charts/controller",
      ],
      [
        { chart: "https://example.com/charts/ingress-nginx-4.12.1.tgz" },
        "https://example.com/charts/ingress-nginx-4.12.1.tgz",
      ],
    ];
    for (const [props, source] of cases) {
      assert.deepEqual(check([release("ingress", { ...props, version: "4.12.1" })]), [
        `${R}: release ingress installs the retired community ingress-nginx (${source}); use F5 NGINX's nginx-ingress chart`,
      ]);
    }
  });
});

describe("cert-manager-keeps-crds", () => {
  const R = "cert-manager-keeps-crds [mandatory] cert-manager";
  const noKeep = `${R}: cert-manager release cert-manager does not set crds.keep: true; uninstalling it would delete the CRDs and with them every Certificate and Issuer`;
  const installCrds = `${R}: cert-manager release cert-manager sets the deprecated installCRDs; use crds.enabled and crds.keep instead`;

  test("passes crds.keep: true", () => {
    assert.deepEqual(check([certManager()]), []);
  });

  test("reports crds.keep false or missing", () => {
    assert.deepEqual(check([certManager({ crds: { enabled: true, keep: false } })]), [noKeep]);
    assert.deepEqual(check([certManager({ crds: { enabled: true } })]), [noKeep]);
    assert.deepEqual(check([certManager({})]), [noKeep]);
  });

  test("reports installCRDs, alone or with crds.keep missing", () => {
    assert.deepEqual(check([certManager({ installCRDs: true, crds: { keep: true } })]), [installCrds]);
    assert.deepEqual(check([certManager({ installCRDs: true })]), [noKeep, installCrds]);
  });

  test("recognises cert-manager from a classic repository too, and nothing else", () => {
    const classic = release("cert-manager", {
      chart: "jetstack/cert-manager",
      version: "v1.21.1",
      values: {},
    });
    assert.deepEqual(check([classic]), [noKeep]);
    assert.equal(chartName("oci://quay.io/jetstack/charts/cert-manager:v1.21.1"), "cert-manager");
    assert.equal(chartName("oci://quay.io/jetstack/charts/cert-manager@sha256:abc"), "cert-manager");
    assert.deepEqual(
      check([release("other", { chart: "cert-manager-webhook-x", version: "1.0.0", values: {} })]),
      [],
    );
  });
});

describe("external-dns-policy-and-owner", () => {
  const R = "external-dns-policy-and-owner [mandatory] external-dns-private";
  const values = dnsValues("dev-private", "Z1", "internal.example.com");

  test("passes an instance with its policy and owner", () => {
    assert.deepEqual(check([externalDns("private", values)]), []);
  });

  test("reports a missing or unknown policy", () => {
    const { policy: _drop, ...noPolicy } = values;
    void _drop;
    assert.deepEqual(check([externalDns("private", noPolicy)]), [
      `${R}: external-dns release external-dns-private does not set policy; set sync, upsert-only, create-only`,
    ]);
    assert.deepEqual(check([externalDns("private", { ...values, policy: "delete-all" })]), [
      `${R}: external-dns release external-dns-private has policy "delete-all"; expected one of sync, upsert-only, create-only`,
    ]);
  });

  test("reports a missing or empty txtOwnerId", () => {
    for (const txtOwnerId of [undefined, ""]) {
      assert.deepEqual(check([externalDns("private", { ...values, txtOwnerId })]), [
        `${R}: external-dns release external-dns-private does not set txtOwnerId`,
      ]);
    }
  });

  test("recognises external-dns by its chart name only", () => {
    const named = release("external-dns-x", { chart: "other-chart", version: "1.0.0", values: {} });
    assert.deepEqual(check([named]), []);
  });
});

describe("external-dns-disjoint (stack)", () => {
  const R = "external-dns-disjoint [mandatory]";
  const priv = externalDns("private", dnsValues("dev-private", "ZPRIV", "internal.example.com"));
  const pub = (values: Record<string, unknown>) => externalDns("central", values);

  test("passes instances with their own owner, zones and domains", () => {
    assert.deepEqual(check([priv, pub(dnsValues("dev-central", "ZPUB", "dev.example.com"))]), []);
  });

  test("reports a shared owner ID, against the second instance", () => {
    assert.deepEqual(check([priv, pub(dnsValues("dev-private", "ZPUB", "dev.example.com"))]), [
      `${R} external-dns-central: external-dns releases external-dns-private and external-dns-central share the txtOwnerId "dev-private"`,
    ]);
  });

  test("reports a shared zone ID, from either form of the flag", () => {
    const listed = {
      ...dnsValues("dev-central", "ZPUB", "dev.example.com"),
      extraArgs: ["--zone-id-filter", "ZPRIV"],
    };
    const mapped = {
      ...dnsValues("dev-central", "ZPUB", "dev.example.com"),
      extraArgs: { "zone-id-filter": ["ZPRIV"] },
    };
    for (const values of [listed, mapped]) {
      assert.deepEqual(check([priv, pub(values)]), [
        `${R} external-dns-central: external-dns releases external-dns-private and external-dns-central both manage the hosted zone ZPRIV`,
      ]);
    }
  });

  test("reports overlapping domains: a parent domain, or the same one in another spelling", () => {
    assert.deepEqual(check([priv, pub(dnsValues("dev-central", "ZPUB", "example.com"))]), [
      `${R} external-dns-central: external-dns releases external-dns-private and external-dns-central have overlapping domainFilters "internal.example.com" and "example.com"`,
    ]);
    const viaFlag = {
      ...dnsValues("dev-central", "ZPUB", "dev.example.com"),
      extraArgs: ["--domain-filter=Internal.Example.com."],
    };
    assert.deepEqual(check([priv, pub(viaFlag)]), [
      `${R} external-dns-central: external-dns releases external-dns-private and external-dns-central have overlapping domainFilters "internal.example.com" and "internal.example.com"`,
    ]);
  });

  test("reports an instance with no filter at all", () => {
    assert.deepEqual(check([priv, pub({ policy: "sync", txtOwnerId: "dev-central" })]), [
      `${R} external-dns-central: external-dns release external-dns-central has neither --zone-id-filter nor domainFilters, so it manages every zone it can see, those of external-dns-private included`,
    ]);
  });

  test("a single instance has nothing to overlap with", () => {
    assert.deepEqual(check([pub({ policy: "sync", txtOwnerId: "dev-central" })]), []);
  });
});

describe("acme-issuer-lets-encrypt", () => {
  const R = "acme-issuer-lets-encrypt [mandatory] letsencrypt-prod";

  test("passes Let's Encrypt production and staging, and ignores CA issuers", () => {
    assert.deepEqual(
      check([
        clusterIssuer("letsencrypt-prod", acmeSpec()),
        clusterIssuer("letsencrypt-staging", acmeSpec({ server: LE_STAGING })),
        clusterIssuer("internal-ca", { ca: { secretName: "internal-ca-root" } }),
      ]),
      [],
    );
  });

  test("reports another ACME server, or none", () => {
    assert.deepEqual(
      check([clusterIssuer("letsencrypt-prod", acmeSpec({ server: "https://acme.zerossl.com/v2/DV90" }))]),
      [
        `${R}: ACME issuer letsencrypt-prod uses server "https://acme.zerossl.com/v2/DV90", which is not a Let's Encrypt directory (https://acme-v02.api.letsencrypt.org/directory or https://acme-staging-v02.api.letsencrypt.org/directory)`,
      ],
    );
    assert.deepEqual(check([clusterIssuer("letsencrypt-prod", acmeSpec({ server: undefined }))]), [
      `${R}: ACME issuer letsencrypt-prod uses server null, which is not a Let's Encrypt directory (https://acme-v02.api.letsencrypt.org/directory or https://acme-staging-v02.api.letsencrypt.org/directory)`,
    ]);
  });

  test("reports a missing account key secret", () => {
    for (const privateKeySecretRef of [undefined, {}, { name: "" }]) {
      assert.deepEqual(check([clusterIssuer("letsencrypt-prod", acmeSpec({ privateKeySecretRef }))]), [
        `${R}: ACME issuer letsencrypt-prod has no privateKeySecretRef.name for its ACME account key`,
      ]);
    }
  });

  test("reports a Route53 solver without hostedZoneID, also in a namespaced Issuer", () => {
    const solvers = [
      { http01: { ingress: { ingressClassName: "nginx-public" } } },
      { dns01: { route53: { region: "eu-west-1" } } },
    ];
    assert.deepEqual(check([clusterIssuer("letsencrypt-prod", acmeSpec({ solvers }))]), [
      `${R}: ACME issuer letsencrypt-prod, solver #1: the Route53 DNS-01 solver does not pin hostedZoneID`,
    ]);
    assert.deepEqual(check([clusterIssuer("letsencrypt-prod", acmeSpec({ solvers }), TYPES.issuer)]), [
      `${R}: ACME issuer letsencrypt-prod, solver #1: the Route53 DNS-01 solver does not pin hostedZoneID`,
    ]);
  });
});

describe("protection of IAM roles and OIDC providers", () => {
  const provider = (stack: string, protect: boolean) =>
    res(TYPES.oidcProvider, "prod-eks-oidc", { url: `https://${ISSUER}` }, { stack, protect });
  const UNPROTECTED = (kind: string, name: string) =>
    `${kind} ${name} is not protected; set protect: true so that no update can delete it`;
  const byName = (stack: string, prod: boolean) =>
    `no namespace is labelled ${TIER_LABEL}, and the stack name "${stack}" is ${prod ? "" : "not "}in prodStacks`;

  test("in a prod stack an unprotected role or provider is a mandatory violation", () => {
    assert.deepEqual(
      check(
        [role("app", irsaTrust(), {}, { protect: false, stack: "prod" }), provider("prod", false)],
        "prod",
      ),
      [
        `protect-identity-in-prod [mandatory] app: ${UNPROTECTED("IAM role", "app")} (a prod stack: ${byName("prod", true)})`,
        `protect-identity-in-prod [mandatory] prod-eks-oidc: ${UNPROTECTED("IAM OIDC provider", "prod-eks-oidc")} (a prod stack: ${byName("prod", true)})`,
      ],
    );
    assert.deepEqual(
      check([role("app", irsaTrust(), {}, { stack: "prod" }), provider("prod", true)], "prod"),
      [],
    );
  });

  test("in any other stack it is advice", () => {
    assert.deepEqual(
      check([role("app", irsaTrust(), {}, { protect: false }), provider("dev", false)], "dev"),
      [
        `protect-identity-outside-prod [advisory] app: ${UNPROTECTED("IAM role", "app")} (not a prod stack: ${byName("dev", false)})`,
        `protect-identity-outside-prod [advisory] prod-eks-oidc: ${UNPROTECTED("IAM OIDC provider", "prod-eks-oidc")} (not a prod stack: ${byName("dev", false)})`,
      ],
    );
  });

  test("the platform namespace's tier label decides, whatever the stack's name", () => {
    const stack = (name: string, tier: string) => [
      namespace(name, tier),
      role("app", irsaTrust(), {}, { protect: false, stack: name }),
    ];
    assert.deepEqual(check(stack("staging", "prod"), "staging"), [
      `protect-identity-in-prod [mandatory] app: ${UNPROTECTED("IAM role", "app")} (a prod stack: namespace platform is labelled ${TIER_LABEL}=prod)`,
    ]);
    assert.deepEqual(check(stack("prod", "dev"), "prod"), [
      `protect-identity-outside-prod [advisory] app: ${UNPROTECTED("IAM role", "app")} (not a prod stack: namespace platform is labelled ${TIER_LABEL}=dev)`,
    ]);
    // A tier the pack does not know gets the stricter rules.
    assert.match(check(stack("dev", "qa"), "dev")[0], /^protect-identity-in-prod \[mandatory\] .*=qa\)$/);
  });

  test("namespaces that disagree make the stack prod; unlabelled namespaces leave it to the stack name", () => {
    const ctx = { stack: "dev", prodStacks: ["prod"] };
    assert.deepEqual(stackTier([namespace("dev", "dev"), namespace("dev", "prod", "other")], ctx), {
      prod: true,
      reason: `namespace other is labelled ${TIER_LABEL}=prod`,
    });
    assert.deepEqual(stackTier([namespace("dev", "dev")], ctx), {
      prod: false,
      reason: `namespace platform is labelled ${TIER_LABEL}=dev`,
    });
    const unlabelled = res(TYPES.namespace, "platform", {
      metadata: { name: "platform", labels: { team: "x" } },
    });
    assert.deepEqual(stackTier([unlabelled], { stack: "prod", prodStacks: ["prod"] }), {
      prod: true,
      reason: byName("prod", true),
    });
  });

  test("the prod stacks of the fallback come from the config", () => {
    const unprotected = [role("app", irsaTrust(), {}, { protect: false })];
    assert.match(
      check(unprotected, "live", ["live", "prod-us"])[0],
      /^protect-identity-in-prod \[mandatory\]/,
    );
    assert.match(check(unprotected, "prod", ["live"])[0], /^protect-identity-outside-prod \[advisory\]/);
  });

  test("the stack name is read from the URN", () => {
    assert.equal(stackFromUrn(urnOf("prod", TYPES.role, "x")), "prod");
    assert.equal(stackFromUrn("urn:pulumi:prod-eu::eks-platform::a$b::c"), "prod-eu");
    assert.equal(stackFromUrn("not-a-urn"), "");
  });
});

// ---- the CrossGuard wiring -------------------------------------------------------------------------------------

function findPolicy<T>(name: string): T {
  const found = policies.find((p) => p.name === name);
  assert.ok(found, name);
  return found as T;
}

/** Arguments shaped like the ones @pulumi/policy's analyzer passes to validateResource. */
function resourceArgs(r: ResourceData, config: Record<string, unknown> = {}): ResourceValidationArgs {
  const fail = (): never => assert.fail("not used by the pack");
  return {
    type: r.type,
    name: r.name,
    urn: r.urn ?? "",
    props: r.props,
    opts: {
      protect: r.protect,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
    stackTags: new Map(),
    isType: fail,
    asType: fail,
    getConfig: <T extends object>() => config as T,
    notApplicable: fail,
  };
}

/** Arguments shaped like the ones the analyzer passes to validateStack: every resource with its options. */
function stackArgs(resources: ResourceData[], config: Record<string, unknown> = {}): StackValidationArgs {
  const asPolicyResource = (r: ResourceData) =>
    ({ ...resourceArgs(r), dependencies: [], propertyDependencies: {} }) as unknown as PolicyResource;
  return {
    resources: resources.map(asPolicyResource),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: () => assert.fail("not used"),
  };
}

function collect(): { report: ReportViolation; got: [string, string | undefined][] } {
  const got: [string, string | undefined][] = [];
  return { report: (message, urn) => void got.push([message, urn]), got };
}

describe("the pack's policies", () => {
  test("are the rule tables, under unique names, with their enforcement levels", () => {
    assert.equal(PACK_NAME, "eks-platform");
    assert.deepEqual(
      policies.map((p) => [p.name, p.enforcementLevel]),
      [...resourceRules, ...stackRules].map((r) => [r.name, r.enforcementLevel]),
    );
    assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    assert.deepEqual(
      policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name),
      ["protect-identity-outside-prod"],
    );
  });

  test('the prod-aware policies declare prodStacks, the fallback, with the default ["prod"]', () => {
    for (const name of ["protect-identity-in-prod", "protect-identity-outside-prod"]) {
      assert.deepEqual(findPolicy<StackValidationPolicy>(name).configSchema, {
        properties: {
          prodStacks: {
            type: "array",
            items: { type: "string" },
            default: ["prod"],
            description: `Stack names that count as production when no namespace carries the ${TIER_LABEL} label (stacks of programs from before the label).`,
          },
        },
      });
    }
  });

  test("validateResource runs a rule on the types it names and on nothing else", async () => {
    const policy = findPolicy<ResourceValidationPolicy>("iam-no-wildcard-writes");
    const validate = policy.validateResource as NonNullable<ResourceValidationPolicy["validateResource"]>;
    assert.ok(!Array.isArray(validate));
    const run = async (r: ResourceData) => {
      const { report, got } = collect();
      await validate(resourceArgs(r), report);
      return got.map(([m]) => m);
    };
    const doc = policyDoc(allow("s3:PutObject", "arn:aws:s3:::*/*"));
    assert.deepEqual(await run(res(TYPES.policy, "p", { policy: doc })), [
      'managed policy p, statement #0: Allow of write actions (s3:PutObject) on "arn:aws:s3:::*/*", which spans every S3 bucket; name the resources it may change',
    ]);
    assert.deepEqual(await run(res(TYPES.release, "p", { policy: doc })), []);
  });

  test("the protection policies read protect from each resource's opts and the tier from the namespace", async () => {
    const run = async (name: string, resources: ResourceData[], config?: Record<string, unknown>) => {
      const { report, got } = collect();
      await findPolicy<StackValidationPolicy>(name).validateStack(stackArgs(resources, config), report);
      return got;
    };
    const unprotected = (stack: string) => role("app", irsaTrust(), {}, { protect: false, stack });
    const violation = (stack: string, reason: string): [string, string | undefined] => [
      `IAM role app is not protected; set protect: true so that no update can delete it (${reason})`,
      urnOf(stack, TYPES.role, "app"),
    ];
    assert.deepEqual(
      await run("protect-identity-in-prod", [namespace("live", "prod"), unprotected("live")]),
      [violation("live", `a prod stack: namespace platform is labelled ${TIER_LABEL}=prod`)],
    );
    assert.deepEqual(
      await run("protect-identity-outside-prod", [namespace("live", "prod"), unprotected("live")]),
      [],
    );
    assert.deepEqual(
      await run("protect-identity-in-prod", [role("app", irsaTrust(), {}, { protect: true, stack: "prod" })]),
      [],
    );
    // Without the label, the stack name from the URNs and the configured prodStacks decide.
    assert.deepEqual(await run("protect-identity-in-prod", [unprotected("live")], { prodStacks: ["live"] }), [
      violation(
        "live",
        `a prod stack: no namespace is labelled ${TIER_LABEL}, and the stack name "live" is in prodStacks`,
      ),
    ]);
    assert.deepEqual(
      await run("protect-identity-in-prod", [unprotected("prod")], { prodStacks: ["live"] }),
      [],
    );
  });

  test("validateStack reports against the URN of the resource at fault", async () => {
    const policy = findPolicy<StackValidationPolicy>("external-dns-disjoint");
    const a = externalDns("private", dnsValues("same", "Z1", "a.example.com"));
    const b = externalDns("central", dnsValues("same", "Z2", "b.example.com"));
    const { report, got } = collect();
    await policy.validateStack(stackArgs([a, b]), report);
    assert.deepEqual(got, [
      [
        'external-dns releases external-dns-private and external-dns-central share the txtOwnerId "same"',
        urnOf("dev", TYPES.release, "external-dns-central"),
      ],
    ]);
  });
});
