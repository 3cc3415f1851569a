/**
 * The ingress area: each controller is ready and its Service has a load balancer address that its Ingresses carry.
 */
import type { ExpectedPlatform, Observed } from "../model";
import type { Findings } from "./findings";
import { nsName, addresses, restore, unread } from "./findings";

export interface IngressState {
  className: string;
  /** The controller Service's addresses; empty when it has none. */
  addresses: string[];
}

interface ControllerState {
  /** One line on the controller's readiness, for the evidence of a Service without an address. */
  summary: string;
  /** The command that shows why it provisions nothing. */
  next: string;
  events: string[];
}

/**
 * The AWS Load Balancer Controller provisions the ingress NLBs. Its webhook (chart v3.5.0 templates/webhook.yaml:
 * `vingress.elbv2.k8s.aws` on every Ingress CREATE and UPDATE, failurePolicy `webhookConfig.ingressValdationFailurePolicy`,
 * default Fail) is served by the controller's pods behind the Service `aws-load-balancer-webhook-service`.
 */
function checkLoadBalancerController(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
): ControllerState | undefined {
  const lbc = exp.loadBalancerController;
  if (lbc.mode === "none") {
    return undefined;
  }
  const k = obs.kubernetes;
  const logs = `kubectl -n ${lbc.namespace} logs deploy/${lbc.release} --since=1h`;
  const events = k.events
    .filter(
      (e) =>
        e.involvedObject.namespace === lbc.namespace &&
        (e.involvedObject.name ?? "").startsWith(lbc.release) &&
        e.type === "Warning",
    )
    .map((e) => `controller event ${e.reason ?? ""}: ${e.message ?? ""}`);
  if (unread(obs, `kubernetes deployments in ${lbc.namespace}`)) {
    return { summary: "controller not read", next: logs, events };
  }
  const deploy = k.deployments.find(
    (d) => d.metadata.namespace === lbc.namespace && d.metadata.name === lbc.release,
  );
  const want = deploy?.spec?.replicas ?? 1;
  const ready = deploy?.status?.readyReplicas ?? 0;
  const subject = `deployment ${lbc.namespace}/${lbc.release}`;
  if (!deploy || ready === 0 || ready < want) {
    out.add(
      "lb-controller-not-ready",
      "error",
      subject,
      deploy
        ? `The AWS Load Balancer Controller has ${ready} of ${want} pods ready: new and changed ingress Services get no NLB${ready === 0 ? ", and its webhook rejects every Ingress write in the cluster" : ""}.`
        : lbc.mode === "install"
          ? `The AWS Load Balancer Controller release ${lbc.release} has no Deployment in ${lbc.namespace}: nothing provisions the ingress NLBs.`
          : `No AWS Load Balancer Controller runs in ${lbc.namespace} (loadBalancerController.mode is existing): nothing provisions the ingress NLBs.`,
      [
        deploy ? `readyReplicas ${ready}, replicas ${want}` : `no Deployment ${lbc.namespace}/${lbc.release}`,
        ...events.slice(-3),
      ],
      deploy
        ? logs
        : lbc.mode === "install"
          ? restore(exp)
          : `pulumi config set --path loadBalancerController.mode install -s ${exp.stack}`,
    );
    return {
      summary: `controller ${lbc.namespace}/${lbc.release}: ${deploy ? `${ready}/${want} ready` : "no Deployment"}`,
      next: logs,
      events,
    };
  }
  checkExistingControllerRole(out, exp, obs);
  const slices = k.endpointSlices.filter((s) => s.metadata.namespace === lbc.namespace);
  const readyEndpoints = slices.flatMap((s) =>
    (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false),
  );
  if (!unread(obs, `kubernetes endpointslices in ${lbc.namespace}`) && readyEndpoints.length === 0) {
    out.add(
      "lb-controller-webhook-unavailable",
      "error",
      `service ${lbc.namespace}/${lbc.webhookService}`,
      `The controller's webhook Service has no ready endpoint: with the chart's failurePolicy Fail the API server rejects every Ingress create and update in the cluster.`,
      [`${slices.length} EndpointSlices, 0 ready endpoints`],
      `kubectl -n ${lbc.namespace} get endpointslices -l kubernetes.io/service-name=${lbc.webhookService}`,
    );
  }
  return {
    summary: `controller ${lbc.namespace}/${lbc.release}: ${ready}/${want} ready`,
    next: logs,
    events,
  };
}

/**
 * A controller this stack installs has its role among the stack's roles (checked with them). One that already
 * runs (`existing`) has whatever its installer gave it: its pods carry AWS_ROLE_ARN (IRSA) or
 * AWS_CONTAINER_CREDENTIALS_FULL_URI (Pod Identity) when it has a workload role; without either the SDK falls back
 * to the node's instance role.
 */
function checkExistingControllerRole(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  const lbc = exp.loadBalancerController;
  if (lbc.mode !== "existing" || unread(obs, `kubernetes pods in ${lbc.namespace}`)) {
    return;
  }
  const pods = obs.kubernetes.pods.filter(
    (p) =>
      p.metadata.namespace === lbc.namespace &&
      p.metadata.labels?.["app.kubernetes.io/name"] === lbc.release &&
      (p.status?.phase ?? "Running") === "Running",
  );
  const bare = pods.filter(
    (p) =>
      !p.spec.containers.some((c) =>
        (c.env ?? []).some(
          (e) => e.name === "AWS_ROLE_ARN" || e.name === "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ),
      ),
  );
  if (bare.length) {
    const sa = bare[0].spec.serviceAccountName ?? lbc.serviceAccount;
    out.add(
      "lb-controller-no-role",
      "warning",
      `service account ${lbc.namespace}/${sa}`,
      `The AWS Load Balancer Controller's pods run without a workload role (no AWS_ROLE_ARN, no AWS_CONTAINER_CREDENTIALS_FULL_URI): it acts with the node's instance role, if it can reach it, and needs the controller's IAM policy there.`,
      bare.map((p) => `pod ${nsName(p.metadata)}`),
      `kubectl -n ${lbc.namespace} get serviceaccount ${sa} -o yaml`,
    );
  }
}

export function checkIngress(out: Findings, exp: ExpectedPlatform, obs: Observed): Map<string, IngressState> {
  const k = obs.kubernetes;
  const states = new Map<string, IngressState>();
  const controller = checkLoadBalancerController(out, exp, obs);
  for (const inst of exp.ingresses) {
    const inPlatform = <T extends { metadata: { namespace?: string } }>(o: T) =>
      o.metadata.namespace === exp.namespace;
    const deploy = k.deployments
      .filter(inPlatform)
      .find(
        (d) =>
          d.metadata.name === inst.serviceName ||
          d.metadata.labels?.["app.kubernetes.io/instance"] === inst.release,
      );
    const want = deploy?.spec?.replicas ?? 1;
    const ready = deploy?.status?.readyReplicas ?? 0;
    if (!unread(obs, "kubernetes deployments") && (!deploy || ready < want || ready === 0)) {
      out.add(
        "ingress-controller-not-ready",
        "error",
        `deployment ${exp.namespace}/${deploy?.metadata.name ?? inst.serviceName}`,
        deploy
          ? `The ${inst.key} ingress controller has ${ready} of ${want} pods ready.`
          : `The ${inst.key} ingress controller (release ${inst.release}) has no Deployment.`,
        deploy ? [`readyReplicas ${ready}, replicas ${want}`] : [],
        `kubectl -n ${exp.namespace} describe deploy/${deploy?.metadata.name ?? inst.serviceName}`,
      );
    }
    const svc = k.services.filter(inPlatform).find((s) => s.metadata.name === inst.serviceName);
    const addrs = svc ? addresses(svc) : [];
    states.set(inst.className, { className: inst.className, addresses: addrs });
    if (addrs.length === 0 && !unread(obs, "kubernetes services")) {
      const events = k.events
        .filter(
          (e) =>
            e.involvedObject.kind === "Service" &&
            e.involvedObject.name === inst.serviceName &&
            e.involvedObject.namespace === exp.namespace &&
            e.type === "Warning",
        )
        .map((e) => `event ${e.reason ?? ""}: ${e.message ?? ""}`);
      out.add(
        "lb-address-missing",
        "error",
        `service ${exp.namespace}/${inst.serviceName}`,
        svc
          ? `The ${inst.key} controller's Service has no load balancer address: no ${inst.scheme} NLB was provisioned, so nothing in front of class ${inst.className} is reachable and its Ingresses get no address.`
          : `The ${inst.key} controller's Service does not exist.`,
        svc
          ? [
              `type ${svc.spec?.type ?? "(unknown)"}, status.loadBalancer.ingress empty`,
              ...events,
              ...(controller ? [controller.summary, ...controller.events.slice(-3)] : []),
            ]
          : [],
        svc && controller
          ? controller.next
          : `kubectl -n ${exp.namespace} describe service ${inst.serviceName}`,
      );
    }
    if (
      !unread(obs, "kubernetes ingressclasses") &&
      !k.ingressClasses.some((c) => c.metadata.name === inst.className)
    ) {
      out.add(
        "ingressclass-missing",
        "error",
        `ingressclass ${inst.className}`,
        `The IngressClass ${inst.className} does not exist: Ingresses that name it are served by no controller.`,
        [],
        "kubectl get ingressclass",
      );
    }
  }
  for (const ing of k.ingresses) {
    const state = states.get(ing.spec?.ingressClassName ?? "");
    if (!state || unread(obs, "kubernetes services")) {
      continue;
    }
    const have = addresses(ing);
    if (state.addresses.length === 0 ? have.length === 0 : !state.addresses.some((a) => have.includes(a))) {
      out.add(
        "ingress-address-missing",
        "error",
        `ingress ${nsName(ing.metadata)}`,
        state.addresses.length === 0
          ? `The Ingress has no address because the load balancer of class ${state.className} has none (see lb-address-missing).`
          : `The Ingress does not carry the address of class ${state.className}'s load balancer, so external-dns has no (or the wrong) target.`,
        [
          `ingress status: ${have.join(", ") || "(empty)"}`,
          `load balancer: ${state.addresses.join(", ") || "(none)"}`,
        ],
        `kubectl -n ${ing.metadata.namespace ?? "default"} describe ingress ${ing.metadata.name}`,
      );
    }
  }
  return states;
}
