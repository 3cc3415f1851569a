/**
 * Helm values of one F5 NGINX Ingress Controller instance (chart nginx-ingress, see versions.ts). Pure.
 * Keys checked against the chart's values.yaml at the pinned version.
 */
import type { ImagesConfig, IngressInstanceConfig } from "../../model/config";
import type { LoadBalancerMode, Scheme } from "../../model/enums";
import { ingressReleaseName } from "../../model/naming";
import { mirroredRepository } from "../sources/images";

const SVC = "service.beta.kubernetes.io";

/**
 * NLB annotations. AWS Load Balancer Controller: `external` + IP targets, and the scheme always set because the
 * controller's default is `internal`. In-tree: `nlb`, internal through the `internal` annotation; the scheme
 * annotation is set there too, so that if the AWS Load Balancer Controller takes the Service over (its webhook
 * can claim every new LoadBalancer Service) a public NLB still comes out internet-facing.
 */
export function nlbAnnotations(loadBalancer: LoadBalancerMode, scheme: Scheme): Record<string, string> {
  if (loadBalancer === "aws-load-balancer-controller") {
    return {
      [`${SVC}/aws-load-balancer-type`]: "external",
      [`${SVC}/aws-load-balancer-nlb-target-type`]: "ip",
      [`${SVC}/aws-load-balancer-scheme`]: scheme,
      [`${SVC}/aws-load-balancer-target-group-attributes`]: `deregistration_delay.timeout_seconds=${DEREGISTRATION_DELAY_SECONDS}`,
    };
  }
  return {
    [`${SVC}/aws-load-balancer-type`]: "nlb",
    [`${SVC}/aws-load-balancer-scheme`]: scheme,
    ...(scheme === "internal" ? { [`${SVC}/aws-load-balancer-internal`]: "true" } : {}),
  };
}

/**
 * Rollouts behind an NLB with IP targets (the AWS Load Balancer Controller's mode). The controller deregisters a
 * terminating pod's target, and the NLB then drains it for the target group's deregistration delay (AWS's
 * default is 300 s) while it may still send it traffic. The pod must outlive that: it sleeps in preStop (the
 * controller keeps serving) for longer than the delay, which is set explicitly on the target group, and the
 * termination grace period leaves NGINX time for its graceful quit after the sleep. With the readiness gate the
 * controller injects (platform.ts labels the namespace), a new pod counts as ready only once its target is
 * healthy, so the rollout never removes the last healthy target first (aws-load-balancer-controller v3.5.0
 * docs/deploy/pod_readiness_gate.md; docs/guide/service/annotations.md target-group-attributes,
 * deregistration_delay.timeout_seconds).
 */
export const DEREGISTRATION_DELAY_SECONDS = 30;
/** Longer than the deregistration delay: every connection the draining NLB still sends is served. */
export const PRE_STOP_SLEEP_SECONDS = 35;
/** The sleep plus NGINX's graceful quit of the open connections. */
export const TERMINATION_GRACE_PERIOD_SECONDS = 60;

export interface IngressValues {
  controller: {
    kind: "deployment";
    /** The controller image (also the init container's): set under an image mirror only. */
    image?: { repository: string };
    serviceAccount?: { imagePullSecretsNames: string[] };
    replicaCount: number;
    ingressClass: { name: string; create: boolean; setAsDefaultIngress: boolean };
    enableCustomResources: boolean;
    enableSnippets: boolean;
    resources: { requests: { cpu: string; memory: string } };
    service: {
      type: "LoadBalancer";
      annotations: Record<string, string>;
      loadBalancerSourceRanges?: string[];
    };
    podDisruptionBudget: { enabled: boolean; minAvailable?: number };
    lifecycle?: { preStop: { exec: { command: string[] } } };
    terminationGracePeriodSeconds?: number;
    topologySpreadConstraints?: {
      maxSkew: number;
      topologyKey: string;
      whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
      labelSelector: { matchLabels: Record<string, string> };
    }[];
  };
  prometheus: { create: boolean };
}

export function ingressValues(
  instance: IngressInstanceConfig,
  loadBalancer: LoadBalancerMode,
  images?: ImagesConfig,
): IngressValues {
  const image = mirroredRepository(images, "nginxIngress");
  const release = ingressReleaseName(instance.key);
  // The chart adds no label selector to spread constraints; these are its pod selector labels.
  const podLabels = { "app.kubernetes.io/name": "nginx-ingress", "app.kubernetes.io/instance": release };
  return {
    controller: {
      kind: "deployment",
      // The tag stays the chart's default (its appVersion).
      ...(image ? { image: { repository: image } } : {}),
      // The chart puts pull secrets on the controller's ServiceAccount (controller-serviceaccount.yaml).
      ...(images && images.pullSecrets.length > 0
        ? { serviceAccount: { imagePullSecretsNames: [...images.pullSecrets] } }
        : {}),
      replicaCount: instance.replicas,
      // The controller serves only Ingresses whose class is exactly this name, so two instances never share one.
      ingressClass: { name: instance.className, create: true, setAsDefaultIngress: instance.isDefaultClass },
      // Chart default is true: the controller would then need its CRDs, which Helm installs but never upgrades.
      enableCustomResources: instance.enableCustomResources,
      enableSnippets: false,
      resources: { requests: { ...instance.requests } },
      service: {
        type: "LoadBalancer",
        annotations: nlbAnnotations(loadBalancer, instance.scheme),
        ...(instance.sourceRanges.length > 0 ? { loadBalancerSourceRanges: [...instance.sourceRanges] } : {}),
      },
      podDisruptionBudget: instance.highAvailability
        ? { enabled: true, minAvailable: 1 }
        : { enabled: false },
      ...(loadBalancer === "aws-load-balancer-controller"
        ? {
            // The chart copies this into the container (templates/controller-deployment.yaml); the default
            // image is built on Debian (build/Dockerfile BUILD_OS=debian), which has `sleep`.
            lifecycle: { preStop: { exec: { command: ["sleep", String(PRE_STOP_SLEEP_SECONDS)] } } },
            terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
          }
        : {}),
      ...(instance.highAvailability
        ? {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway" as const,
                labelSelector: { matchLabels: podLabels },
              },
            ],
          }
        : {}),
    },
    prometheus: { create: true },
  };
}
