/**
 * Kubernetes: lists (GETs only) of what the platform's releases run, cert-manager's objects, warning events and
 * the external-dns pods' recent logs, through @kubernetes/client-node with the operator's kubeconfig.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
} from "@kubernetes/client-node";
import type { Challenge, ExpectedPlatform, KubernetesObserved } from "../model";
import { read, wire, type ReadErrors } from "./reads";

/** The source a missing kubeconfig is reported under (diagnose/reads.ts suggests `aws eks update-kubeconfig`). */
export const NO_KUBECONFIG = "kubernetes";

/** Where a self-managed Pod Identity agent runs (aws/eks-pod-identity-agent's manifests install it there). */
export const AGENT_NAMESPACE = "kube-system";

export const NOTHING_READ: KubernetesObserved = {
  pods: [],
  serviceAccounts: [],
  services: [],
  deployments: [],
  daemonSets: [],
  endpointSlices: [],
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

type Item<K extends keyof KubernetesObserved> = KubernetesObserved[K] extends (infer T)[] ? T : never;

export async function collectKubernetes(
  kc: KubeConfig,
  exp: ExpectedPlatform,
  errors: ReadErrors,
): Promise<KubernetesObserved> {
  // Without any kubeconfig the client falls back to http://localhost:8080 and every read fails with a puzzling
  // TLS message: say what is missing instead.
  if (kc.getContexts().length === 0 || kc.getCurrentCluster()?.server === "http://localhost:8080") {
    errors.push({
      source: NO_KUBECONFIG,
      message: "no kubeconfig context, so nothing in Kubernetes was read",
    });
    return NOTHING_READ;
  }
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const lbc = exp.loadBalancerController;
  // The roles' namespaces, and an existing load balancer controller's (its pods show whether it has a role).
  const namespaces = [
    ...new Set([
      exp.namespace,
      ...exp.roles.map((r) => r.namespace),
      ...(lbc.mode === "existing" ? [lbc.namespace] : []),
    ]),
  ];
  const perNamespace = async <T>(
    what: string,
    inNamespaces: string[],
    list: (namespace: string) => Promise<{ items: unknown }>,
  ) =>
    (
      await Promise.all(
        inNamespaces.map((ns) =>
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
  const deploymentNamespaces = [...new Set([exp.namespace, ...(lbc.mode === "none" ? [] : [lbc.namespace])])];
  const podIdentity = exp.roles.some((r) => r.binding === "pod-identity");

  const [
    pods,
    serviceAccounts,
    services,
    deployments,
    daemonSets,
    endpointSlices,
    ingresses,
    ingressClasses,
    events,
  ] = await Promise.all([
    perNamespace<Item<"pods">>("pods", namespaces, (namespace) => core.listNamespacedPod({ namespace })),
    perNamespace<Item<"serviceAccounts">>("serviceaccounts", namespaces, (namespace) =>
      core.listNamespacedServiceAccount({ namespace }),
    ),
    perNamespace<Item<"services">>("services", [exp.namespace], (namespace) =>
      core.listNamespacedService({ namespace }),
    ),
    perNamespace<Item<"deployments">>("deployments", deploymentNamespaces, (namespace) =>
      apps.listNamespacedDeployment({ namespace }),
    ),
    podIdentity
      ? perNamespace<Item<"daemonSets">>("daemonsets", [AGENT_NAMESPACE], (namespace) =>
          apps.listNamespacedDaemonSet({ namespace }),
        )
      : Promise.resolve([]),
    lbc.mode === "none"
      ? Promise.resolve([])
      : perNamespace<Item<"endpointSlices">>("endpointslices", [lbc.namespace], (namespace) =>
          discovery.listNamespacedEndpointSlice({
            namespace,
            labelSelector: `kubernetes.io/service-name=${lbc.webhookService}`,
          }),
        ),
    read(errors, "kubernetes ingresses", [] as Item<"ingresses">[], async () =>
      wire((await net.listIngressForAllNamespaces()).items),
    ),
    read(errors, "kubernetes ingressclasses", [] as Item<"ingressClasses">[], async () =>
      wire((await net.listIngressClass()).items),
    ),
    read(errors, "kubernetes events", [] as Item<"events">[], async () =>
      wire((await core.listEventForAllNamespaces({ fieldSelector: "type=Warning" })).items),
    ),
  ]);
  const [clusterIssuers, certificates, certificateRequests, orders, challenges] = await Promise.all([
    crs<Item<"clusterIssuers">>("cert-manager.io", "clusterissuers"),
    crs<Item<"certificates">>("cert-manager.io", "certificates"),
    crs<Item<"certificateRequests">>("cert-manager.io", "certificaterequests"),
    crs<Item<"orders">>("acme.cert-manager.io", "orders"),
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
    daemonSets,
    endpointSlices,
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
