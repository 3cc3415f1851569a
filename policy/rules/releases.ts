/**
 * Helm release rules (pinned charts, no community ingress-nginx, cert-manager keeps its CRDs) and external-dns instances.
 */
import { domainsOverlap } from "../facts";
import type { Report, ResourceData, StackReport } from "./data";
import { EXTERNAL_DNS_POLICIES, TYPES, dict, nonEmptyString, strings } from "./data";

// ---- Helm releases ---------------------------------------------------------------------------------------------

function releaseName(r: ResourceData): string {
  return nonEmptyString(r.props.name) ? r.props.name : r.name;
}

function repoOf(r: ResourceData): string {
  const repo = dict(r.props.repositoryOpts).repo;
  return typeof repo === "string" ? repo : "";
}

/**
 * The chart's own name: the last path segment of `chart` (`oci://host/path/name`, `repo/name` or `name`), without
 * an OCI tag or digest.
 */
export function chartName(chart: unknown): string {
  if (typeof chart !== "string") {
    return "";
  }
  const last =
    chart
      .replace(/^[a-z]+:\/\//, "")
      .split("/")
      .pop() ?? "";
  return last.split("@")[0].split(":")[0];
}

/** An exact SemVer version, with an optional leading `v`: what Helm installs verbatim, never a range. */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Every release names an exact chart version: a range or no version lets a later run install another chart. */
export function checkChartVersionPinned(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.release) {
    return;
  }
  const version = r.props.version;
  const what = `release ${releaseName(r)} (chart ${String(r.props.chart)})`;
  if (!nonEmptyString(version)) {
    report(`${what} has no chart version; pin an exact one such as 1.2.3`);
  } else if (!EXACT_VERSION.test(version.trim())) {
    report(
      `${what} asks for chart version "${version}", which is not an exact version; pin one such as 1.2.3`,
    );
  }
}

const COMMUNITY_INGRESS_SOURCES = ["kubernetes.github.io/ingress-nginx", "registry.k8s.io/ingress-nginx"];

/**
 * Nothing from the retired community ingress-nginx project (its chart, its Helm repository or its registry); the
 * platform's controller is F5 NGINX's.
 */
export function checkNoCommunityIngressNginx(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.release) {
    return;
  }
  const chart = typeof r.props.chart === "string" ? r.props.chart : "";
  const name = chartName(chart);
  const source = [chart, repoOf(r)].find((s) => COMMUNITY_INGRESS_SOURCES.some((c) => s.includes(c)));
  if (name === "ingress-nginx" || /^ingress-nginx-\d.*\.tgz$/.test(name) || source !== undefined) {
    report(
      `release ${releaseName(r)} installs the retired community ingress-nginx (${source ?? chart}); use F5 NGINX's nginx-ingress chart`,
    );
  }
}

/**
 * cert-manager keeps its CRDs when the release goes (`crds.keep: true`): deleting the CRDs deletes every
 * Certificate and Issuer in the cluster. The deprecated `installCRDs` is not used.
 */
export function checkCertManagerKeepsCrds(r: ResourceData, report: Report): void {
  if (r.type !== TYPES.release || chartName(r.props.chart) !== "cert-manager") {
    return;
  }
  const values = dict(r.props.values);
  if (dict(values.crds).keep !== true) {
    report(
      `cert-manager release ${releaseName(r)} does not set crds.keep: true; uninstalling it would delete the CRDs and with them every Certificate and Issuer`,
    );
  }
  if (values.installCRDs === true) {
    report(
      `cert-manager release ${releaseName(r)} sets the deprecated installCRDs; use crds.enabled and crds.keep instead`,
    );
  }
}

// ---- external-dns ----------------------------------------------------------------------------------------------

function isExternalDns(r: ResourceData): boolean {
  return r.type === TYPES.release && chartName(r.props.chart) === "external-dns";
}

/**
 * Every external-dns instance states its record policy (the chart's default and the application's differ) and
 * an owner ID for its TXT registry (without one, instances cannot tell their records apart).
 */
export function checkExternalDnsInstance(r: ResourceData, report: Report): void {
  if (!isExternalDns(r)) {
    return;
  }
  const values = dict(r.props.values);
  const name = releaseName(r);
  if (values.policy === undefined) {
    report(`external-dns release ${name} does not set policy; set ${EXTERNAL_DNS_POLICIES.join(", ")}`);
  } else if (typeof values.policy !== "string" || !EXTERNAL_DNS_POLICIES.includes(values.policy)) {
    report(
      `external-dns release ${name} has policy ${JSON.stringify(values.policy)}; expected one of ${EXTERNAL_DNS_POLICIES.join(", ")}`,
    );
  }
  if (!nonEmptyString(values.txtOwnerId)) {
    report(`external-dns release ${name} does not set txtOwnerId`);
  }
}

/** Values of a flag in extraArgs, given as a list (`--flag=v` or `--flag`, `v`) or as a map (`flag: v`). */
function flagValues(extraArgs: unknown, flag: string): string[] {
  if (Array.isArray(extraArgs)) {
    const args = strings(extraArgs);
    const out: string[] = [];
    args.forEach((arg, i) => {
      if (arg.startsWith(`--${flag}=`)) {
        out.push(arg.slice(flag.length + 3));
      } else if (arg === `--${flag}` && i + 1 < args.length) {
        out.push(args[i + 1]);
      }
    });
    return out;
  }
  const map = dict(extraArgs);
  return strings(map[flag] ?? map[`--${flag}`]);
}

function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, "");
}

interface DnsInstance {
  name: string;
  urn?: string;
  ownerId: string;
  zoneIds: string[];
  domains: string[];
}

function dnsInstance(r: ResourceData): DnsInstance {
  const values = dict(r.props.values);
  return {
    name: releaseName(r),
    urn: r.urn,
    ownerId: typeof values.txtOwnerId === "string" ? values.txtOwnerId : "",
    zoneIds: [...new Set(flagValues(values.extraArgs, "zone-id-filter"))],
    domains: [
      ...new Set(
        [...strings(values.domainFilters), ...flagValues(values.extraArgs, "domain-filter")]
          .map(normalizeDomain)
          .filter((d) => d !== ""),
      ),
    ],
  };
}

/**
 * Across the stack, no two external-dns instances share an owner ID, a hosted zone (`--zone-id-filter`) or a
 * domain (overlapping `domainFilters`): two instances on the same records delete each other's work under `sync`.
 * An instance with neither filter manages every zone it can see, so it overlaps every other instance.
 */
export function checkExternalDnsDisjoint(resources: readonly ResourceData[], report: StackReport): void {
  const instances = resources.filter(isExternalDns).map(dnsInstance);
  instances.forEach((a, i) => {
    for (const b of instances.slice(i + 1)) {
      const pair = `external-dns releases ${a.name} and ${b.name}`;
      if (a.ownerId !== "" && a.ownerId === b.ownerId) {
        report(`${pair} share the txtOwnerId "${a.ownerId}"`, b.urn);
      }
      for (const zone of a.zoneIds.filter((z) => b.zoneIds.includes(z))) {
        report(`${pair} both manage the hosted zone ${zone}`, b.urn);
      }
      for (const da of a.domains) {
        for (const db of b.domains.filter((d) => domainsOverlap(da, d))) {
          report(`${pair} have overlapping domainFilters "${da}" and "${db}"`, b.urn);
        }
      }
      for (const [self, other] of [
        [a, b],
        [b, a],
      ]) {
        if (self.zoneIds.length === 0 && self.domains.length === 0) {
          report(
            `external-dns release ${self.name} has neither --zone-id-filter nor domainFilters, so it manages every zone it can see, those of ${other.name} included`,
            self.urn,
          );
        }
      }
    }
  });
}
