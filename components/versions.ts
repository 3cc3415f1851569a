/**
 * Every Helm chart this program installs, pinned in one place. Bump a version here and nowhere else; the tests
 * and the policy pack read these values, and the plan shows them.
 */
export interface ChartPin {
  /** Chart name inside the repository. For OCI charts the full reference is in `chart`. */
  readonly chart: string;
  /** Exact chart version (no ranges). */
  readonly version: string;
  /** Classic Helm repository URL, or undefined when `chart` is an OCI reference. */
  readonly repo?: string;
  /** Application version the chart ships, for humans reading the plan. */
  readonly appVersion: string;
}

export const charts = {
  /** F5 NGINX Ingress Controller (nginx/kubernetes-ingress), the open-source chart, not the Plus-only `-lts`. */
  nginxIngress: {
    chart: "oci://ghcr.io/nginx/charts/nginx-ingress",
    version: "2.6.4",
    appVersion: "5.5.4",
  },
  /** external-dns from kubernetes-sigs; published only to its classic repository. */
  externalDns: {
    chart: "external-dns",
    repo: "https://kubernetes-sigs.github.io/external-dns/",
    version: "1.21.1",
    appVersion: "0.21.0",
  },
  /** cert-manager; the OCI registry is the upstream source of truth and the version carries a leading `v`. */
  certManager: {
    chart: "oci://quay.io/jetstack/charts/cert-manager",
    version: "v1.21.1",
    appVersion: "v1.21.1",
  },
  /**
   * AWS Load Balancer Controller from AWS's eks-charts repository (stable/aws-load-balancer-controller); 3.5.0
   * was the newest chart when it was added. Its IAM policy (awsLoadBalancerController/policy.ts) is the one of the
   * same controller tag, v3.5.0: bump both together.
   */
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    repo: "https://aws.github.io/eks-charts",
    version: "3.5.0",
    appVersion: "v3.5.0",
  },
} as const satisfies Record<string, ChartPin>;

/**
 * The F5 NGINX Ingress Controller's CRDs (VirtualServer, Policy, TransportServer, ...) of the pinned app version,
 * as the project publishes them for manifest installs (`deploy/crds.yaml` at the release tag). Installed as their
 * own resource: Helm applies a chart's `crds/` only on install, so a running controller could never get them.
 */
export const nginxIngressCrdsUrl = `https://raw.githubusercontent.com/nginx/kubernetes-ingress/v${charts.nginxIngress.appVersion}/deploy/crds.yaml`;

/**
 * What the program accepts as those CRDs: the manifest's SHA-256 and the CRD names in it. The program fetches the
 * manifest itself (from `nginxIngressCrdsUrl`, or the mirror a stack names in `ingress.crdsUrl`), refuses any
 * other content before anything is applied, and applies the CRDs server-side (components/ingress/crds.ts).
 * Derived from the release tag: `git show v5.5.4:deploy/crds.yaml | sha256sum` and `grep '^  name:'` on the same
 * file, in a clone of nginx/kubernetes-ingress. Bump with `appVersion`.
 */
export const nginxIngressCrds = {
  url: nginxIngressCrdsUrl,
  sha256: "9a79a8233162a61fc16820c17c62ec6c33f2c1666b69814f30603ef4e0b93098",
  names: [
    "dnsendpoints.externaldns.nginx.org",
    "globalconfigurations.k8s.nginx.org",
    "policies.k8s.nginx.org",
    "transportservers.k8s.nginx.org",
    "virtualserverroutes.k8s.nginx.org",
    "virtualservers.k8s.nginx.org",
  ],
} as const;
