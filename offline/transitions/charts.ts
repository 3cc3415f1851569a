/**
 * The Helm charts in the transition model: for each pinned chart, the cluster-scoped objects a release renders
 * (named from the release and the chart's defaults merged with its values), and where its pods' template is.
 * Pure data plus the interpreters that read it; model.ts re-exports them.
 */

// ---- Helm charts: what a release owns outside its namespace, and where its pods' template is ------------------

/**
 * A cluster-scoped object a chart renders. `name` may use `{release}`, `{fullname}` and `{values.<path>}`, where
 * `{values.<a>|<b>}` is the value at `a`, or at `b` when `a` is empty.
 */
export interface OwnedObject {
  readonly kind: string;
  readonly name: string;
  /**
   * Values path that, when true, makes Helm keep the object when the release is uninstalled
   * (`helm.sh/resource-policy: keep`); the kept object still carries the old release's ownership annotations,
   * which a new release in another namespace refuses to adopt (unless it takes ownership).
   */
  readonly keptWhen?: string;
  /** Values paths that must all be true for the chart to render it. */
  readonly when?: string | readonly string[];
}

export interface ChartRule {
  /** `{fullname}`: the release name when it contains this, else `<release>-<this>` (the charts' helper). */
  readonly fullnameBase: string;
  /**
   * The chart's own defaults (values.yaml at the pinned version) for every values path this rule reads: what a
   * release renders is these merged with the stack's values, not the stack's values alone.
   */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly owns: readonly OwnedObject[];
  /** Values paths that land in the pod template: a change there rolls the pods. */
  readonly podTemplate: readonly string[];
  /**
   * A chart feature that needs CRDs the chart ships in `crds/`, which Helm applies only on install: turning it
   * on in a running release needs the CRDs from another resource, one whose inputs contain `providedBy`.
   */
  readonly crdsOnInstallOnly?: { readonly enabledBy: string; readonly providedBy: string };
  /**
   * The CRDs in the chart's `crds/` folder, which Helm creates on install (unless the release skips them) and
   * skips when they exist already (helm v3.20.2 pkg/action/install.go installCRDs: "already present. Skipping").
   */
  readonly crdsFolder?: readonly string[];
  readonly source: string;
}

const CERT_MANAGER_CRDS = [
  "certificates.cert-manager.io",
  "certificaterequests.cert-manager.io",
  "issuers.cert-manager.io",
  "clusterissuers.cert-manager.io",
  "orders.acme.cert-manager.io",
  "challenges.acme.cert-manager.io",
];

/** Keyed by the chart as the release names it (versions.ts). */
export const CHARTS: Readonly<Record<string, ChartRule>> = {
  "oci://quay.io/jetstack/charts/cert-manager": {
    fullnameBase: "cert-manager",
    defaults: { crds: { enabled: false, keep: true } },
    owns: [
      ...CERT_MANAGER_CRDS.map((name) => ({
        kind: "CustomResourceDefinition",
        name,
        when: "crds.enabled",
        keptWhen: "crds.keep",
      })),
      { kind: "ClusterRole", name: "{fullname}-controller-issuers" },
      { kind: "ClusterRole", name: "{fullname}-controller-clusterissuers" },
      { kind: "ClusterRole", name: "{fullname}-controller-certificates" },
      { kind: "ClusterRole", name: "{release}-cainjector" },
      { kind: "MutatingWebhookConfiguration", name: "{fullname}-webhook" },
      { kind: "ValidatingWebhookConfiguration", name: "{fullname}-webhook" },
    ],
    podTemplate: ["podAnnotations", "podLabels", "image", "extraArgs", "extraEnv", "volumes", "volumeMounts"],
    source:
      "cert-manager v1.21.1 deploy/charts/cert-manager: values.yaml (crds.enabled false, crds.keep true), templates/crds.yaml (crds.enabled, crds.keep -> helm.sh/resource-policy: keep), templates/rbac.yaml, templates/webhook-*-webhook.yaml, templates/deployment.yaml (podAnnotations on the pod template)",
  },
  "oci://ghcr.io/nginx/charts/nginx-ingress": {
    fullnameBase: "nginx-ingress",
    defaults: {
      controller: { ingressClass: { name: "nginx", create: true } },
      rbac: { create: true, clusterrole: { create: true } },
    },
    owns: [
      {
        kind: "IngressClass",
        name: "{values.controller.ingressClass.name}",
        when: "controller.ingressClass.create",
      },
      { kind: "ClusterRole", name: "{fullname}", when: ["rbac.create", "rbac.clusterrole.create"] },
      { kind: "ClusterRoleBinding", name: "{fullname}", when: ["rbac.create", "rbac.clusterrole.create"] },
    ],
    podTemplate: [
      "controller.pod.annotations",
      "controller.image",
      "controller.extraArgs",
      "controller.lifecycle",
      "controller.terminationGracePeriodSeconds",
    ],
    crdsOnInstallOnly: {
      enabledBy: "controller.enableCustomResources",
      providedBy: "k8s.nginx.org",
    },
    source:
      "nginx/kubernetes-ingress v5.5.4 charts/nginx-ingress: values.yaml (controller.ingressClass name nginx, create true; rbac.create, rbac.clusterrole.create true), templates/controller-ingress-class.yaml, templates/clusterrole.yaml and clusterrolebinding.yaml (named by the fullname helper, when rbac.create and rbac.clusterrole.create); crds/ are installed by Helm only on install and not owned by the release (Helm docs, Custom Resource Definitions: no upgrade, no delete)",
  },
  "aws-load-balancer-controller": {
    fullnameBase: "aws-load-balancer-controller",
    defaults: {
      ingressClass: "alb",
      createIngressClassResource: true,
      ingressClassParams: { create: true },
      rbac: { create: true },
    },
    owns: [
      { kind: "ClusterRole", name: "{fullname}-role", when: "rbac.create" },
      { kind: "ClusterRoleBinding", name: "{fullname}-rolebinding", when: "rbac.create" },
      // Named by namePrefix (the chart name minus "-controller"), not by the release: any second release collides.
      { kind: "MutatingWebhookConfiguration", name: "aws-load-balancer-webhook" },
      { kind: "ValidatingWebhookConfiguration", name: "aws-load-balancer-webhook" },
      { kind: "IngressClass", name: "{values.ingressClass}", when: "createIngressClassResource" },
      {
        kind: "IngressClassParams",
        name: "{values.ingressClassParams.name|ingressClass}",
        when: ["createIngressClassResource", "ingressClassParams.create"],
      },
    ],
    podTemplate: ["podAnnotations", "podLabels", "image"],
    // stable/aws-load-balancer-controller/crds/crds.yaml and gateway-crds.yaml at 3.5.0 (`grep '^  name:'`).
    crdsFolder: [
      "albtargetcontrolconfigs.elbv2.k8s.aws",
      "globalaccelerators.aga.k8s.aws",
      "ingressclassparams.elbv2.k8s.aws",
      "targetgroupbindings.elbv2.k8s.aws",
      "listenerruleconfigurations.gateway.k8s.aws",
      "loadbalancerconfigurations.gateway.k8s.aws",
      "targetgroupconfigurations.gateway.k8s.aws",
    ],
    source:
      "aws/eks-charts stable/aws-load-balancer-controller 3.5.0: values.yaml (ingressClass alb, createIngressClassResource true, ingressClassParams.create true, rbac.create true), templates/rbac.yaml (<fullname>-role, <fullname>-rolebinding), templates/webhook.yaml (<namePrefix>-webhook), templates/ingressclass.yaml (IngressClass named ingressClass; IngressClassParams named ingressClassParamsName: ingressClassParams.name or ingressClass), templates/deployment.yaml (podAnnotations on the pod template)",
  },
  "external-dns": {
    fullnameBase: "external-dns",
    defaults: { rbac: { create: true } },
    owns: [
      { kind: "ClusterRole", name: "{fullname}", when: "rbac.create" },
      { kind: "ClusterRoleBinding", name: "{fullname}-viewer", when: "rbac.create" },
    ],
    podTemplate: ["podAnnotations", "podLabels", "image", "extraArgs", "env"],
    source:
      "kubernetes-sigs/external-dns chart 1.21.1 charts/external-dns: values.yaml (rbac.create true), templates/clusterrole.yaml, templates/clusterrolebinding.yaml (<fullname>-viewer), templates/deployment.yaml (podAnnotations on the pod template)",
  },
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The value at a dotted path, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split(".")) {
    if (!isRecord(cur)) {
      return undefined;
    }
    cur = cur[part];
  }
  return cur;
}

/** The chart helper's fullname: the release name when it already contains the chart's base name. */
export function chartFullname(rule: ChartRule, release: string): string {
  const full = release.includes(rule.fullnameBase) ? release : `${release}-${rule.fullnameBase}`;
  return full.slice(0, 63).replace(/-+$/, "");
}

export interface OwnedName {
  readonly kind: string;
  readonly name: string;
  readonly kept: boolean;
}

/** `base` with `over` merged into it, maps recursively (Helm's coalescing of values; lists replace). */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) {
    return over === undefined ? base : over;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeValues(base[k], v);
  return out;
}

/** The values a release of a known chart renders with: the chart's defaults merged with the release's values. */
export function effectiveValues(chart: string, values: unknown): unknown {
  return mergeValues(CHARTS[chart]?.defaults ?? {}, values ?? {});
}

/** The cluster-scoped objects a release of a known chart renders, from the release's name and values. */
export function ownedObjects(chart: string, release: string, values: unknown): OwnedName[] {
  const rule = CHARTS[chart];
  if (!rule) {
    return [];
  }
  const merged = effectiveValues(chart, values);
  const fullname = chartFullname(rule, release);
  const on = (o: OwnedObject) =>
    o.when === undefined || [o.when].flat().every((p) => valueAt(merged, p) === true);
  const lookup = (paths: string) => {
    const found = paths
      .split("|")
      .map((p) => valueAt(merged, p))
      .find((v) => v !== undefined && v !== null && v !== "");
    return String(found);
  };
  return rule.owns.filter(on).map((o) => ({
    kind: o.kind,
    name: o.name
      .replace("{release}", release)
      .replace("{fullname}", fullname)
      .replace(/\{values\.([^}]+)\}/, (_, p: string) => lookup(p)),
    kept: o.keptWhen !== undefined && valueAt(merged, o.keptWhen) === true,
  }));
}
