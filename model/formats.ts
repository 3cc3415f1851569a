/**
 * Formats of the values a stack file holds (DNS names, zone IDs, ARNs, Kubernetes names), as zod schemas that
 * every config section builds on. Messages say what is expected, with an example.
 */
import { z } from "zod";

const partition = "aws(?:-cn|-us-gov)?";

/** A fully qualified, lower-case DNS name without a trailing dot. */
export const domainName = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a lower-case DNS name such as dev.example.com, without a trailing dot",
  );

/** A Route53 hosted zone ID as the API returns it (no `/hostedzone/` prefix). */
export const zoneId = z
  .string()
  .regex(
    /^Z[0-9A-Z]{4,31}$/,
    "a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ (no /hostedzone/ prefix)",
  );

export const roleArn = z
  .string()
  .regex(
    new RegExp(`^arn:${partition}:iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`),
    "an IAM role ARN such as arn:aws:iam::123456789012:role/name",
  );

/** An IAM role or user (not an `sts` assumed-role session: EKS maps the role behind a session). */
export const iamPrincipalArn = z
  .string()
  .regex(
    new RegExp(`^arn:${partition}:iam::\\d{12}:(?:role|user)/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`),
    "an IAM role or user ARN such as arn:aws:iam::123456789012:role/ci-deploy (not an sts assumed-role ARN)",
  );

export const policyArn = z
  .string()
  .regex(
    new RegExp(`^arn:${partition}:iam::(?:\\d{12}|aws):policy/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,128}$`),
    "an IAM managed policy ARN such as arn:aws:iam::123456789012:policy/boundary",
  );

export const oidcProviderArn = z
  .string()
  .regex(
    new RegExp(
      `^arn:${partition}:iam::\\d{12}:oidc-provider/oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(?:\\.cn)?/id/[A-Za-z0-9]{8,64}$`,
    ),
    "an EKS IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
  );

export const ecrRepositoryArn = z
  .string()
  .regex(
    new RegExp(
      `^arn:${partition}:ecr:[a-z]{2}(?:-gov)?-[a-z]+-\\d:\\d{12}:repository/[a-z0-9][a-z0-9._/-]*?(?:/\\*)?$`,
    ),
    "an ECR repository ARN such as arn:aws:ecr:eu-west-1:123456789012:repository/team/app (a trailing /* may select a path prefix; no other wildcard)",
  );

export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");

/** Kubernetes object names that are also DNS labels (namespaces, service accounts, IngressClasses). */
export const k8sName = z
  .string()
  .max(63, "at most 63 characters (a Kubernetes DNS label)")
  .regex(/^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/, "a Kubernetes DNS label: lower-case letters, digits and '-'");

export const eksClusterName = z
  .string()
  .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "an EKS cluster name: 1-100 letters, digits, '-' or '_'");

export const environmentName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,15}$/,
    "1-16 characters: a lower-case letter, then lower-case letters, digits or '-' (it prefixes every IAM role name)",
  );

/**
 * Tags, as IAM accepts them on every role and policy (IAM API reference, Tag: a key of 1-128 and a value of
 * 0-256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`; "IAM and AWS STS quotas": at most 50 tags per resource).
 * EKS and the other services that get the same tags accept that set too.
 */
export const TAGS_MAX = 50;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_TEXT_EXPECTED = "letters, digits, spaces and _ . : / = + - @ only (IAM's tag pattern)";

export const tags = z
  .record(
    z
      .string()
      .min(1)
      .max(128)
      .regex(/^(?!aws:)/, "tag keys may not start with aws:")
      .regex(TAG_TEXT, TAG_TEXT_EXPECTED),
    z.string().max(256).regex(TAG_TEXT, TAG_TEXT_EXPECTED),
  )
  .refine((t) => Object.keys(t).length <= TAGS_MAX, {
    message: `at most ${TAGS_MAX} tags (IAM and AWS STS quotas: 50 per resource)`,
  });
