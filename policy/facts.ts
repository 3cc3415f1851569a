/**
 * The facts the policy pack shares with the program, as the pack's own copy.
 *
 * `pulumi policy publish` uploads this folder alone, so the pack may not import the program's files. Each block
 * below names the program file it mirrors; the program's test tests/policy.drift.test.ts runs both copies on the
 * same inputs and fails when they disagree. Change the program's file and this one together.
 */
import { createHash } from "node:crypto";

// ---- mirrors model/letsencrypt.ts (LETSENCRYPT) ------------------------------------------------------------------

/** The ACME directories of Let's Encrypt, by the ClusterIssuer name the program gives each. */
export const LETSENCRYPT = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

// ---- mirrors model/naming.ts (isWithinDomain, domainsOverlap) --------------------------------------------------

/** `name` equals `domain` or is a subdomain of it. */
export function isWithinDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** One domain contains the other (or they are equal): records under one may belong to the other. */
export function domainsOverlap(a: string, b: string): boolean {
  return isWithinDomain(a, b) || isWithinDomain(b, a);
}

// ---- mirrors model/iamActions.ts (isReadOnlyAction, wildcardSpan, isWildcardResource) --------------------------

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

// ---- the program's tier, as it labels its platform Namespace ---------------------------------------------------

/**
 * Label the program puts on the platform's Namespace (`kubernetes:core/v1:Namespace`), with the stack's `tier`
 * (`dev` or `prod`) as its value. It is how the pack learns the tier the program itself decided on.
 */
export const TIER_LABEL = "eks-platform.io/tier";

// ---- mirrors devtools/alb-policy-digest.ts (canonicalStatement, statementDigest) and the digests of the AWS Load
// ---- Balancer Controller's policy, components/awsLoadBalancerController/policy.ts ----------------------------

/**
 * Middle of the AWS Load Balancer Controller's role and managed-policy name, `<environment>-<key>-<namespace>`
 * (model/naming.ts `roleKeys.loadBalancerController`).
 */
export const LOAD_BALANCER_CONTROLLER_ROLE_KEY = "aws-load-balancer-controller";

/**
 * SHA-256 of each statement, in canonical form, of upstream's policy for the controller at v3.5.0
 * (kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json, iam_policy_cn.json,
 * iam_policy_us-gov.json), by partition and in file order. The pack allows that policy's writes on `*` to that
 * role only when the whole document is exactly one of these.
 */
export const LOAD_BALANCER_CONTROLLER_POLICY_DIGESTS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    "fd43cb7e75363aed695c2e4238625bb0597b95aea431849cb7d994b06e076590",
    "ab9eeb15998365ae633316d0eb3944c627438b4b1284bba28348b67987691661",
    "4cb411ac8bcd4ebf504800a8de2146b9bd47e492b6c27e6ee498e5220d3c54e1",
    "7abb51cd0b2c2c932745668215b359590d7b4748338daaa2ac5d99cfb24b5907",
    "e366c08f7b0dae5d9c1b99a624c6c3a75ef6f8283422d5bc50ccf87dc8183387",
    "e62e949aa4db87cf385f874d3b026cb49dd7f2bcfdd9f618853a4882ab5e9502",
    "96df4f95df89a24211a287d4e3f032a0311a9759cba2da49154b079470a69118",
    "015aabcf1731c89d6c6ecad7a216adfb98a7c42c3f333fee815c5b3807312b29",
    "d36c4a330583f15d8b67f60db26772a1b4e1225aa747e79c3cfa84ef3ce37cc3",
    "e7cd33480cca2d48f60ae7df22ff297abdd93d6e9f30d4d183b973c601d86840",
    "df45193db72dbc41b362f946ebe7ab7bf5cad6e885434853af1172fc883afff5",
    "9c4bf4761e3bd56fbe33764bfc43765fcd6475af6bc5814dc8dd3ae09cd1ce49",
    "3f635480baf0b063fc5027b1bf60bce6d358c9d40df4a2367ee1f295c4ee3ff3",
    "f5bd5f4b17271ef60b78c74e8bd6afc98a21261468cafa94e99c994b77b3e94d",
    "0f95b29ea816d4fa5956f5e18a382ff738481eda4315ae400a1c7285abc5c8ae",
    "481a44e1dcaf0180a84aea46721344a2bed4194b75529ca61a96facffde6613d",
  ],
  "aws-cn": [
    "fd43cb7e75363aed695c2e4238625bb0597b95aea431849cb7d994b06e076590",
    "ab9eeb15998365ae633316d0eb3944c627438b4b1284bba28348b67987691661",
    "4cb411ac8bcd4ebf504800a8de2146b9bd47e492b6c27e6ee498e5220d3c54e1",
    "7abb51cd0b2c2c932745668215b359590d7b4748338daaa2ac5d99cfb24b5907",
    "e366c08f7b0dae5d9c1b99a624c6c3a75ef6f8283422d5bc50ccf87dc8183387",
    "bcc4c8057ff094f47aa47a7fa1ab0fb084772029dcf4baeabd961f4cd48f5a53",
    "2f77beae7d010cf43bad75f5c3be8913bc533ff2224cf2795c460980c1af4446",
    "015aabcf1731c89d6c6ecad7a216adfb98a7c42c3f333fee815c5b3807312b29",
    "d36c4a330583f15d8b67f60db26772a1b4e1225aa747e79c3cfa84ef3ce37cc3",
    "e7cd33480cca2d48f60ae7df22ff297abdd93d6e9f30d4d183b973c601d86840",
    "05f5e47c00a8830a6f9a65e91853bff46b451a1114d09ee40837e47446e9866d",
    "0290c00b2e8bc9fbeaa42f4be0423e00b3c46028cab71518e148fce89b143324",
    "b1963b80e59269ed62f4a5d6a4a3199dc385bd2a5dec089e58f7d6ab1f86d050",
    "3f635480baf0b063fc5027b1bf60bce6d358c9d40df4a2367ee1f295c4ee3ff3",
    "418bf8a5b32e34d2e9269cb06618c2e50eee9f160426196f57160104a71aca10",
    "481a44e1dcaf0180a84aea46721344a2bed4194b75529ca61a96facffde6613d",
  ],
  "aws-us-gov": [
    "fd43cb7e75363aed695c2e4238625bb0597b95aea431849cb7d994b06e076590",
    "ab9eeb15998365ae633316d0eb3944c627438b4b1284bba28348b67987691661",
    "4cb411ac8bcd4ebf504800a8de2146b9bd47e492b6c27e6ee498e5220d3c54e1",
    "7abb51cd0b2c2c932745668215b359590d7b4748338daaa2ac5d99cfb24b5907",
    "e366c08f7b0dae5d9c1b99a624c6c3a75ef6f8283422d5bc50ccf87dc8183387",
    "9cd4131f95be69ad18c1f71ffada59cdbcceb5da48b6285d0c524e5ea964a4cf",
    "917bf5245a4361d9ee07bf28b79a0ec7c8650883f22cb8c902757c0460cc4ba6",
    "015aabcf1731c89d6c6ecad7a216adfb98a7c42c3f333fee815c5b3807312b29",
    "d36c4a330583f15d8b67f60db26772a1b4e1225aa747e79c3cfa84ef3ce37cc3",
    "e7cd33480cca2d48f60ae7df22ff297abdd93d6e9f30d4d183b973c601d86840",
    "3b89704a80cc1186089f99bb33671e29a0caeae83bb75a87875cabb2fb7117fc",
    "3e42c0e95124b835606f55477c380e522c791ade1a4d9bef9f57d66481e5c8a9",
    "dbfd0e99fc80a6ed994671d11ba8859e8f5221429a2a6ffca68cb20907376c38",
    "3f635480baf0b063fc5027b1bf60bce6d358c9d40df4a2367ee1f295c4ee3ff3",
    "249dccca6a1d70c9ff6be505baeba984f80c22624d329dd915925cdc6098abce",
    "481a44e1dcaf0180a84aea46721344a2bed4194b75529ca61a96facffde6613d",
  ],
};

const LIST_KEYS = new Set(["Action", "NotAction", "Resource", "NotResource"]);

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(sortedJson).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A statement in canonical form: keys sorted at every level, array order kept, and `Action`, `NotAction`,
 * `Resource`, `NotResource` always lists (IAM reads `"*"` and `["*"]` the same).
 */
export function canonicalStatement(statement: Record<string, unknown>): string {
  const normalised = Object.fromEntries(
    Object.entries(statement).map(([k, v]) => [k, LIST_KEYS.has(k) && typeof v === "string" ? [v] : v]),
  );
  return sortedJson(normalised);
}

export function statementDigest(statement: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalStatement(statement)).digest("hex");
}
