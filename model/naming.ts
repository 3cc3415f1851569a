/**
 * Names other teams rely on, built in one place. Pure functions: no Pulumi resources here.
 */

/**
 * IAM's limit on role names (managed policies, which share the role's name here, allow 128).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const IAM_ROLE_NAME_MAX = 64;

/** `<environment>-<key>-<namespace>`: the workload role name other teams already look up (IRSA or Pod Identity). */
export function workloadRoleName(environment: string, key: string, namespace: string): string {
  return `${environment}-${key}-${namespace}`;
}

/** `system:serviceaccount:<namespace>:<name>`: the `sub` claim of a projected service-account token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/**
 * Helm's limit on release names: it stores a release in a Secret named `sh.helm.release.v1.<name>.v<revision>`
 * and refuses names longer than 53 characters (helm/pkg/chartutil, `validateReleaseName`).
 */
export const HELM_RELEASE_NAME_MAX = 53;

/** Helm release name of an ingress controller instance. */
export function ingressReleaseName(instance: string): string {
  return `ingress-${instance}`;
}

/** Helm release name (and service account name) of an external-dns instance. */
export function externalDnsReleaseName(instance: string): string {
  return `external-dns-${instance}`;
}

/** Default `txtOwnerId`: unique per environment, cluster and instance, and stable across runs. */
export function externalDnsOwnerId(environment: string, clusterName: string, instance: string): string {
  return `${environment}-${clusterName}-${instance}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
}

/** Route53 hosted zone ARN (Route53 is global: no region or account in the ARN, but the partition). */
export function hostedZoneArn(zoneId: string, partition: string): string {
  return `arn:${partition}:route53:::hostedzone/${zoneId}`;
}

/** The issuer host and path of an EKS OIDC provider ARN, which prefixes the IRSA trust condition keys. */
export function oidcIssuerHostPath(providerArn: string): string {
  const marker = ":oidc-provider/";
  const at = providerArn.indexOf(marker);
  if (at < 0) {
    throw new Error(`not an IAM OIDC provider ARN: ${providerArn}`);
  }
  return providerArn.slice(at + marker.length);
}

/** The issuer URL of a cluster as the IAM OIDC provider's `url` wants it: without the scheme. */
export function issuerHostPathFromUrl(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/**
 * Name of the controller Service the nginx-ingress chart renders for a release: `<fullname>-controller`, where
 * fullname is the release name plus `-nginx-ingress` unless the release name already contains it.
 */
export function ingressServiceName(release: string): string {
  const fullname = release.includes("nginx-ingress") ? release : `${release}-nginx-ingress`;
  return `${fullname}-controller`.slice(0, 63).replace(/-+$/, "");
}

/** The annotation that binds a Kubernetes service account to its IRSA role. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The IAM role keys of the built-in workloads. */
export const roleKeys = {
  certManager: "cert-manager",
  externalDns: (instance: string) => `external-dns-${instance}`,
  ecrOperator: "ecr-operator",
  loadBalancerController: "aws-load-balancer-controller",
} as const;

/** Helm release name of the AWS Load Balancer Controller: the name AWS's installation guide uses. */
export const LOAD_BALANCER_CONTROLLER_RELEASE = "aws-load-balancer-controller";

/** `name` equals `domain` or is a subdomain of it. */
export function isWithinDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** One domain contains the other (or they are equal): records under one may belong to the other. */
export function domainsOverlap(a: string, b: string): boolean {
  return isWithinDomain(a, b) || isWithinDomain(b, a);
}
