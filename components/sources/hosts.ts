/**
 * Every host a deploy of a stack contacts outside AWS's APIs and the cluster's API server, with who contacts it
 * and why: the chart repositories and the CRD source (the machine that runs `pulumi up`: the Kubernetes provider
 * runs Helm there), the schema host of the nginx-ingress chart, the image registries (the cluster's nodes) and
 * the ACME directories (cert-manager). Pure; the plan prints it, so that an operator opens exactly these.
 */
import type { PlatformConfig } from "../../model/config";
import { LETSENCRYPT } from "../../model/letsencrypt";
import { imageRegistry } from "./images";
import { CHART_KEYS, chartImages, releaseSource, type ChartKey } from "../versions";

export type Contacting = "the deploy machine" | "the cluster's nodes" | "cert-manager in the cluster";

export interface ContactedHost {
  /** Host name (with a port when not the default one). */
  readonly host: string;
  /** Who opens the connection. */
  readonly from: Contacting;
  /** What it fetches there. */
  readonly purpose: string;
}

/**
 * The nginx-ingress chart's values.schema.json (nginx/kubernetes-ingress v5.5.4) `$ref`s Kubernetes definitions
 * at this host; Helm fetches them whenever it validates the values (helm v3.20 pkg/chartutil/jsonschema.go:
 * an HTTP loader for http(s) references), and pulumi-kubernetes' Release has no way to skip that validation.
 */
export const NGINX_INGRESS_SCHEMA_HOST = "raw.githubusercontent.com";

/**
 * Where the upstream classic repositories keep a chart's archive, when not beside their index (each repository's
 * index.yaml `urls` at the pinned version): external-dns publishes its archives as GitHub release assets.
 */
const ARCHIVE_HOSTS: Partial<Record<ChartKey, string>> = { externalDns: "github.com" };

/**
 * The host a container runtime pulls a registry's images from: Docker Hub's images are named `docker.io/...` but
 * served by registry-1.docker.io (containerd, remotes/docker/resolver.go).
 */
function pullHost(registry: string): string {
  const host = registry.split("/")[0];
  return host === "docker.io" ? "registry-1.docker.io" : host;
}

function hostOf(url: string): string {
  return new URL(url.replace(/^oci:\/\//, "https://")).host;
}

/** The charts a stack installs. */
export function installedCharts(cfg: PlatformConfig): ChartKey[] {
  const installed: Record<ChartKey, boolean> = {
    nginxIngress: cfg.ingress.instances.length > 0,
    externalDns: cfg.externalDns.length > 0,
    certManager: true,
    awsLoadBalancerController: cfg.loadBalancerController.mode === "install",
  };
  return CHART_KEYS.filter((k) => installed[k]);
}

export function contactedHosts(cfg: PlatformConfig): ContactedHost[] {
  const found: ContactedHost[] = [];
  const add = (host: string, from: Contacting, purpose: string) => found.push({ host, from, purpose });
  const deploy = "the deploy machine";
  for (const key of installedCharts(cfg)) {
    const mirror = cfg.charts.mirrors[key];
    const source = releaseSource(key, mirror);
    const what = `chart ${source.chart} ${source.version}`;
    add(hostOf(source.repositoryOpts?.repo ?? source.chart), deploy, what);
    const archive = mirror ? undefined : ARCHIVE_HOSTS[key];
    if (archive) {
      add(archive, deploy, `${what}: the archive its repository's index points to`);
    }
    const registry = imageRegistry(cfg.images, key) ?? chartImages[key].registry;
    // The ACME solver's image is pulled only for an HTTP-01 challenge.
    const paths = chartImages[key].paths.filter(
      (p) => !p.endsWith("/cert-manager-acmesolver") || cfg.certManager.http01IngressClass !== undefined,
    );
    for (const image of paths) {
      add(pullHost(registry), "the cluster's nodes", `image ${registry}/${image}`);
    }
  }
  if (cfg.ingress.instances.length > 0) {
    if (!cfg.charts.nginxIngressLocalSchema) {
      add(
        NGINX_INGRESS_SCHEMA_HOST,
        deploy,
        "Kubernetes JSON definitions the nginx-ingress values schema refers to",
      );
    }
    // The program fetches the CRD manifest itself (components/ingress/crds.ts): upstream's, or `ingress.crdsUrl`.
    const crds = cfg.ingress.crdsUrl;
    add(hostOf(crds), deploy, `NGINX Ingress Controller CRDs ${crds}`);
  }
  if (cfg.certManager.letsEncrypt) {
    for (const [issuer, url] of Object.entries(LETSENCRYPT)) {
      add(hostOf(url), "cert-manager in the cluster", `ACME directory of ClusterIssuer ${issuer}`);
    }
    for (const resolver of cfg.certManager.recursiveNameservers) {
      add(resolver, "cert-manager in the cluster", "DNS-01 self-check resolver (DNS)");
    }
  }
  return found.sort((a, b) => a.host.localeCompare(b.host) || a.purpose.localeCompare(b.purpose));
}
