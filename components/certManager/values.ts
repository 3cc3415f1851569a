/**
 * Helm values of cert-manager (see versions.ts). Pure. The chart's schema rejects unknown keys
 * (`additionalProperties: false`), so every key here exists in the pinned chart's values.yaml.
 */
import type { CertManagerConfig, ImagesConfig } from "../../model/config";
import type { ServiceAccountValues } from "../externalDns/values";
import { imageRegistry, pullSecretRefs } from "../sources/images";

interface Pdb {
  enabled: boolean;
  minAvailable?: number;
}

export interface CertManagerValues {
  crds: { enabled: true; keep: true };
  replicaCount: number;
  podDisruptionBudget: Pdb;
  webhook: { replicaCount: number; podDisruptionBudget: Pdb };
  cainjector: { replicaCount: number; podDisruptionBudget: Pdb };
  serviceAccount: { create: true; name: string; annotations: Record<string, string> };
  podAnnotations?: Record<string, string>;
  global: { leaderElection: { namespace: string }; imagePullSecrets?: { name: string }[] };
  /**
   * Under an image mirror: the registry of all five images (controller, webhook, cainjector, startupapicheck and
   * the ACME solver, which the controller gets as a flag); the chart keeps `imageNamespace` (jetstack).
   */
  imageRegistry?: string;
  dns01RecursiveNameservers?: string;
  dns01RecursiveNameserversOnly?: boolean;
}

/**
 * `serviceAccount` carries the binding of cert-manager's workload role; with no role (HTTP-01 only) its
 * annotations are empty.
 */
export function certManagerValues(
  cfg: CertManagerConfig,
  serviceAccount: ServiceAccountValues,
  images?: ImagesConfig,
): CertManagerValues {
  const registry = imageRegistry(images, "certManager");
  const pullSecrets = pullSecretRefs(images);
  const pdb = (): Pdb => (cfg.podDisruptionBudgets ? { enabled: true, minAvailable: 1 } : { enabled: false });
  return {
    // CRDs installed by the chart and kept on uninstall (helm.sh/resource-policy: keep): deleting the CRDs
    // would delete every Certificate and Issuer in the cluster.
    crds: { enabled: true, keep: true },
    replicaCount: cfg.replicas.controller,
    podDisruptionBudget: pdb(),
    webhook: { replicaCount: cfg.replicas.webhook, podDisruptionBudget: pdb() },
    cainjector: { replicaCount: cfg.replicas.cainjector, podDisruptionBudget: pdb() },
    serviceAccount: { create: true, name: serviceAccount.name, annotations: serviceAccount.annotations },
    ...(Object.keys(serviceAccount.podAnnotations).length > 0
      ? { podAnnotations: serviceAccount.podAnnotations }
      : {}),
    // Keep the leader-election lease in the platform namespace instead of kube-system.
    global: {
      leaderElection: { namespace: cfg.namespace },
      ...(pullSecrets ? { imagePullSecrets: pullSecrets } : {}),
    },
    ...(registry ? { imageRegistry: registry } : {}),
    // Split horizon: a private zone that shadows a public one makes the in-cluster resolver answer the
    // DNS-01 self-check from the private zone forever; ask public resolvers only.
    ...(cfg.recursiveNameservers.length > 0
      ? { dns01RecursiveNameservers: cfg.recursiveNameservers.join(","), dns01RecursiveNameserversOnly: true }
      : {}),
  };
}
