/**
 * Collection: reads the live platform through the real clients and returns plain `Observed` data. Read-only by
 * construction: only list/get/describe calls, Kubernetes GETs, DNS queries and one HTTP GET per HTTP-01 challenge
 * (the same request Let's Encrypt makes).
 */
import * as http from "node:http";
import { Resolver } from "node:dns/promises";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { GetRoleCommand, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
} from "@aws-sdk/client-eks";
import type {
  AwsObserved,
  Challenge,
  DnsAnswer,
  ExpectedPlatform,
  HttpAnswer,
  KubernetesObserved,
  Observed,
  RecordSet,
  RoleObserved,
} from "./model";

export interface CollectOptions {
  /** Default: the operator's kubeconfig (`KubeConfig.loadFromDefault`). */
  kubeConfig?: KubeConfig;
  iam?: IAMClient;
  route53?: Route53Client;
  eks?: EKSClient;
  /** Resolvers for the public view of DNS, `ip` or `ip:port`. Default: Cloudflare and Google. */
  nameservers?: string[];
  /** Port of the HTTP-01 probe (Let's Encrypt uses 80). */
  http01Port?: number;
  /** Only this host for the DNS and certificate reads (`--host`). */
  host?: string;
  /** Per DNS or HTTP probe. */
  timeoutMs?: number;
}

export const PUBLIC_NAMESERVERS = ["1.1.1.1", "8.8.8.8"];

type ReadErrors = Observed["readErrors"];

async function read<T>(errors: ReadErrors, source: string, fallback: T, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    errors.push({ source, message: err instanceof Error ? err.message.split("\n")[0] : String(err) });
    return fallback;
  }
}

/** The client's model objects carry Dates; the doctor works on the wire form. */
function wire<T>(items: unknown): T[] {
  return JSON.parse(JSON.stringify(items ?? [])) as T[];
}

// ---- Kubernetes -----------------------------------------------------------------------------------------------

const NOTHING_READ: KubernetesObserved = {
  pods: [],
  serviceAccounts: [],
  services: [],
  deployments: [],
  ingresses: [],
  ingressClasses: [],
  events: [],
  clusterIssuers: [],
  certificates: [],
  certificateRequests: [],
  orders: [],
  challenges: [],
  logs: {},
};

async function collectKubernetes(
  kc: KubeConfig,
  exp: ExpectedPlatform,
  errors: ReadErrors,
): Promise<KubernetesObserved> {
  // Without any kubeconfig the client falls back to http://localhost:8080 and every read fails with a puzzling
  // TLS message: say what is missing instead.
  if (kc.getContexts().length === 0 || kc.getCurrentCluster()?.server === "http://localhost:8080") {
    errors.push({
      source: "kubernetes",
      message: `no kubeconfig context (run: aws eks update-kubeconfig --name ${exp.clusterName} --region ${exp.region})`,
    });
    return NOTHING_READ;
  }
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const namespaces = [...new Set([exp.namespace, ...exp.roles.map((r) => r.namespace)])];
  const perNamespace = async <T>(what: string, list: (namespace: string) => Promise<{ items: unknown }>) =>
    (
      await Promise.all(
        namespaces.map((ns) =>
          read(errors, `kubernetes ${what} in ${ns}`, [] as T[], async () => wire<T>((await list(ns)).items)),
        ),
      )
    ).flat();
  const crs = <T>(group: string, plural: string) =>
    read(errors, `kubernetes ${plural}.${group}`, [] as T[], async () => {
      const list = (await custom.listClusterCustomObject({ group, version: "v1", plural })) as {
        items?: unknown;
      };
      return wire<T>(list.items);
    });

  const [pods, serviceAccounts, services, deployments, ingresses, ingressClasses, events] = await Promise.all(
    [
      perNamespace<KubernetesObserved["pods"][number]>("pods", (namespace) =>
        core.listNamespacedPod({ namespace }),
      ),
      perNamespace<KubernetesObserved["serviceAccounts"][number]>("serviceaccounts", (namespace) =>
        core.listNamespacedServiceAccount({ namespace }),
      ),
      read(
        errors,
        `kubernetes services in ${exp.namespace}`,
        [] as KubernetesObserved["services"],
        async () => wire((await core.listNamespacedService({ namespace: exp.namespace })).items),
      ),
      read(
        errors,
        `kubernetes deployments in ${exp.namespace}`,
        [] as KubernetesObserved["deployments"],
        async () => wire((await apps.listNamespacedDeployment({ namespace: exp.namespace })).items),
      ),
      read(errors, "kubernetes ingresses", [] as KubernetesObserved["ingresses"], async () =>
        wire((await net.listIngressForAllNamespaces()).items),
      ),
      read(errors, "kubernetes ingressclasses", [] as KubernetesObserved["ingressClasses"], async () =>
        wire((await net.listIngressClass()).items),
      ),
      read(errors, "kubernetes events", [] as KubernetesObserved["events"], async () =>
        wire((await core.listEventForAllNamespaces({ fieldSelector: "type=Warning" })).items),
      ),
    ],
  );
  const [clusterIssuers, certificates, certificateRequests, orders, challenges] = await Promise.all([
    crs<KubernetesObserved["clusterIssuers"][number]>("cert-manager.io", "clusterissuers"),
    crs<KubernetesObserved["certificates"][number]>("cert-manager.io", "certificates"),
    crs<KubernetesObserved["certificateRequests"][number]>("cert-manager.io", "certificaterequests"),
    crs<KubernetesObserved["orders"][number]>("acme.cert-manager.io", "orders"),
    crs<Challenge>("acme.cert-manager.io", "challenges"),
  ]);

  // The last hour of each external-dns pod's log: AccessDenied, not-owner and throttling show up there.
  const releases = new Set(exp.externalDns.map((e) => e.release));
  const dnsPods = pods.filter(
    (p) =>
      p.metadata.namespace === exp.namespace &&
      (releases.has(p.metadata.labels?.["app.kubernetes.io/instance"] ?? "") ||
        releases.has(p.spec.serviceAccountName ?? "")),
  );
  const logs: Record<string, string> = {};
  await Promise.all(
    dnsPods.map(async (p) => {
      const key = `${exp.namespace}/${p.metadata.name}`;
      logs[key] = await read(errors, `kubernetes log of pod ${key}`, "", () =>
        core.readNamespacedPodLog({
          name: p.metadata.name,
          namespace: exp.namespace,
          sinceSeconds: 3600,
          tailLines: 500,
        }),
      );
    }),
  );
  return {
    pods,
    serviceAccounts,
    services,
    deployments,
    ingresses,
    ingressClasses,
    events,
    clusterIssuers,
    certificates,
    certificateRequests,
    orders,
    challenges,
    logs,
  };
}

// ---- AWS ------------------------------------------------------------------------------------------------------

const stripDot = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Route53 returns `*` as `\052` and other specials octal-escaped. */
const unescapeName = (name: string) =>
  stripDot(name.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));

/** A TXT value as Route53 stores it (`"chunk" "chunk"`), joined like a resolver joins its strings. */
export function txtText(value: string): string {
  const chunks = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
  return chunks.length ? chunks.join("") : value;
}

export function recordSet(r: ResourceRecordSet): RecordSet {
  const type = r.Type ?? "";
  return {
    name: unescapeName(r.Name ?? ""),
    type,
    values: (r.ResourceRecords ?? []).map((v) =>
      type === "TXT" ? txtText(v.Value ?? "") : stripDot(v.Value ?? ""),
    ),
    ...(r.AliasTarget?.DNSName ? { aliasTarget: stripDot(r.AliasTarget.DNSName) } : {}),
  };
}

async function allRecords(route53: Route53Client, zoneId: string): Promise<RecordSet[]> {
  const out: RecordSet[] = [];
  let start: {
    StartRecordName?: string;
    StartRecordType?: ResourceRecordSet["Type"];
    StartRecordIdentifier?: string;
  } = {};
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
    out.push(...(page.ResourceRecordSets ?? []).map(recordSet));
    if (!page.IsTruncated) {
      return out;
    }
    start = {
      StartRecordName: page.NextRecordName,
      StartRecordType: page.NextRecordType,
      StartRecordIdentifier: page.NextRecordIdentifier,
    };
  }
}

async function collectAws(
  exp: ExpectedPlatform,
  opts: CollectOptions,
  errors: ReadErrors,
): Promise<AwsObserved> {
  const iam = opts.iam ?? new IAMClient({ region: exp.region });
  const route53 = opts.route53 ?? new Route53Client({ region: exp.region });
  const eks = opts.eks ?? new EKSClient({ region: exp.region });

  const roles: AwsObserved["roles"] = {};
  await Promise.all(
    exp.roles.map(async (r) => {
      try {
        const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: r.roleName }));
        const observed: RoleObserved = {
          arn: role?.Arn ?? "",
          createDate: role?.CreateDate?.toISOString() ?? "",
          trust: JSON.parse(
            decodeURIComponent(role?.AssumeRolePolicyDocument ?? "%7B%22Statement%22%3A%5B%5D%7D"),
          ) as RoleObserved["trust"],
          ...(role?.RoleLastUsed?.LastUsedDate
            ? { lastUsed: role.RoleLastUsed.LastUsedDate.toISOString() }
            : {}),
        };
        roles[r.roleName] = observed;
      } catch (err) {
        if (
          err instanceof NoSuchEntityException ||
          (err as { name?: string }).name === "NoSuchEntityException"
        ) {
          roles[r.roleName] = null;
        } else {
          errors.push({
            source: `iam role ${r.roleName}`,
            message: err instanceof Error ? err.message : String(err),
          });
        }
      }
    }),
  );

  const oidcIssuer =
    exp.oidcProviderArn || !exp.roles.some((r) => r.binding === "irsa")
      ? undefined
      : await read(errors, `eks cluster ${exp.clusterName}`, undefined as string | undefined, async () => {
          const out = await eks.send(new DescribeClusterCommand({ name: exp.clusterName }));
          return out.cluster?.identity?.oidc?.issuer;
        });

  const podIdentityAssociations = exp.roles.some((r) => r.binding === "pod-identity")
    ? await read(
        errors,
        `eks pod identity associations of ${exp.clusterName}`,
        [] as AwsObserved["podIdentityAssociations"],
        async () => {
          const list = await eks.send(
            new ListPodIdentityAssociationsCommand({ clusterName: exp.clusterName }),
          );
          return Promise.all(
            (list.associations ?? []).map(async (a) => {
              const d = await eks.send(
                new DescribePodIdentityAssociationCommand({
                  clusterName: exp.clusterName,
                  associationId: a.associationId,
                }),
              );
              return {
                namespace: a.namespace ?? "",
                serviceAccount: a.serviceAccount ?? "",
                roleArn: d.association?.roleArn ?? "",
              };
            }),
          );
        },
      )
    : [];

  const hostedZones = await read(
    errors,
    "route53 hosted zones",
    [] as AwsObserved["hostedZones"],
    async () => {
      const zones: AwsObserved["hostedZones"] = [];
      let marker: string | undefined;
      do {
        const page = await route53.send(new ListHostedZonesCommand({ Marker: marker }));
        zones.push(
          ...(page.HostedZones ?? []).map((z) => ({
            id: (z.Id ?? "").replace(/^\/hostedzone\//, ""),
            name: stripDot(z.Name ?? ""),
            private: z.Config?.PrivateZone ?? false,
          })),
        );
        marker = page.IsTruncated ? page.NextMarker : undefined;
      } while (marker);
      return zones;
    },
  );

  const zoneIds = [
    ...new Set([
      ...exp.externalDns.flatMap((e) => e.zones.map((z) => z.zoneId)),
      ...exp.certManager.dns01Zones.map((z) => z.zoneId),
    ]),
  ];
  const records: AwsObserved["records"] = {};
  await Promise.all(
    zoneIds.map(async (id) => {
      const list = await read(
        errors,
        `route53 records of zone ${id}`,
        undefined as RecordSet[] | undefined,
        () => allRecords(route53, id),
      );
      if (list) {
        records[id] = list;
      }
    }),
  );
  return { roles, oidcIssuer, podIdentityAssociations, hostedZones, records };
}

// ---- public DNS and HTTP-01 -----------------------------------------------------------------------------------

function resolver(opts: CollectOptions): Resolver {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
  r.setServers(opts.nameservers ?? PUBLIC_NAMESERVERS);
  return r;
}

async function publicTxt(res: Resolver, name: string): Promise<DnsAnswer> {
  try {
    return { txt: (await res.resolveTxt(name)).map((chunks) => chunks.join("")) };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

/** GET without following redirects, the host resolved through the public resolvers, as Let's Encrypt sees it. */
async function probe(res: Resolver, url: string, opts: CollectOptions): Promise<HttpAnswer> {
  const u = new URL(url);
  let address: string;
  try {
    [address] = await res.resolve4(u.hostname);
  } catch (err) {
    return { error: `resolve ${u.hostname}: ${(err as { code?: string }).code ?? String(err)}` };
  }
  return new Promise((resolve) => {
    const req = http.get(
      {
        host: address,
        port: opts.http01Port ?? 80,
        path: u.pathname,
        headers: { host: u.hostname },
        timeout: opts.timeoutMs ?? 3000,
      },
      (resp) => {
        resp.resume();
        resolve({
          status: resp.statusCode,
          ...(resp.headers.location ? { location: resp.headers.location } : {}),
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve({ error: err.message }));
  });
}

export async function collect(exp: ExpectedPlatform, opts: CollectOptions = {}): Promise<Observed> {
  const at = new Date().toISOString();
  const readErrors: ReadErrors = [];
  const kc =
    opts.kubeConfig ??
    (() => {
      const k = new KubeConfig();
      k.loadFromDefault();
      return k;
    })();
  const [kubernetes, aws] = await Promise.all([
    collectKubernetes(kc, exp, readErrors),
    collectAws(exp, opts, readErrors),
  ]);

  const res = resolver(opts);
  const open = kubernetes.challenges.filter(
    (c) =>
      c.status?.state !== "valid" && (!opts.host || c.spec.dnsName.toLowerCase() === opts.host.toLowerCase()),
  );
  const dns: Record<string, DnsAnswer> = {};
  const httpAnswers: Record<string, HttpAnswer> = {};
  await Promise.all(
    open.map(async (c) => {
      if (c.spec.type === "DNS-01") {
        const name = `_acme-challenge.${c.spec.dnsName.replace(/^\*\./, "").toLowerCase()}`;
        dns[name] = await publicTxt(res, name);
      } else {
        const url = `http://${c.spec.dnsName}/.well-known/acme-challenge/${c.spec.token ?? ""}`;
        httpAnswers[url] = await probe(res, url, opts);
      }
    }),
  );
  return { at, kubernetes, aws, dns, http: httpAnswers, readErrors };
}
