/**
 * Every Helm chart this program installs, pinned in one place. Bump a version here and nowhere else; the tests
 * and the policy pack read these values, and the plan shows them.
 */
import type { ChartMirrorConfig } from "../model/config";

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

/** A chart's key in `charts`: how a stack names it (`charts.<key>` in stack config). */
export type ChartKey = keyof typeof charts;
export const CHART_KEYS = Object.keys(charts) as ChartKey[];

/** Where a Helm release takes a chart from: the Release's `chart`, `version` and `repositoryOpts`. */
export interface ReleaseSource {
  readonly chart: string;
  readonly version: string;
  readonly repositoryOpts?: {
    readonly repo?: string;
    readonly username?: string;
    readonly password?: string;
    readonly caFile?: string;
  };
}

/** The chart's own name: the last segment of an OCI reference, or `chart` itself in a classic repository. */
export function chartName(key: ChartKey): string {
  const pin: ChartPin = charts[key];
  return pin.chart.slice(pin.chart.lastIndexOf("/") + 1);
}

/**
 * The source of one pinned chart: its upstream repository, or the mirror, which serves the same name and version.
 * An OCI mirror takes the chart as `<url>/<name>` (Helm pulls `oci://` references directly, no repository
 * options); a classic mirror is the release's `repositoryOpts.repo`. Credentials go in `repositoryOpts`, which
 * pulumi-kubernetes passes to Helm's chart download for both kinds (provider/pkg/provider/helm_release.go,
 * `getChart`: an authenticated registry client for OCI, the repository's basic auth otherwise).
 */
export function releaseSource(key: ChartKey, mirror?: ChartMirrorConfig): ReleaseSource {
  const pin: ChartPin = charts[key];
  if (!mirror) {
    return {
      chart: pin.chart,
      version: pin.version,
      ...(pin.repo ? { repositoryOpts: { repo: pin.repo } } : {}),
    };
  }
  const oci = mirror.url.startsWith("oci://");
  const credentials = {
    ...(mirror.username !== undefined ? { username: mirror.username } : {}),
    ...(mirror.password !== undefined ? { password: mirror.password } : {}),
    ...(mirror.caFile !== undefined ? { caFile: mirror.caFile } : {}),
  };
  const repositoryOpts = oci ? credentials : { repo: mirror.url, ...credentials };
  return {
    chart: oci ? `${mirror.url.replace(/\/+$/, "")}/${chartName(key)}` : chartName(key),
    version: pin.version,
    ...(Object.keys(repositoryOpts).length > 0 ? { repositoryOpts } : {}),
  };
}

/**
 * The images each chart deploys with this program's values, by the upstream registry they come from and the
 * repository path there (tests/fixtures/chart-images.json holds the facts, read from each chart at its pinned
 * version, and a test checks this list against them). A registry mirror serves `<path>` under its own prefix.
 */
export const chartImages: Readonly<
  Record<ChartKey, { readonly registry: string; readonly paths: readonly string[] }>
> = {
  // controller.image.repository; the init container (readOnlyRootFilesystem) runs the same image.
  nginxIngress: { registry: "docker.io", paths: ["nginx/nginx-ingress"] },
  // image.repository
  externalDns: { registry: "registry.k8s.io", paths: ["external-dns/external-dns"] },
  // imageRegistry + imageNamespace + <component>.image.name; the ACME solver's image is a controller flag.
  certManager: {
    registry: "quay.io",
    paths: [
      "jetstack/cert-manager-controller",
      "jetstack/cert-manager-webhook",
      "jetstack/cert-manager-cainjector",
      "jetstack/cert-manager-startupapicheck",
      "jetstack/cert-manager-acmesolver",
    ],
  },
  // image.repository
  awsLoadBalancerController: { registry: "public.ecr.aws", paths: ["eks/aws-load-balancer-controller"] },
};
