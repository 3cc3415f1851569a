/**
 * Shared by the policy pack's tests: resources as the pack sees them, built by hand or from a captured program
 * run, and a compact form of violations for exact assertions.
 */
import type { Capture } from "../offline/harness";
import { TIER_LABEL } from "../policy/facts";
import { TYPES, evaluate, type ResourceData, type Violation } from "../policy/rules";

export const PROJECT = "eks-platform";

export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

/** A resource of `stack` as the engine would send it (the URN carries the stack name). */
export function res(
  type: string,
  name: string,
  props: Record<string, unknown>,
  opts: { protect?: boolean; stack?: string } = {},
): ResourceData {
  return { type, name, props, protect: opts.protect ?? false, urn: urnOf(opts.stack ?? "dev", type, name) };
}

/** Every resource of a captured run (offline/harness.ts), with its inputs as props. */
export function fromCapture(capture: Capture): ResourceData[] {
  return capture.resources.map((r) => ({
    type: r.type,
    name: r.name,
    props: r.inputs,
    protect: r.protect,
    urn: urnOf(capture.stack, r.type, r.name),
  }));
}

/** `rule [level] resource: message`, one line per violation, in the order found. */
export function lines(violations: Violation[]): string[] {
  return violations.map((v) => `${v.rule} [${v.level}] ${v.resource ?? "-"}: ${v.message}`);
}

/** The whole pack over some resources of one stack, with the default prod stacks. */
export function check(resources: ResourceData[], stack = "dev", prodStacks = ["prod"]): string[] {
  return lines(evaluate(resources, { stack, prodStacks }));
}

// ---- valid resources to start from ---------------------------------------------------------------------------

export const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F";
export const OIDC_ARN = `arn:aws:iam::111111111111:oidc-provider/${ISSUER}`;
export const sa = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

export function trustStatement(condition: Record<string, unknown>, federated: unknown = OIDC_ARN) {
  return {
    Effect: "Allow",
    Principal: { Federated: federated },
    Action: ["sts:AssumeRoleWithWebIdentity"],
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

export function irsaTrust(sub: string | string[] = sa("apps", "app")): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      trustStatement({ StringEquals: { [`${ISSUER}:sub`]: sub, [`${ISSUER}:aud`]: "sts.amazonaws.com" } }),
    ],
  };
}

/** A protected IRSA role (so no protection rule fires), trust given as JSON text like the program does. */
export function role(
  name: string,
  trust: unknown = irsaTrust(),
  extra: Record<string, unknown> = {},
  opts: { protect?: boolean; stack?: string } = {},
): ResourceData {
  return res(
    TYPES.role,
    name,
    { name, assumeRolePolicy: typeof trust === "string" ? trust : JSON.stringify(trust), ...extra },
    { protect: opts.protect ?? true, stack: opts.stack },
  );
}

export function policyDoc(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

export function release(name: string, props: Record<string, unknown>): ResourceData {
  return res(TYPES.release, name, { name, ...props });
}

export function certManager(values: Record<string, unknown> = { crds: { enabled: true, keep: true } }) {
  return release("cert-manager", {
    chart: "oci://quay.io/jetstack/charts/cert-manager",
    version: "v1.21.1",
    values,
  });
}

export function externalDns(
  instance: string,
  values: Record<string, unknown>,
  chart: Record<string, unknown> = {},
): ResourceData {
  return release(`external-dns-${instance}`, {
    chart: "external-dns",
    repositoryOpts: { repo: "https://kubernetes-sigs.github.io/external-dns/" },
    version: "1.21.1",
    values,
    ...chart,
  });
}

export function dnsValues(owner: string, zoneId: string, domain: string): Record<string, unknown> {
  return {
    policy: "sync",
    txtOwnerId: owner,
    domainFilters: [domain],
    extraArgs: ["--aws-zone-type=public", `--zone-id-filter=${zoneId}`],
  };
}

export const LE_PROD = "https://acme-v02.api.letsencrypt.org/directory";
export const LE_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

export function acmeSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    acme: {
      email: "team@example.com",
      server: LE_PROD,
      privateKeySecretRef: { name: "letsencrypt-prod-account-key" },
      solvers: [
        { selector: { dnsZones: ["example.com"] }, dns01: { route53: { hostedZoneID: "Z0123456789" } } },
        { http01: { ingress: { ingressClassName: "nginx-public" } } },
      ],
      ...overrides,
    },
  };
}

/**
 * The platform Namespace as the program registers it, labelled with its tier (`dev` | `prod`): the label the
 * pack reads to tell prod stacks from the others.
 */
export function namespace(stack: string, tier: string, name = "platform"): ResourceData {
  return res(TYPES.namespace, name, { metadata: { name, labels: { [TIER_LABEL]: tier } } }, { stack });
}

export function clusterIssuer(
  name: string,
  spec: Record<string, unknown>,
  type: string = TYPES.clusterIssuer,
) {
  return res(type, name, {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name },
    spec,
  });
}
