/**
 * The diagnosis: compares what the stack expects with what was observed and names root causes. Pure: no clients,
 * no clock (the observation carries its time), so every scenario is a plain function call in the tests.
 */
import type {
  Certificate,
  Challenge,
  ExpectedExternalDns,
  ExpectedPlatform,
  ExpectedRole,
  Finding,
  Ingress,
  Observed,
  PolicyStatement,
  RecordSet,
  RoleObserved,
  Service,
  Severity,
} from "./model";

/**
 * Finding ids in causal order: a finding listed earlier can explain one listed later (identity before ingress,
 * before DNS records, before issuers, before certificates), so sorting by this list puts root causes first.
 */
export const FINDING_ORDER = [
  "read-failed",
  "role-missing",
  "trust-wrong-provider",
  "trust-wrong-subject",
  "trust-wrong-audience",
  "pod-identity-association-missing",
  "sa-missing",
  "sa-annotation-wrong",
  "pod-stale-role",
  "pod-started-before-role",
  "ingress-controller-not-ready",
  "lb-address-missing",
  "ingressclass-missing",
  "ingress-address-missing",
  "externaldns-access-denied",
  "dns-no-instance",
  "dns-record-owned-by-other",
  "dns-ownership-missing",
  "dns-record-missing",
  "dns-record-target-mismatch",
  "externaldns-throttled",
  "issuer-missing",
  "acme-contact-rejected",
  "issuer-not-ready",
  "http01-https-redirect",
  "dns01-txt-missing",
  "dns01-split-horizon",
  "dns01-not-public",
  "challenge-failed",
  "order-failed",
  "certificate-request-failed",
  "certificate-not-ready",
] as const;

export type FindingId = (typeof FINDING_ORDER)[number];

export interface DiagnoseOptions {
  /** Only this host for the external-dns and certificate checks (`--host`). */
  host?: string;
}

const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const STS_AUDIENCE = "sts.amazonaws.com";
const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";
const ACME_CHALLENGE_PATH = "/.well-known/acme-challenge/";

class Findings {
  readonly list: Finding[] = [];
  add(
    id: FindingId,
    severity: Severity,
    subject: string,
    message: string,
    evidence: string[],
    next: string,
  ): void {
    this.list.push({ id, severity, subject, message, evidence, next });
  }
}

// ---- small helpers --------------------------------------------------------------------------------------------

const lower = (name: string) => name.toLowerCase().replace(/\.$/, "");

export function withinDomain(name: string, domain: string): boolean {
  const n = lower(name);
  const d = lower(domain);
  return n === d || n.endsWith(`.${d}`);
}

const overlaps = (a: string, b: string) => withinDomain(a, b) || withinDomain(b, a);

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

const nsName = (meta: { namespace?: string; name: string }) => `${meta.namespace ?? ""}/${meta.name}`;

function condition(
  obj: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } },
  type: string,
) {
  return obj.status?.conditions?.find((c) => c.type === type);
}

function addresses(obj: Service | Ingress): string[] {
  return (obj.status?.loadBalancer?.ingress ?? [])
    .flatMap((a) => [a.hostname, a.ip])
    .filter((a): a is string => !!a);
}

/**
 * The ownership TXT record's name for a record, as external-dns 0.21.0's TXT registry builds it with a prefix
 * (registry/mapper/mapper.go `ToTXTName`): `%{record_type}` in the prefix becomes the lower-case record type and
 * the prefix goes before the first label; a prefix without it gets `<type>-` in front of the first label.
 */
export function ownershipTxtName(prefix: string, host: string, recordType: string): string {
  const type = recordType.toLowerCase();
  const [first, ...rest] = lower(host).split(".");
  const template = "%{record_type}";
  const label = prefix.includes(template) ? first : `${type}-${first}`;
  const name = `${prefix.split(template).join(type)}${label}`;
  return rest.length ? `${name}.${rest.join(".")}` : name;
}

/** `external-dns/owner=<id>` from a TXT registry value (endpoint/labels.go, `heritage=external-dns,...`). */
export function ownerOf(value: string): string | undefined {
  const text = value.replace(/^"|"$/g, "");
  if (!text.includes("heritage=external-dns")) {
    return undefined;
  }
  return /external-dns\/owner=([^,"]+)/.exec(text)?.[1];
}

function roleArnToOidcProvider(roleArn: string, issuerUrl: string): string {
  const account = roleArn.split(":")[4];
  const partition = roleArn.split(":")[1];
  return `arn:${partition}:iam::${account}:oidc-provider/${issuerUrl.replace(/^https:\/\//, "")}`;
}

function deploymentOfPod(pod: Observed["kubernetes"]["pods"][number], fallback?: string): string {
  if (fallback) {
    return fallback;
  }
  const rs = pod.metadata.ownerReferences?.find((o) => o.kind === "ReplicaSet")?.name;
  const hash = pod.metadata.labels?.["pod-template-hash"];
  return rs && hash && rs.endsWith(`-${hash}`) ? rs.slice(0, -hash.length - 1) : (rs ?? pod.metadata.name);
}

/** True when a read whose source starts with `prefix` failed: its (empty) data must not be read as "missing". */
const unread = (obs: Observed, prefix: string) =>
  obs.readErrors.some((e) => e.source.startsWith(prefix) || e.source === prefix.split(" ")[0]);

// ---- identity -------------------------------------------------------------------------------------------------

function trustStatements(role: RoleObserved, action: string): PolicyStatement[] {
  return role.trust.Statement.filter(
    (s) => s.Effect === "Allow" && asList(s.Action).some((a) => a === action || a === "sts:*"),
  );
}

function conditionValues(st: PolicyStatement, key: string): string[] {
  return Object.entries(st.Condition ?? {})
    .filter(([op]) => op === "StringEquals" || op === "StringLike")
    .flatMap(([, kv]) => asList(kv[key]));
}

function checkIrsaTrust(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  r: ExpectedRole,
  role: RoleObserved,
): void {
  const subject = `role ${r.roleName}`;
  const next = `aws iam get-role --role-name ${r.roleName} --query Role.AssumeRolePolicyDocument`;
  const provider =
    exp.oidcProviderArn ??
    (obs.aws.oidcIssuer ? roleArnToOidcProvider(role.arn, obs.aws.oidcIssuer) : undefined);
  const statements = trustStatements(role, "sts:AssumeRoleWithWebIdentity");
  const federated = statements.flatMap((s) => asList(s.Principal?.Federated));
  const mine = provider
    ? statements.filter((s) => asList(s.Principal?.Federated).includes(provider))
    : statements;
  if (mine.length === 0) {
    out.add(
      "trust-wrong-provider",
      "error",
      subject,
      `The role's trust does not name this cluster's OIDC provider, so no pod of cluster ${exp.clusterName} can assume it.`,
      [
        `expected Principal.Federated ${provider ?? "(unknown)"}`,
        `trust names ${federated.join(", ") || "no web identity principal"}`,
      ],
      next,
    );
    return;
  }
  const hostPath =
    (provider ?? asList(mine[0].Principal?.Federated)[0] ?? "").split(":oidc-provider/")[1] ?? "";
  const wantSub = `system:serviceaccount:${r.namespace}:${r.serviceAccount}`;
  const subs = mine.flatMap((s) => conditionValues(s, `${hostPath}:sub`));
  const subMatches = subs.some(
    (s) =>
      s === wantSub ||
      (s.includes("*") && new RegExp(`^${s.split("*").map(escapeRe).join(".*")}$`).test(wantSub)),
  );
  if (!subMatches) {
    out.add(
      "trust-wrong-subject",
      "error",
      subject,
      `The role trusts ${subs.join(", ") || "no service account"}, but the release runs as ${r.namespace}/${r.serviceAccount}: STS refuses its web identity token (AccessDenied on AssumeRoleWithWebIdentity).`,
      [`${hostPath}:sub = ${subs.join(", ") || "(no condition)"}`, `expected ${wantSub}`],
      next,
    );
  }
  const auds = mine.flatMap((s) => conditionValues(s, `${hostPath}:aud`));
  if (!auds.includes(STS_AUDIENCE)) {
    out.add(
      "trust-wrong-audience",
      "error",
      subject,
      `The role's trust does not require the audience ${STS_AUDIENCE}, which the EKS pod identity webhook puts in the projected token.`,
      [`${hostPath}:aud = ${auds.join(", ") || "(no condition)"}`],
      next,
    );
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function checkIdentity(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  const k = obs.kubernetes;
  for (const r of exp.roles) {
    const role = obs.aws.roles[r.roleName];
    if (role === undefined) {
      continue; // not read: reported as read-failed
    }
    if (role === null) {
      out.add(
        "role-missing",
        "error",
        `role ${r.roleName}`,
        `The IAM role ${r.roleName} does not exist: ${r.namespace}/${r.serviceAccount} has no AWS identity (the stack creates it: was it deployed to this account?).`,
        ["iam:GetRole answered NoSuchEntity"],
        `aws iam get-role --role-name ${r.roleName}`,
      );
      continue;
    }
    if (r.binding === "irsa") {
      checkIrsaTrust(out, exp, obs, r, role);
    } else {
      const trusted = trustStatements(role, "sts:AssumeRole").some((s) =>
        asList(s.Principal?.Service).includes(POD_IDENTITY_PRINCIPAL),
      );
      if (!trusted) {
        out.add(
          "trust-wrong-provider",
          "error",
          `role ${r.roleName}`,
          `The role does not trust ${POD_IDENTITY_PRINCIPAL}, which EKS Pod Identity needs (sts:AssumeRole and sts:TagSession).`,
          [JSON.stringify(role.trust.Statement)],
          `aws iam get-role --role-name ${r.roleName} --query Role.AssumeRolePolicyDocument`,
        );
      }
      const assoc = obs.aws.podIdentityAssociations.filter(
        (a) => a.namespace === r.namespace && a.serviceAccount === r.serviceAccount,
      );
      if (!assoc.some((a) => a.roleArn === role.arn)) {
        out.add(
          "pod-identity-association-missing",
          "error",
          `service account ${r.namespace}/${r.serviceAccount}`,
          `No EKS Pod Identity association binds ${r.namespace}/${r.serviceAccount} to ${role.arn}.`,
          assoc.length
            ? assoc.map((a) => `association names ${a.roleArn}`)
            : ["no association for this service account"],
          `aws eks list-pod-identity-associations --cluster-name ${exp.clusterName} --namespace ${r.namespace} --service-account ${r.serviceAccount}`,
        );
      }
    }

    if (unread(obs, `kubernetes serviceaccounts in ${r.namespace}`)) {
      continue;
    }
    const sa = k.serviceAccounts.find(
      (s) => s.metadata.namespace === r.namespace && s.metadata.name === r.serviceAccount,
    );
    if (!sa) {
      out.add(
        "sa-missing",
        r.release ? "error" : "warning",
        `service account ${r.namespace}/${r.serviceAccount}`,
        r.release
          ? `The service account of release ${r.release} does not exist.`
          : `The service account the role ${r.roleName} is for does not exist (the team's workload is not deployed yet?).`,
        [],
        `kubectl -n ${r.namespace} get serviceaccount ${r.serviceAccount}`,
      );
      continue;
    }
    const annotation = sa.metadata.annotations?.[IRSA_ANNOTATION];
    if (r.binding === "irsa" && annotation !== role.arn) {
      out.add(
        "sa-annotation-wrong",
        "error",
        `service account ${r.namespace}/${r.serviceAccount}`,
        annotation
          ? `The service account's ${IRSA_ANNOTATION} names ${annotation}, not the role ${role.arn}.`
          : `The service account has no ${IRSA_ANNOTATION} annotation, so its pods get no web identity.`,
        [`annotation: ${annotation ?? "(none)"}`, `role: ${role.arn}`],
        `kubectl -n ${r.namespace} get serviceaccount ${r.serviceAccount} -o yaml`,
      );
    }
    const pods = k.pods.filter(
      (p) =>
        !unread(obs, `kubernetes pods in ${r.namespace}`) &&
        p.metadata.namespace === r.namespace &&
        p.spec.serviceAccountName === r.serviceAccount &&
        (p.status?.phase ?? "Running") === "Running",
    );
    for (const pod of pods) {
      const env = new Map(
        pod.spec.containers.flatMap((c) => (c.env ?? []).map((e) => [e.name, e.value ?? ""] as const)),
      );
      const deploy = deploymentOfPod(pod, r.release);
      const restart = `kubectl -n ${r.namespace} rollout restart deploy/${deploy}`;
      if (r.binding === "irsa") {
        const injected = env.get("AWS_ROLE_ARN");
        const current = annotation ?? role.arn;
        if (injected !== current) {
          out.add(
            "pod-stale-role",
            "error",
            `pod ${nsName(pod.metadata)}`,
            injected
              ? `The pod runs with AWS_ROLE_ARN ${injected}, but its service account now names ${current}: credentials are injected when a pod is created, so this pod still uses the old role.`
              : `The pod has no AWS_ROLE_ARN: it was created before its service account was annotated, so it runs without the role.`,
            [
              `pod started ${pod.status?.startTime ?? "(unknown)"}`,
              `AWS_ROLE_ARN=${injected ?? "(unset)"}`,
              `${IRSA_ANNOTATION}=${current}`,
            ],
            restart,
          );
          continue;
        }
      } else if (!env.has("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        out.add(
          "pod-stale-role",
          "error",
          `pod ${nsName(pod.metadata)}`,
          "The pod has no AWS_CONTAINER_CREDENTIALS_FULL_URI: it was created before its Pod Identity association, so it runs without the role.",
          [`pod started ${pod.status?.startTime ?? "(unknown)"}`],
          restart,
        );
        continue;
      }
      const started = pod.status?.startTime;
      if (started && Date.parse(started) < Date.parse(role.createDate)) {
        out.add(
          "pod-started-before-role",
          "warning",
          `pod ${nsName(pod.metadata)}`,
          `The pod started before the role ${r.roleName} was (re)created; a restart picks up the role as it is now.`,
          [`pod started ${started}`, `role created ${role.createDate}`],
          restart,
        );
      }
    }
  }
}

// ---- ingress --------------------------------------------------------------------------------------------------

interface IngressState {
  className: string;
  /** The controller Service's addresses; empty when it has none. */
  addresses: string[];
}

function checkIngress(out: Findings, exp: ExpectedPlatform, obs: Observed): Map<string, IngressState> {
  const k = obs.kubernetes;
  const states = new Map<string, IngressState>();
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
        svc ? [`type ${svc.spec?.type ?? "(unknown)"}, status.loadBalancer.ingress empty`, ...events] : [],
        `kubectl -n ${exp.namespace} describe service ${inst.serviceName}`,
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

// ---- external-dns ---------------------------------------------------------------------------------------------

const LOG_PATTERNS = {
  accessDenied: /AccessDenied|not authorized to perform|WebIdentityErr|InvalidIdentityToken/i,
  // plan/plan.go (external-dns v0.21.0) logs "Skipping endpoint ... because owner id does not match".
  notOwner: /owner id does not match|not owned by|another owner/i,
  throttling: /Throttling|Rate exceeded/i,
};

function instanceLogs(obs: Observed, exp: ExpectedPlatform, inst: ExpectedExternalDns): string[] {
  const pods = obs.kubernetes.pods.filter(
    (p) =>
      p.metadata.namespace === exp.namespace &&
      (p.metadata.labels?.["app.kubernetes.io/instance"] === inst.release ||
        p.spec.serviceAccountName === inst.release),
  );
  return pods
    .flatMap((p) => (obs.kubernetes.logs[nsName(p.metadata)] ?? "").split("\n"))
    .filter((l) => l.trim());
}

interface HostToCheck {
  host: string;
  ingress?: Ingress;
}

function hostsToCheck(obs: Observed, opts: DiagnoseOptions): HostToCheck[] {
  const fromIngresses = obs.kubernetes.ingresses.flatMap((ing) =>
    (ing.spec?.rules ?? []).flatMap((r) => (r.host ? [{ host: lower(r.host), ingress: ing }] : [])),
  );
  if (!opts.host) {
    return fromIngresses;
  }
  const wanted = lower(opts.host);
  const matching = fromIngresses.filter((h) => h.host === wanted);
  return matching.length ? matching : [{ host: wanted }];
}

function checkExternalDns(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  states: Map<string, IngressState>,
  opts: DiagnoseOptions,
): void {
  const logsOf = new Map(exp.externalDns.map((i) => [i.name, instanceLogs(obs, exp, i)]));
  for (const inst of exp.externalDns) {
    const lines = logsOf.get(inst.name) ?? [];
    const denied = lines.filter((l) => LOG_PATTERNS.accessDenied.test(l));
    if (denied.length) {
      out.add(
        "externaldns-access-denied",
        "error",
        `external-dns ${inst.name}`,
        `external-dns ${inst.name} is refused by AWS: it can neither read nor write its zones until its identity is fixed.`,
        denied.slice(-3),
        `kubectl -n ${exp.namespace} logs deploy/${inst.release} --since=1h`,
      );
    }
    const throttled = lines.filter((l) => LOG_PATTERNS.throttling.test(l));
    if (throttled.length) {
      out.add(
        "externaldns-throttled",
        "warning",
        `external-dns ${inst.name}`,
        `Route53 throttles external-dns ${inst.name}: changes arrive late (raise --interval or narrow its zones).`,
        throttled.slice(-3),
        `kubectl -n ${exp.namespace} logs deploy/${inst.release} --since=1h`,
      );
    }
  }

  for (const { host, ingress } of hostsToCheck(obs, opts)) {
    const className = ingress?.spec?.ingressClassName;
    if (ingress && (!className || !states.has(className))) {
      continue; // not served by this platform's controllers
    }
    const byDomain = exp.externalDns.filter((i) => i.domainFilters.some((d) => withinDomain(host, d)));
    const inst = className ? byDomain.find((i) => i.ingressClass === className) : byDomain[0];
    const subject = `host ${host}`;
    if (!inst) {
      const watcher = exp.externalDns.find((i) => i.ingressClass === className);
      // A class mismatch is a misconfiguration; a host outside every domain filter is simply managed elsewhere.
      out.add(
        "dns-no-instance",
        watcher && byDomain.length ? "error" : byDomain.length ? "warning" : "info",
        subject,
        watcher
          ? `No external-dns instance publishes ${host}: class ${className} is watched by ${watcher.name}, whose domains (${watcher.domainFilters.join(", ")}) do not include it.`
          : `No external-dns instance manages ${host}${className ? ` for class ${className}` : ""}.`,
        byDomain.map((i) => `${i.name} covers the domain but watches class ${i.ingressClass}`),
        ingress
          ? `kubectl -n ${ingress.metadata.namespace ?? "default"} get ingress ${ingress.metadata.name} -o yaml`
          : "npm run plan -- " + exp.stack,
      );
      continue;
    }
    const zone = [...inst.zones]
      .filter((z) => withinDomain(host, z.name))
      .sort((a, b) => b.name.length - a.name.length)[0];
    if (!zone) {
      continue;
    }
    const records = obs.aws.records[zone.zoneId];
    if (!records) {
      continue; // not read
    }
    const target = className ? (states.get(className)?.addresses ?? []) : [];
    if (ingress && addresses(ingress).length === 0) {
      continue; // no target yet: reported as ingress-address-missing
    }
    const listCmd = `aws route53 list-resource-record-sets --hosted-zone-id ${zone.zoneId} --query "ResourceRecordSets[?contains(Name, '${host}')]"`;
    const addressRecords = records.filter((r) => r.name === host && ["A", "AAAA", "CNAME"].includes(r.type));
    const types = addressRecords.length ? [...new Set(addressRecords.map((r) => r.type))] : ["A", "CNAME"];
    const txt = types.flatMap((t) =>
      records.filter((r) => r.type === "TXT" && r.name === ownershipTxtName(inst.txtPrefix, host, t)),
    );
    const owners = [...new Set(txt.flatMap((r) => r.values.map(ownerOf)).filter((o): o is string => !!o))];
    const notOwnerLogs = (logsOf.get(inst.name) ?? []).filter(
      (l) => LOG_PATTERNS.notOwner.test(l) && l.includes(host),
    );
    if (owners.length && !owners.includes(inst.ownerId)) {
      const other = exp.externalDns.find((i) => owners.includes(i.ownerId));
      out.add(
        "dns-record-owned-by-other",
        "error",
        subject,
        other
          ? `The record ${host} is owned by the other external-dns instance (${other.name}, owner ${other.ownerId}), so ${inst.name}, which should own it, leaves it alone.`
          : `The record ${host} is owned by ${owners.join(", ")}, not by ${inst.ownerId}: ${inst.name} never changes a record it does not own.`,
        [...txt.map((r) => `${r.name} TXT ${r.values.join(" ")}`), ...notOwnerLogs.slice(-2)],
        listCmd,
      );
      continue;
    }
    if (addressRecords.length && !txt.length) {
      out.add(
        "dns-ownership-missing",
        "error",
        subject,
        `The record ${host} exists without an ownership TXT record (${ownershipTxtName(inst.txtPrefix, host, types[0])}): external-dns ${inst.name} treats it as someone else's and never updates it.`,
        addressRecords.map(describeRecord),
        listCmd,
      );
      continue;
    }
    if (!addressRecords.length) {
      const lines = (logsOf.get(inst.name) ?? []).filter((l) => l.includes(host));
      out.add(
        "dns-record-missing",
        "error",
        subject,
        `external-dns ${inst.name} has not created ${host} in zone ${zone.name} (${zone.zoneId}).`,
        lines.slice(-3),
        `kubectl -n ${exp.namespace} logs deploy/${inst.release} --since=1h`,
      );
      continue;
    }
    const pointsTo = addressRecords.flatMap((r) => (r.aliasTarget ? [r.aliasTarget] : r.values.map(lower)));
    if (
      target.length &&
      !target.some((t) =>
        pointsTo.some((p) => lower(t) === p || p.endsWith(`.${lower(t)}`) || lower(t).endsWith(`.${p}`)),
      )
    ) {
      out.add(
        "dns-record-target-mismatch",
        "warning",
        subject,
        `The record ${host} points to ${pointsTo.join(", ")}, not to the load balancer of class ${className ?? ""} (${target.join(", ")}).`,
        addressRecords.map(describeRecord),
        listCmd,
      );
    }
  }
}

function describeRecord(r: RecordSet): string {
  return `${r.name} ${r.type} ${r.aliasTarget ? `ALIAS ${r.aliasTarget}` : r.values.join(" ")}`;
}

// ---- cert-manager ---------------------------------------------------------------------------------------------

function checkIssuers(out: Findings, exp: ExpectedPlatform, obs: Observed): Set<string> {
  const broken = new Set<string>();
  if (unread(obs, "kubernetes clusterissuers")) {
    return broken;
  }
  for (const name of exp.certManager.issuers) {
    const issuer = obs.kubernetes.clusterIssuers.find((i) => i.metadata.name === name);
    if (!issuer) {
      broken.add(name);
      out.add(
        "issuer-missing",
        "error",
        `clusterissuer ${name}`,
        `The ClusterIssuer ${name} does not exist.`,
        [],
        "kubectl get clusterissuer",
      );
      continue;
    }
    const ready = condition(issuer, "Ready");
    if (ready?.status === "True") {
      continue;
    }
    broken.add(name);
    const evidence = [
      `Ready=${ready?.status ?? "(none)"} reason ${ready?.reason ?? ""}: ${ready?.message ?? ""}`,
    ];
    // pkg/issuer/acme/setup.go (v1.21.1): reason ErrRegisterACMEAccount, message "Failed to register ACME account: "
    // followed by the ACME problem, whose type for a refused e-mail is urn:ietf:params:acme:error:invalidContact.
    if (/invalidContact/.test(ready?.message ?? "")) {
      out.add(
        "acme-contact-rejected",
        "error",
        `clusterissuer ${name}`,
        `The ACME server refused the account's contact e-mail ${issuer.spec?.acme?.email ?? ""}: no certificate from ${name} can be issued until certManager.email is an address the CA accepts (not example.com or another reserved domain).`,
        evidence,
        `kubectl describe clusterissuer ${name}`,
      );
      continue;
    }
    out.add(
      "issuer-not-ready",
      "error",
      `clusterissuer ${name}`,
      `The ClusterIssuer ${name} is not Ready: ${ready?.reason ?? "no Ready condition"}.`,
      evidence,
      `kubectl describe clusterissuer ${name}`,
    );
  }
  return broken;
}

const ownedBy = (meta: { ownerReferences?: { kind: string; name: string }[] }, kind: string, name: string) =>
  (meta.ownerReferences ?? []).some((o) => o.kind === kind && o.name === name);

const newest = <T extends { metadata: { creationTimestamp?: string } }>(list: T[]): T | undefined =>
  [...list].sort((a, b) =>
    (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""),
  )[0];

function checkChallenge(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  ch: Challenge,
  cert: Certificate,
): void {
  const subject = `challenge ${nsName(ch.metadata)}`;
  const describe = `kubectl -n ${ch.metadata.namespace ?? "default"} describe challenge ${ch.metadata.name}`;
  const reason = ch.status?.reason ?? "";
  const base = [
    `state ${ch.status?.state ?? "(none)"}: ${reason || "(no reason)"}`,
    `certificate ${nsName(cert.metadata)}`,
  ];
  if (ch.spec.type === "HTTP-01") {
    const url = `http://${ch.spec.dnsName}${ACME_CHALLENGE_PATH}${ch.spec.token ?? ""}`;
    const answer = obs.http[url];
    if (
      answer?.status &&
      [301, 302, 307, 308].includes(answer.status) &&
      /^https:/i.test(answer.location ?? "")
    ) {
      out.add(
        "http01-https-redirect",
        "error",
        subject,
        `HTTPS redirect blocks HTTP-01: ${url} answers ${answer.status} to ${answer.location}, so the solver's answer on plain HTTP is never reached (cert-manager's self-check follows the redirect and gets the HTTPS site instead).`,
        [...base, `GET ${url} -> ${answer.status} Location: ${answer.location}`],
        `curl -sI ${url}`,
      );
      return;
    }
    out.add(
      "challenge-failed",
      "error",
      subject,
      `The HTTP-01 challenge for ${ch.spec.dnsName} is not passing: ${reason || "no reason recorded"}.`,
      [...base, answer ? `GET ${url} -> ${answer.status ?? answer.error ?? ""}` : `GET ${url} not tried`],
      describe,
    );
    return;
  }
  const fqdn = `_acme-challenge.${lower(ch.spec.dnsName.replace(/^\*\./, ""))}`;
  const zoneId =
    ch.spec.solver?.dns01?.route53?.hostedZoneID ??
    exp.certManager.dns01Zones.find((z) => withinDomain(ch.spec.dnsName, z.name))?.zoneId;
  const inZone = zoneId
    ? (obs.aws.records[zoneId] ?? []).some(
        (r) =>
          r.type === "TXT" && r.name === fqdn && r.values.some((v) => v.replace(/"/g, "") === ch.spec.key),
      )
    : false;
  const answer = obs.dns[fqdn];
  const isPublic = (answer?.txt ?? []).includes(ch.spec.key ?? "");
  const publicEvidence = `public resolvers: ${answer?.txt?.length ? answer.txt.join(" ") : (answer?.error ?? "no TXT")}`;
  // pkg/controller/acmechallenges/readiness.go and pkg/issuer/acme/dns/dns.go (v1.21.1): "Waiting for DNS-01
  // challenge propagation: DNS record for "<name>" not yet propagated" while the self-check fails.
  const waiting = /Waiting for DNS-01 challenge propagation/.test(reason);
  if (!inZone) {
    const events = obs.kubernetes.events
      .filter(
        (e) =>
          e.involvedObject.kind === "Challenge" &&
          e.involvedObject.name === ch.metadata.name &&
          e.type === "Warning",
      )
      .map((e) => `event ${e.reason ?? ""}: ${e.message ?? ""}`);
    const denied = events.some((e) => LOG_PATTERNS.accessDenied.test(e));
    out.add(
      "dns01-txt-missing",
      "error",
      subject,
      denied
        ? `cert-manager may not write ${fqdn} in zone ${zoneId ?? "(none)"}: Route53 refused its role (see events; cert-manager redacts AWS errors in the Challenge's reason).`
        : `The TXT record ${fqdn} is not in zone ${zoneId ?? "(no zone)"}: cert-manager has not presented it.`,
      [...base, ...events],
      describe,
    );
    return;
  }
  const shadows = [
    ...exp.privateZones.map((z) => z.name),
    ...obs.aws.hostedZones.filter((z) => z.private).map((z) => z.name),
  ].filter((z, i, all) => all.indexOf(z) === i && overlaps(z, ch.spec.dnsName.replace(/^\*\./, "")));
  if (waiting && shadows.length && exp.certManager.recursiveNameservers.length === 0) {
    out.add(
      "dns01-split-horizon",
      "error",
      subject,
      `Split horizon: the TXT record ${fqdn} is in public zone ${zoneId ?? ""}, but private zone ${shadows.join(", ")} overlaps the name, so the VPC resolver cert-manager asks answers from the private zone and the self-check never sees the record${isPublic ? "" : " (public resolvers do not return it either)"}.`,
      [
        ...base,
        `in Route53 zone ${zoneId ?? ""}: yes`,
        publicEvidence,
        `private zones: ${shadows.join(", ")}`,
      ],
      `pulumi config set --path 'certManager.recursiveNameservers[0]' 1.1.1.1:53 -s ${exp.stack}`,
    );
    return;
  }
  if (!isPublic) {
    out.add(
      "dns01-not-public",
      "error",
      subject,
      `The TXT record ${fqdn} is in Route53 zone ${zoneId ?? ""} but public resolvers do not return it: the zone is not the one the parent domain delegates to, or the change has not propagated yet.`,
      [...base, `in Route53 zone ${zoneId ?? ""}: yes`, publicEvidence],
      `dig +short TXT ${fqdn} @1.1.1.1`,
    );
    return;
  }
  out.add(
    "challenge-failed",
    "error",
    subject,
    `The DNS-01 challenge for ${ch.spec.dnsName} is not passing although its TXT record is public: ${reason || "no reason recorded"}.`,
    [...base, publicEvidence],
    describe,
  );
}

function checkCertificates(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  brokenIssuers: Set<string>,
  opts: DiagnoseOptions,
): void {
  const k = obs.kubernetes;
  for (const cert of k.certificates) {
    if (opts.host && !(cert.spec.dnsNames ?? []).some((n) => lower(n) === lower(opts.host ?? ""))) {
      continue;
    }
    const ready = condition(cert, "Ready");
    if (ready?.status === "True") {
      continue;
    }
    const ns = cert.metadata.namespace ?? "default";
    const subject = `certificate ${nsName(cert.metadata)}`;
    const certEvidence = `Ready=${ready?.status ?? "(none)"} ${ready?.reason ?? ""}: ${ready?.message ?? ""}`;
    const issuer = cert.spec.issuerRef;
    if ((issuer.kind ?? "Issuer") === "ClusterIssuer" && brokenIssuers.has(issuer.name)) {
      out.add(
        "certificate-not-ready",
        "error",
        subject,
        `The certificate waits for ClusterIssuer ${issuer.name}, which is not Ready (see above).`,
        [certEvidence],
        `kubectl describe clusterissuer ${issuer.name}`,
      );
      continue;
    }
    const cr = newest(
      k.certificateRequests.filter(
        (r) => r.metadata.namespace === ns && ownedBy(r.metadata, "Certificate", cert.metadata.name),
      ),
    );
    const order =
      cr &&
      newest(
        k.orders.filter(
          (o) => o.metadata.namespace === ns && ownedBy(o.metadata, "CertificateRequest", cr.metadata.name),
        ),
      );
    const challenges = order
      ? k.challenges.filter(
          (c) => c.metadata.namespace === ns && ownedBy(c.metadata, "Order", order.metadata.name),
        )
      : [];
    const failing = challenges.find((c) => c.status?.state !== "valid");
    if (failing) {
      checkChallenge(out, exp, obs, failing, cert);
      continue;
    }
    if (order && ["invalid", "errored"].includes(order.status?.state ?? "")) {
      out.add(
        "order-failed",
        "error",
        `order ${nsName(order.metadata)}`,
        `The ACME order is ${order.status?.state ?? ""}: ${order.status?.reason ?? "no reason recorded"}.`,
        [`certificate ${nsName(cert.metadata)}`],
        `kubectl -n ${ns} describe order ${order.metadata.name}`,
      );
      continue;
    }
    const crReady = cr && condition(cr, "Ready");
    const denied = cr && condition(cr, "Denied");
    if (cr && (crReady?.reason === "Failed" || denied?.status === "True")) {
      const c = denied?.status === "True" ? denied : crReady;
      out.add(
        "certificate-request-failed",
        "error",
        `certificaterequest ${nsName(cr.metadata)}`,
        `The CertificateRequest failed: ${c?.reason ?? ""}: ${c?.message ?? ""}.`,
        [`certificate ${nsName(cert.metadata)}`],
        `kubectl -n ${ns} describe certificaterequest ${cr.metadata.name}`,
      );
      continue;
    }
    out.add(
      "certificate-not-ready",
      ready?.reason === "DoesNotExist" || crReady?.reason === "Pending" ? "warning" : "error",
      subject,
      `The certificate is not Ready (${ready?.reason ?? "no Ready condition"})${cr ? `; its request ${cr.metadata.name} is ${crReady?.reason ?? "without status"}` : "; no CertificateRequest yet"}.`,
      [certEvidence, ...(crReady ? [`request: ${crReady.reason ?? ""}: ${crReady.message ?? ""}`] : [])],
      `kubectl -n ${ns} describe certificate ${cert.metadata.name}`,
    );
  }
}

// ---- all together ---------------------------------------------------------------------------------------------

const SEVERITY_ORDER: Severity[] = ["error", "warning", "info"];

/**
 * Errors first (a warning or a note never explains an error in this catalogue), then by causal order, then by
 * subject so the output is stable.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => FINDING_ORDER.indexOf(f.id as FindingId);
  const sev = (f: Finding) => SEVERITY_ORDER.indexOf(f.severity);
  return [...findings].sort(
    (a, b) => sev(a) - sev(b) || rank(a) - rank(b) || a.subject.localeCompare(b.subject),
  );
}

/** What a failed read source is about, and the command that shows whether the operator may read it. */
function readArea(source: string): { area: string; next: string } {
  if (source.startsWith("kubernetes")) {
    return { area: "Kubernetes", next: "kubectl auth can-i --list" };
  }
  if (source.startsWith("iam") || source.startsWith("route53") || source.startsWith("eks")) {
    return { area: "AWS", next: "aws sts get-caller-identity" };
  }
  return { area: source, next: "" };
}

/** One finding per distinct failure, naming every read it broke: no credentials is one cause, not twenty. */
function reportReadErrors(out: Findings, obs: Observed): void {
  const groups = new Map<string, { area: string; next: string; message: string; sources: string[] }>();
  for (const e of obs.readErrors) {
    const { area, next } = readArea(e.source);
    const key = `${area}\u0000${e.message}`;
    const group = groups.get(key) ?? { area, next, message: e.message, sources: [] };
    group.sources.push(e.source);
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    // An incomplete read is an error: the doctor cannot say the platform is healthy, and skips what depends on it.
    out.add(
      "read-failed",
      "error",
      g.sources.length === 1 ? g.sources[0] : `${g.area} (${g.sources.length} reads)`,
      `The doctor could not read ${g.sources.join(", ")}: ${g.message}. Checks that need it were skipped.`,
      [g.message],
      g.next || "npm run doctor -- <stack> --json",
    );
  }
}

export function diagnose(exp: ExpectedPlatform, obs: Observed, opts: DiagnoseOptions = {}): Finding[] {
  const out = new Findings();
  reportReadErrors(out, obs);
  checkIdentity(out, exp, obs);
  const states = checkIngress(out, exp, obs);
  checkExternalDns(out, exp, obs, states, opts);
  const broken = checkIssuers(out, exp, obs);
  checkCertificates(out, exp, obs, broken, opts);
  return sortFindings(out.list);
}
