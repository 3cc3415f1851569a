/**
 * The identity area: each workload role exists, its trust admits the service account, and its pods run with it.
 */
import type { ExpectedPlatform, ExpectedRole, Observed, PolicyStatement, RoleObserved } from "../model";
import type { Findings } from "./findings";
import {
  IRSA_ANNOTATION,
  STS_AUDIENCE,
  asList,
  nsName,
  roleArnToOidcProvider,
  deploymentOfPod,
  restore,
  trustStatements,
  unread,
} from "./findings";
import { checkPodIdentityAgent, checkPodIdentityRole } from "./podIdentity";

function conditionValues(st: PolicyStatement, key: string): string[] {
  return Object.entries(st.Condition ?? {})
    .filter(([op]) => op === "StringEquals" || op === "StringLike")
    .flatMap(([, kv]) => asList(kv[key]));
}

export function checkIrsaTrust(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  r: ExpectedRole,
  role: RoleObserved,
): void {
  const subject = `role ${r.roleName}`;
  const next = restore(exp);
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

/** IAM's answer to GetOpenIDConnectProvider: without the provider no IRSA trust works, however it reads. */
function checkOidcProvider(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  const provider = obs.aws.oidcProvider;
  const irsa = exp.roles.filter((r) => r.binding === "irsa").map((r) => r.roleName);
  if (provider === null) {
    const arn = exp.oidcProviderArn ?? "of the cluster's issuer";
    out.add(
      "oidc-provider-missing",
      "error",
      `oidc provider ${exp.oidcProviderArn ?? exp.clusterName}`,
      `IAM has no OIDC provider ${arn}: STS refuses every web identity token of cluster ${exp.clusterName}, so no IRSA role (${irsa.join(", ")}) can be assumed, whatever its trust says.`,
      ["iam:GetOpenIDConnectProvider answered NoSuchEntity"],
      exp.createsOidcProvider
        ? restore(exp)
        : // EKS user guide, "Create an IAM OIDC provider for your cluster".
          `eksctl utils associate-iam-oidc-provider --cluster ${exp.clusterName} --region ${exp.region} --approve`,
    );
  } else if (provider && !provider.clientIds.includes(STS_AUDIENCE)) {
    out.add(
      "oidc-provider-audience-missing",
      "error",
      `oidc provider ${provider.arn}`,
      `The OIDC provider does not list the audience ${STS_AUDIENCE}, which the EKS pod identity webhook puts in the projected token: STS refuses it.`,
      [`ClientIDList: ${provider.clientIds.join(", ") || "(empty)"}`],
      `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${STS_AUDIENCE}`,
    );
  }
}

export function checkIdentity(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  const k = obs.kubernetes;
  checkOidcProvider(out, exp, obs);
  checkPodIdentityAgent(out, exp, obs);
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
        restore(exp),
      );
      continue;
    }
    if (r.binding === "irsa") {
      checkIrsaTrust(out, exp, obs, r, role);
    } else {
      checkPodIdentityRole(out, exp, obs, r, role);
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
