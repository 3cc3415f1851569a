/**
 * Classifies IAM actions and resources for the least-privilege checks of config validation. Pure functions.
 * The policy pack keeps its own copy in policy/facts.ts (it is published alone); tests/policy.drift.test.ts
 * fails when the two disagree, so change both together.
 */

/**
 * Action-name prefixes that only read. IAM's own access levels are per action; the verb prefix is a
 * conservative approximation: anything not recognised as a read counts as a write, so it is held to the
 * stricter rules.
 */
const READ_VERBS = [
  "Get",
  "List",
  "Describe",
  "BatchGet",
  "BatchCheck",
  "Lookup",
  "Search",
  "View",
  "Query",
  "Scan",
  "Head",
];

export function isReadOnlyAction(action: string): boolean {
  const name = action.split(":")[1];
  if (!name || name === "*") {
    return false;
  }
  return READ_VERBS.some((verb) => {
    if (!name.startsWith(verb)) {
      return false;
    }
    const next = name.charAt(verb.length);
    return next === "" || next === "*" || (next >= "A" && next <= "Z");
  });
}

/** `*` alone, or a whole service (`s3:*`). */
export function isServiceWildcardAction(action: string): boolean {
  return action === "*" || action.endsWith(":*");
}

/** IAM's wildcards in a resource ARN: `*` (any run of characters) and `?` (any one character). */
const WILDCARD = /[*?]/;

/**
 * A policy variable (`${aws:username}`) or an escaped character (`${*}`, `${?}`, `${$}`): each stands for one
 * value when the request is evaluated, never for many, so it is read as a plain name character.
 */
const POLICY_VARIABLE = /\$\{[^}]*\}/g;

/**
 * Services whose ARN resource part starts with the resource's own name rather than a resource type, and what
 * that name names: `arn:aws:s3:::bucket/key`, `arn:aws:sqs:region:account:queue`,
 * `arn:aws:sns:region:account:topic[:subscription]`, `arn:aws:execute-api:region:account:api-id/stage/...`.
 * S3 only in its bucket form, which has neither region nor account (access points and jobs carry both and a type).
 */
const NAME_FIRST: Readonly<Record<string, string>> = {
  s3: "S3 bucket",
  sqs: "SQS queue",
  sns: "SNS topic",
  "execute-api": "API Gateway API",
};

/**
 * Whether a name segment names one resource. In Secrets Manager a name ending in `-??????` still does: every
 * secret's ARN ends in `-` and six random characters, and AWS recommends `-??????` (not `-*`) to name one secret
 * without them (Secrets Manager user guide, "Limiting access to specific secrets":
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/permissions_grant-limited-resources.html).
 */
function namesOne(service: string, segment: string): boolean {
  const name = service === "secretsmanager" ? segment.replace(/-\?{6}$/, "") : segment;
  return !WILDCARD.test(name);
}

/**
 * What a resource's wildcards span when they span more than one named resource, else undefined.
 *
 * The parts of `arn:partition:service:region:account:resource` must be literal (a wildcard there spans
 * partitions, services, regions or accounts). In the resource part, split at `/` and `:`, the resource type
 * (the first segment) and the top-level name after it must be literal; for the name-first services above the
 * first segment is the name. A wildcard after the top-level name stays inside one resource: the objects of one
 * bucket (`arn:aws:s3:::my-bucket/*`), the indexes of one table (`table/orders/index/*`), or a path prefix
 * below a literal first segment (`repository/platform/*`, `role/team/*`, which stacks may list on purpose).
 * A wildcard inside the top-level name (`arn:aws:s3:::b*`, `table/orders-*`) spans every resource whose name
 * matches, so it counts, however long the literal prefix. So do `route53:::hostedzone/*` and `change/*`: the
 * callers only ask about writes, and `route53:GetChange` is a read. A string that is not an ARN counts when it
 * has a wildcard at all.
 */
export function wildcardSpan(resource: string): string | undefined {
  const text = resource.replace(POLICY_VARIABLE, "v");
  if (!WILDCARD.test(text)) {
    return undefined;
  }
  const parts = text.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    return "every resource";
  }
  const [, partition, service, region, account] = parts;
  if (WILDCARD.test(partition)) {
    return "every partition";
  }
  if (WILDCARD.test(service)) {
    return "every service";
  }
  if (WILDCARD.test(region)) {
    return `every region of ${service}`;
  }
  if (WILDCARD.test(account)) {
    return `every account of ${service}`;
  }
  const segments = parts.slice(5).join(":").split(/[/:]/);
  const nameFirst = NAME_FIRST[service];
  if (nameFirst !== undefined && (service !== "s3" || (region === "" && account === ""))) {
    return namesOne(service, segments[0]) ? undefined : spanOf(nameFirst, segments[0]);
  }
  const [type, ...rest] = segments;
  if (WILDCARD.test(type)) {
    return `every ${service} resource`;
  }
  // A name that starts with the separator (log groups: `log-group:/aws/eks/...`) has empty segments first.
  const name = rest.find((s) => s !== "");
  return name === undefined || namesOne(service, name) ? undefined : spanOf(`${service} ${type}`, name);
}

function spanOf(noun: string, name: string): string {
  return /^\*+$/.test(name) ? `every ${noun}` : `every ${noun} whose name matches "${name}"`;
}

/** A resource whose wildcards span more than one named resource (see wildcardSpan). */
export function isWildcardResource(resource: string): boolean {
  return wildcardSpan(resource) !== undefined;
}
