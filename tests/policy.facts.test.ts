/**
 * Properties of the least-privilege classifier and the domain-overlap helper (policy/facts.ts; the program's
 * copies agree with them, see policy.drift.test.ts), checked on generated inputs with fast-check.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { domainsOverlap, isWildcardResource, isWithinDomain, wildcardSpan } from "../policy/facts";

/** Name characters of ARNs, without IAM's wildcards, separators or policy-variable syntax. */
const nameChar = fc.constantFrom(..."abcxyz019-_.".split(""));
const literal = fc.string({ unit: nameChar, minLength: 1, maxLength: 10 });
/** A segment with at least one `*` in it. */
const wild = fc
  .tuple(fc.string({ unit: nameChar, maxLength: 4 }), fc.string({ unit: nameChar, maxLength: 4 }))
  .map(([before, after]) => `${before}*${after}`);
const region = fc.constantFrom("eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1");
const account = fc.constantFrom("123456789012", "111111111111");
const partition = fc.constantFrom("aws", "aws-cn", "aws-us-gov");
/** Services whose resource part starts with a resource type. */
const typedService = fc.constantFrom("dynamodb", "ecr", "iam", "lambda", "kms", "logs", "ec2", "route53");
const path = fc
  .array(fc.oneof(literal, wild), { maxLength: 3 })
  .map((segs) => segs.map((s) => `/${s}`).join(""));

describe("wildcardSpan", () => {
  test("a resource without * or ? is never a wildcard", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*?]/.test(s)),
        (resource) => {
          assert.equal(wildcardSpan(resource), undefined);
        },
      ),
    );
  });

  test("a wildcard partition, service, region or account spans them, whatever the resource", () => {
    fc.assert(
      fc.property(
        fc.tuple(partition, typedService, region, account),
        fc.integer({ min: 0, max: 3 }),
        wild,
        fc.tuple(literal, path),
        (parts, at, w, [name, rest]) => {
          const changed = parts.map((p, i) => (i === at ? w : p));
          const resource = ["arn", ...changed, `${name}${rest}`].join(":");
          assert.match(wildcardSpan(resource) ?? "", /^every (partition|service|region|account)/, resource);
        },
      ),
    );
  });

  test("S3: a wildcard in the bucket name spans buckets; below one literal bucket it does not", () => {
    fc.assert(
      fc.property(partition, literal, wild, path, (p, bucket, wildBucket, key) => {
        assert.equal(isWildcardResource(`arn:${p}:s3:::${bucket}${key}`), false);
        assert.match(wildcardSpan(`arn:${p}:s3:::${wildBucket}${key}`) ?? "", /^every S3 bucket/);
      }),
    );
  });

  test("SQS and SNS: a wildcard in the queue or topic name spans them", () => {
    fc.assert(
      fc.property(fc.constantFrom("sqs", "sns"), region, account, literal, wild, (svc, r, a, name, w) => {
        assert.equal(isWildcardResource(`arn:aws:${svc}:${r}:${a}:${name}`), false);
        assert.equal(isWildcardResource(`arn:aws:${svc}:${r}:${a}:${w}`), true);
      }),
    );
  });

  test("typed resources: a wildcard type or top-level name spans them, one below a literal name does not", () => {
    fc.assert(
      fc.property(
        typedService,
        region,
        account,
        literal,
        literal,
        wild,
        path,
        (svc, r, a, type, name, w, rest) => {
          const arn = (resource: string) => `arn:aws:${svc}:${r}:${a}:${resource}`;
          assert.equal(isWildcardResource(arn(`${type}/${name}${rest}`)), false);
          assert.equal(isWildcardResource(arn(`${type}:${name}${rest}`)), false);
          assert.match(wildcardSpan(arn(`${type}/${w}${rest}`)) ?? "", new RegExp(`^every ${svc} `));
          assert.equal(wildcardSpan(arn(`${w}/${name}${rest}`)), `every ${svc} resource`);
        },
      ),
    );
  });

  test("widening never narrows: turning one more name character into * keeps a wildcard a wildcard", () => {
    const resource = fc.oneof(
      fc
        .tuple(
          partition,
          fc.constantFrom("s3", "sqs", "dynamodb", "iam", "ecr"),
          region,
          account,
          literal,
          path,
        )
        .map(
          ([p, s, r, a, n, rest]) =>
            `arn:${p}:${s}:${s === "s3" ? "" : r}:${s === "s3" ? "" : a}:${n}${rest}`,
        ),
      fc.string({ unit: fc.constantFrom("a", "*", "?", ":", "/"), maxLength: 16 }),
    );
    fc.assert(
      fc.property(resource, fc.nat(), (original, pick) => {
        const names = [...original].map((c, i) => (/[:/*]/.test(c) ? -1 : i)).filter((i) => i >= 0);
        fc.pre(names.length > 0 && isWildcardResource(original));
        const at = names[pick % names.length];
        const wider = `${original.slice(0, at)}*${original.slice(at + 1)}`;
        assert.equal(isWildcardResource(wider), true, `${original} -> ${wider}`);
      }),
    );
  });
});

describe("domainsOverlap", () => {
  const label = fc.string({ unit: fc.constantFrom(..."abcdefxyz0-".split("")), minLength: 1, maxLength: 6 });
  const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));

  test("is reflexive and symmetric", () => {
    fc.assert(
      fc.property(domain, domain, (a, b) => {
        assert.equal(domainsOverlap(a, a), true);
        assert.equal(domainsOverlap(a, b), domainsOverlap(b, a));
      }),
    );
  });

  test("a subdomain, however deep, lies within its parent and overlaps it", () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), domain, (prefix, parent) => {
        const sub = `${prefix.join(".")}.${parent}`;
        assert.equal(isWithinDomain(sub, parent), true);
        assert.equal(isWithinDomain(parent, sub), false);
        assert.equal(domainsOverlap(sub, parent), true);
      }),
    );
  });

  test("overlap is at label boundaries only: aexample.com is not within example.com", () => {
    assert.equal(domainsOverlap("aexample.com", "example.com"), false);
    fc.assert(
      fc.property(label, domain, (glued, d) => {
        assert.equal(domainsOverlap(`${glued}${d}`, d), false);
      }),
    );
  });

  test("siblings under one parent do not overlap", () => {
    fc.assert(
      fc.property(label, label, domain, (a, b, parent) => {
        fc.pre(a !== b);
        assert.equal(domainsOverlap(`${a}.${parent}`, `${b}.${parent}`), false);
      }),
    );
  });

  test("lying within is transitive", () => {
    fc.assert(
      fc.property(
        domain,
        fc.array(label, { maxLength: 2 }),
        fc.array(label, { maxLength: 2 }),
        (c, p1, p2) => {
          const b = [...p1, c].join(".");
          const a = [...p2, b].join(".");
          assert.equal(isWithinDomain(a, b) && isWithinDomain(b, c), true);
          assert.equal(isWithinDomain(a, c), true);
        },
      ),
    );
  });
});
