/**
 * EKS Pod Identity: the role's trust (`pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`, EKS user
 * guide "pod-id-role"), the association of its service account, and the agent that hands pods their credentials
 * (the `eks-pod-identity-agent` add-on, or a self-managed DaemonSet of that name in kube-system).
 */
import type { ExpectedPlatform, ExpectedRole, Observed, RoleObserved } from "../model";
import type { Findings } from "./findings";
import { POD_IDENTITY_PRINCIPAL, asList, restore, trustStatements, unread } from "./findings";

const AGENT = "eks-pod-identity-agent";
const AGENT_NAMESPACE = "kube-system";

const allows = (actions: string[], action: string) => actions.some((a) => a === action || a === "sts:*");

export function checkPodIdentityRole(
  out: Findings,
  exp: ExpectedPlatform,
  obs: Observed,
  r: ExpectedRole,
  role: RoleObserved,
): void {
  const subject = `role ${r.roleName}`;
  const mine = trustStatements(role, "sts:AssumeRole").filter((s) =>
    asList(s.Principal?.Service).includes(POD_IDENTITY_PRINCIPAL),
  );
  if (!mine.length) {
    out.add(
      "trust-wrong-provider",
      "error",
      subject,
      `The role does not trust ${POD_IDENTITY_PRINCIPAL}, which EKS Pod Identity needs (sts:AssumeRole and sts:TagSession).`,
      [JSON.stringify(role.trust.Statement)],
      restore(exp),
    );
  } else if (!mine.some((s) => allows(asList(s.Action), "sts:TagSession"))) {
    out.add(
      "trust-tag-session-missing",
      "error",
      subject,
      `The role trusts ${POD_IDENTITY_PRINCIPAL} for sts:AssumeRole but not sts:TagSession, which EKS Pod Identity needs too: it tags the sessions it asks for, so STS refuses them.`,
      mine.map((s) => `Action: ${asList(s.Action).join(", ")}`),
      restore(exp),
    );
  }
  const assoc = obs.aws.podIdentityAssociations.filter(
    (a) => a.namespace === r.namespace && a.serviceAccount === r.serviceAccount,
  );
  if (
    !unread(obs, `eks pod identity associations of ${r.namespace}/${r.serviceAccount}`) &&
    !assoc.some((a) => a.roleArn === role.arn)
  ) {
    out.add(
      "pod-identity-association-missing",
      "error",
      `service account ${r.namespace}/${r.serviceAccount}`,
      `No EKS Pod Identity association binds ${r.namespace}/${r.serviceAccount} to ${role.arn}.`,
      assoc.length
        ? assoc.map((a) => `association names ${a.roleArn}`)
        : ["no association for this service account"],
      restore(exp),
    );
  }
}

/** Once per cluster: without a running agent no pod gets Pod Identity credentials. */
export function checkPodIdentityAgent(out: Findings, exp: ExpectedPlatform, obs: Observed): void {
  if (!exp.roles.some((r) => r.binding === "pod-identity")) {
    return;
  }
  const addon = obs.aws.podIdentityAgentAddon;
  const subject = `add-on ${AGENT}`;
  const describe = `aws eks describe-addon --cluster-name ${exp.clusterName} --addon-name ${AGENT} --region ${exp.region}`;
  if (addon) {
    if (addon.status !== "ACTIVE") {
      out.add(
        "pod-identity-agent-missing",
        "error",
        subject,
        `The ${AGENT} add-on is ${addon.status}, not ACTIVE: pods bound through Pod Identity may get no credentials.`,
        addon.issues,
        describe,
      );
    }
    return;
  }
  if (addon === undefined || unread(obs, `kubernetes daemonsets in ${AGENT_NAMESPACE}`)) {
    return; // not read: reported as read-failed
  }
  const ds = obs.kubernetes.daemonSets.find(
    (d) => d.metadata.namespace === AGENT_NAMESPACE && d.metadata.name === AGENT,
  );
  const ready = ds?.status?.numberReady ?? 0;
  const want = ds?.status?.desiredNumberScheduled ?? 0;
  if (ds && ready > 0 && ready >= want) {
    return; // self-managed and running
  }
  const roles = exp.roles.filter((r) => r.binding === "pod-identity").map((r) => r.roleName);
  out.add(
    "pod-identity-agent-missing",
    "error",
    subject,
    ds
      ? `The cluster has no ${AGENT} add-on and its self-managed DaemonSet ${AGENT_NAMESPACE}/${AGENT} has ${ready} of ${want} pods ready: pods on the other nodes get no Pod Identity credentials.`
      : `The cluster runs no Pod Identity agent (no ${AGENT} add-on, no DaemonSet ${AGENT_NAMESPACE}/${AGENT}): no pod gets the roles bound through Pod Identity (${roles.join(", ")}).`,
    [
      `eks:DescribeAddon ${AGENT}: ResourceNotFoundException`,
      `DaemonSet ${AGENT_NAMESPACE}/${AGENT}: ${ds ? `${ready}/${want} ready` : "none"}`,
    ],
    ds
      ? `kubectl -n ${AGENT_NAMESPACE} describe daemonset ${AGENT}`
      : exp.installsPodIdentityAgent
        ? restore(exp)
        : `aws eks create-addon --cluster-name ${exp.clusterName} --addon-name ${AGENT} --region ${exp.region}`,
  );
}
