/**
 * The pack's own copy of the program's facts (facts.ts), on the cases its rules depend on. The program checks
 * that this copy agrees with its originals in tests/policy.drift.test.ts; these tests run in policy/ alone.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LETSENCRYPT, domainsOverlap, isReadOnlyAction, isWildcardResource, wildcardSpan } from "../facts";

describe("wildcardSpan", () => {
  test("names what a wildcard spans, from the whole ARN down to the top-level name", () => {
    const cases: [string, string][] = [
      ["*", "every resource"],
      ["arn:aws:s3::*", "every resource"],
      ["arn:*:s3:::my-bucket/*", "every partition"],
      ["arn:aws:*:eu-west-1:123456789012:thing", "every service"],
      ["arn:aws:ecr:*:123456789012:repository/x", "every region of ecr"],
      ["arn:aws:sqs:eu-west-1:*:orders", "every account of sqs"],
      ["arn:aws:sqs:eu-west-1:12345678901?:orders", "every account of sqs"],
      ["arn:aws:s3:::*", "every S3 bucket"],
      ["arn:aws:s3:::*/*", "every S3 bucket"],
      ["arn:aws:s3:::b*/*", 'every S3 bucket whose name matches "b*"'],
      ["arn:aws:sqs:eu-west-1:123456789012:*", "every SQS queue"],
      ["arn:aws:sqs:eu-west-1:123456789012:orders-*", 'every SQS queue whose name matches "orders-*"'],
      ["arn:aws:sns:eu-west-1:123456789012:*", "every SNS topic"],
      ["arn:aws:execute-api:eu-west-1:123456789012:*/prod/*", "every API Gateway API"],
      ["arn:aws:dynamodb:eu-west-1:123456789012:table/*", "every dynamodb table"],
      ["arn:aws:dynamodb:eu-west-1:123456789012:*", "every dynamodb resource"],
      ["arn:aws:route53:::hostedzone/*", "every route53 hostedzone"],
      ["arn:aws:route53:::change/*", "every route53 change"],
      ["arn:aws:iam::123456789012:role/*", "every iam role"],
      ["arn:aws:s3:eu-west-1:123456789012:accesspoint/*", "every s3 accesspoint"],
      ["arn:aws:lambda:eu-west-1:123456789012:function:*", "every lambda function"],
      ["arn:aws:logs:eu-west-1:123456789012:log-group:/*", "every logs log-group"],
      [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*",
        'every secretsmanager secret whose name matches "db-*"',
      ],
    ];
    for (const [resource, span] of cases) {
      assert.equal(wildcardSpan(resource), span, resource);
      assert.equal(isWildcardResource(resource), true, resource);
    }
  });

  test("passes resources whose wildcards stay inside one named resource, and names without wildcards", () => {
    for (const resource of [
      "arn:aws:s3:::my-bucket/*",
      "arn:aws:s3:::my-bucket/team/*",
      "arn:aws:s3:::my-bucket",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*",
      "arn:aws:ecr:eu-west-1:123456789012:repository/platform/*",
      "arn:aws:iam::123456789012:role/team/*",
      "arn:aws:route53:::hostedzone/Z0123456789",
      "arn:aws:sns:eu-west-1:123456789012:alerts:*",
      "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/POST/*",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/platform/*",
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-password-??????",
      "arn:aws:s3:::my-bucket/${aws:PrincipalTag/team}/*",
      "arn:aws:s3:::${aws:PrincipalTag/bucket}/*",
      "arn:aws:s3:::literal-star-${*}/*",
      "not-an-arn",
    ]) {
      assert.equal(wildcardSpan(resource), undefined, resource);
      assert.equal(isWildcardResource(resource), false, resource);
    }
  });

  test("the Secrets Manager suffix is exactly -?????? and only in Secrets Manager", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db";
    assert.equal(isWildcardResource(`${arn}-?????`), true);
    assert.equal(isWildcardResource(`${arn}-???????`), true);
    assert.equal(isWildcardResource("arn:aws:s3:::prod-??????"), true);
  });
});

describe("isReadOnlyAction", () => {
  test("reads by their verb, everything else is a write", () => {
    for (const read of [
      "s3:GetObject",
      "route53:ListHostedZones",
      "ecr:BatchGetImage",
      "s3:Get*",
      "sqs:List",
    ]) {
      assert.equal(isReadOnlyAction(read), true, read);
    }
    for (const write of [
      "s3:PutObject",
      "s3:*",
      "*",
      "s3:Getaway",
      "route53:ChangeResourceRecordSets",
      "get",
    ]) {
      assert.equal(isReadOnlyAction(write), false, write);
    }
  });
});

describe("domainsOverlap", () => {
  test("equal domains and subdomains overlap, at label boundaries only", () => {
    assert.equal(domainsOverlap("example.com", "example.com"), true);
    assert.equal(domainsOverlap("a.example.com", "example.com"), true);
    assert.equal(domainsOverlap("example.com", "a.b.example.com"), true);
    assert.equal(domainsOverlap("aexample.com", "example.com"), false);
    assert.equal(domainsOverlap("example.org", "example.com"), false);
  });
});

test("the Let's Encrypt directories are the ACME v2 production and staging URLs", () => {
  assert.deepEqual(Object.values(LETSENCRYPT).sort(), [
    "https://acme-staging-v02.api.letsencrypt.org/directory",
    "https://acme-v02.api.letsencrypt.org/directory",
  ]);
});
