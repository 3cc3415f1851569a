/**
 * The policy pack keeps its own copy of some of the program's facts (policy/facts.ts), because it is published
 * alone. This test fails when a copy and its original disagree: both run on a corpus of inputs covering every
 * branch, and on many generated ones (fast-check).
 *
 * Every import of a program file is in the block below, and nowhere else in the pack's tests: when the
 * originals move, re-point these imports.
 */
import { loadBalancerControllerPolicy } from "../components/awsLoadBalancerController/policy";
import { TIER_LABEL as programTierLabel } from "../components/platform";
import { PARTITIONS } from "../model/enums";
import * as programIam from "../model/iamActions";
import { LETSENCRYPT as programLetsEncrypt } from "../model/letsencrypt";
import * as programNaming from "../model/naming";
import * as programDigest from "../devtools/alb-policy-digest";
// ---- end of the program's imports ----
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import * as pack from "../policy/facts";

const RESOURCES = [
  "*",
  "arn:aws:s3::*",
  "arn:*:s3:::b/*",
  "arn:aws:*:eu-west-1:123456789012:x",
  "arn:aws:ecr:*:123456789012:repository/x",
  "arn:aws:sqs:eu-west-1:*:orders",
  "arn:aws:s3:::*",
  "arn:aws:s3:::*/*",
  "arn:aws:s3:::b*/*",
  "arn:aws:s3:::my-bucket/*",
  "arn:aws:s3:::my-bucket",
  "arn:aws:s3:eu-west-1:123456789012:accesspoint/*",
  "arn:aws:s3:eu-west-1:123456789012:accesspoint/ap",
  "arn:aws:sqs:eu-west-1:123456789012:*",
  "arn:aws:sqs:eu-west-1:123456789012:orders-*",
  "arn:aws:sqs:eu-west-1:123456789012:orders",
  "arn:aws:sns:eu-west-1:123456789012:alerts:*",
  "arn:aws:execute-api:eu-west-1:123456789012:a1b2/prod/*",
  "arn:aws:execute-api:eu-west-1:123456789012:*/prod/*",
  "arn:aws:dynamodb:eu-west-1:123456789012:table/*",
  "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*",
  "arn:aws:dynamodb:eu-west-1:123456789012:*",
  "arn:aws:ecr:eu-west-1:123456789012:repository/platform/*",
  "arn:aws:ecr:eu-west-1:123456789012:repository/platform*",
  "arn:aws:route53:::hostedzone/*",
  "arn:aws:route53:::hostedzone/Z0123456789",
  "arn:aws:route53:::change/*",
  "arn:aws:iam::123456789012:role/*",
  "arn:aws:iam::123456789012:role/team/*",
  "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/*",
  "arn:aws:logs:eu-west-1:123456789012:log-group:/*",
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????",
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*",
  "arn:aws:s3:::my-bucket/${aws:username}/*",
  "arn:aws:s3:::${aws:PrincipalTag/bucket}/*",
  "arn:aws-cn:s3:::*",
  "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q?",
  "not-an-arn",
  "",
];

const ACTIONS = [
  "s3:GetObject",
  "s3:Get*",
  "s3:PutObject",
  "s3:*",
  "*",
  "s3:Getaway",
  "ecr:BatchGetImage",
  "ecr:BatchCheckLayerAvailability",
  "route53:ListHostedZones",
  "route53:ChangeResourceRecordSets",
  "dynamodb:Query",
  "dynamodb:Scan",
  "s3:HeadObject",
  "no-colon",
  "",
];

const DOMAINS = ["example.com", "a.example.com", "aexample.com", "example.org", "com", "", "b.a.example.com"];

describe("the pack's copies agree with the program's originals", () => {
  test("the Let's Encrypt directories and the tier label", () => {
    assert.deepEqual(pack.LETSENCRYPT, programLetsEncrypt);
    assert.equal(pack.TIER_LABEL, programTierLabel);
  });

  test("the IAM classifiers on a corpus of every branch", () => {
    for (const resource of RESOURCES) {
      assert.equal(pack.wildcardSpan(resource), programIam.wildcardSpan(resource), resource);
      assert.equal(pack.isWildcardResource(resource), programIam.isWildcardResource(resource), resource);
    }
    for (const action of ACTIONS) {
      assert.equal(pack.isReadOnlyAction(action), programIam.isReadOnlyAction(action), action);
    }
  });

  test("the load balancer controller's role key, policy digests and canonical form", () => {
    assert.equal(pack.LOAD_BALANCER_CONTROLLER_ROLE_KEY, programNaming.roleKeys.loadBalancerController);
    assert.deepEqual(
      Object.keys(pack.LOAD_BALANCER_CONTROLLER_POLICY_DIGESTS).sort(),
      [...PARTITIONS].sort(),
    );
    for (const partition of PARTITIONS) {
      const doc = loadBalancerControllerPolicy(partition);
      assert.deepEqual(
        pack.LOAD_BALANCER_CONTROLLER_POLICY_DIGESTS[partition],
        programDigest.policyDigest(doc).sha256,
        partition,
      );
    }
    // One canonical form serves both (devtools/alb-policy-digest.ts takes the pack's): key order and a single
    // string for a list do not change it; any value does.
    assert.equal(
      pack.canonicalStatement({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
      pack.canonicalStatement({ Resource: ["*"], Action: ["s3:GetObject"], Effect: "Allow" }),
    );
    const withCondition = (v: string) => ({ Effect: "Deny", NotAction: ["x:Y"], Condition: { B: { k: v } } });
    assert.notEqual(pack.statementDigest(withCondition("1")), pack.statementDigest(withCondition("2")));
    assert.equal(programDigest.statementDigest, pack.statementDigest);
  });

  test("the domain helpers on a corpus", () => {
    for (const a of DOMAINS) {
      for (const b of DOMAINS) {
        assert.equal(pack.domainsOverlap(a, b), programNaming.domainsOverlap(a, b), `${a} ${b}`);
        assert.equal(pack.isWithinDomain(a, b), programNaming.isWithinDomain(a, b), `${a} ${b}`);
      }
    }
  });

  // Pieces of ARNs, wildcards, separators and policy variables, so that generated strings reach every branch.
  const piece = fc.constantFrom(
    "arn",
    "aws",
    "aws-cn",
    "s3",
    "sqs",
    "sns",
    "execute-api",
    "secretsmanager",
    "dynamodb",
    "route53",
    "iam",
    "eu-west-1",
    "123456789012",
    "table",
    "hostedzone",
    "bucket",
    "-??????",
    "*",
    "?",
    ":",
    "/",
    "",
    "${aws:username}",
    "${*}",
    "a",
  );
  const arnLike = fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join(""));
  const arnShaped = fc
    .tuple(fc.array(piece, { minLength: 6, maxLength: 6 }), fc.array(piece, { maxLength: 6 }))
    .map(([head, tail]) => [...head, tail.join("")].join(":"));

  test("the IAM classifiers on generated resources and actions", () => {
    fc.assert(
      fc.property(fc.oneof(arnLike, arnShaped, fc.string()), (resource) => {
        assert.equal(pack.wildcardSpan(resource), programIam.wildcardSpan(resource));
      }),
      { numRuns: 2000 },
    );
    const verb = fc.constantFrom(
      "Get",
      "List",
      "Put",
      "Delete",
      "Describe",
      "Batch",
      "Head",
      "*",
      "",
      "x",
      "Q",
    );
    const action = fc.oneof(
      fc
        .tuple(fc.constantFrom("s3", "iam", ""), fc.array(verb, { maxLength: 3 }))
        .map(([service, verbs]) => `${service}:${verbs.join("")}`),
      fc.string(),
    );
    fc.assert(
      fc.property(action, (a) => {
        assert.equal(pack.isReadOnlyAction(a), programIam.isReadOnlyAction(a));
      }),
      { numRuns: 1000 },
    );
  });

  test("the domain helpers on generated domains", () => {
    const domain = fc
      .array(fc.constantFrom("a", "b", "example", "com", "", "xa"), { maxLength: 4 })
      .map((labels) => labels.join("."));
    fc.assert(
      fc.property(domain, domain, (a, b) => {
        assert.equal(pack.domainsOverlap(a, b), programNaming.domainsOverlap(a, b));
      }),
      { numRuns: 1000 },
    );
  });
});
