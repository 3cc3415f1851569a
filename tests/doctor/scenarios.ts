/**
 * The recorded healthy platform (fixtures/healthy.json, the `fixture` stack) and each scenario as one broken link
 * of the chain, with the consequences a real cluster would show next to it. Shared by the pure diagnosis tests and
 * the end-to-end tests that serve the same objects through loopback servers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadExpected } from "../../commands/doctor/expected";
import { permissionQuestions } from "../../commands/doctor/collect/permissions";
import type { Challenge, ExpectedPlatform, Observed, RoleObserved } from "../../commands/doctor/model";
import { OPERATOR, type World } from "./aws";

export const FIXTURES = path.join(__dirname, "fixtures");
export const STACK_FILE = path.join(FIXTURES, "Pulumi.fixture.yaml");

export function expected(): ExpectedPlatform {
  return loadExpected("fixture", STACK_FILE);
}

export function healthy(): Observed {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, "healthy.json"), "utf8")) as Observed;
}

const ACCOUNT = "111111111111";
const PUBLIC_ZONE = "Z01234567DEVPUBLIC01";

function find<T>(list: T[], pred: (t: T) => boolean, what: string): T {
  const found = list.find(pred);
  if (!found) {
    throw new Error(`fixture has no ${what}`);
  }
  return found;
}

const podOf = (obs: Observed, serviceAccount: string) =>
  find(obs.kubernetes.pods, (p) => p.spec.serviceAccountName === serviceAccount, `pod of ${serviceAccount}`);

/** The role was renamed (external-dns-public -> external-dns-central) and the annotation changed; the pod was not restarted. */
export function staleRoleOnPod(obs: Observed): Observed {
  const env = podOf(obs, "external-dns-central").spec.containers[0].env ?? [];
  find(env, (e) => e.name === "AWS_ROLE_ARN", "AWS_ROLE_ARN").value =
    `arn:aws:iam::${ACCOUNT}:role/dev-external-dns-public-platform`;
  return obs;
}

/** The trust names the chart's default service account `external-dns`; the release runs as `external-dns-central`. */
export function trustNamesWrongServiceAccount(obs: Observed): Observed {
  const role = obs.aws.roles["dev-external-dns-central-platform"];
  if (!role) {
    throw new Error("fixture has no external-dns-central role");
  }
  const cond = role.trust.Statement[0].Condition?.StringEquals ?? {};
  const subKey = Object.keys(cond).find((k) => k.endsWith(":sub")) ?? "";
  cond[subKey] = "system:serviceaccount:platform:external-dns";
  // What external-dns then logs (the SDK's message for a refused web identity).
  obs.kubernetes.logs["platform/external-dns-central-6f7a8b9c0d-x7k2p"] =
    'time="2026-11-20T11:59:00Z" level=error msg="records retrieval failed: failed to list hosted zones: operation error Route 53: ListHostedZones, get identity: get credentials: failed to refresh cached credentials, failed to retrieve credentials, operation error STS: AssumeRoleWithWebIdentity, https response error StatusCode: 403, api error AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity"\n';
  return obs;
}

/** www.dev.example.com's ownership TXT names the private instance's owner ID. */
export function recordOwnedByOtherInstance(obs: Observed): Observed {
  const txt = find(
    obs.aws.records[PUBLIC_ZONE],
    (r) => r.name === "extdns-a.www.dev.example.com",
    "ownership TXT",
  );
  txt.values = [
    "heritage=external-dns,external-dns/owner=dev-dev-eks-private,external-dns/resource=ingress/shop/web",
  ];
  return obs;
}

/** A certificate being issued through DNS-01: Certificate -> CertificateRequest -> Order (pending) -> Challenge. */
function issuing(obs: Observed, challenge: Challenge): void {
  const cert = obs.kubernetes.certificates[0];
  cert.status = {
    conditions: [
      {
        type: "Ready",
        status: "False",
        reason: "DoesNotExist",
        message: "Issuing certificate as Secret does not exist",
      },
      {
        type: "Issuing",
        status: "True",
        reason: "DoesNotExist",
        message: "Issuing certificate as Secret does not exist",
      },
    ],
  };
  obs.kubernetes.certificateRequests = [
    {
      metadata: {
        name: "web-tls-1",
        namespace: "shop",
        creationTimestamp: "2026-11-20T11:00:00Z",
        ownerReferences: [{ kind: "Certificate", name: "web-tls" }],
      },
      status: {
        conditions: [
          { type: "Approved", status: "True", reason: "cert-manager.io" },
          // pkg/controller/certificaterequests/acme/acme.go (v1.21.1): Pending while the Order is not valid.
          {
            type: "Ready",
            status: "False",
            reason: "Pending",
            message: 'Waiting on certificate issuance from order shop/web-tls-1-3021425371: "pending"',
          },
        ],
      },
    },
  ];
  obs.kubernetes.orders = [
    {
      metadata: {
        name: "web-tls-1-3021425371",
        namespace: "shop",
        creationTimestamp: "2026-11-20T11:00:01Z",
        ownerReferences: [{ kind: "CertificateRequest", name: "web-tls-1" }],
      },
      status: { state: "pending" },
    },
  ];
  obs.kubernetes.challenges = [challenge];
}

const KEY = "Xs8y1hT3m9vP0qK2wLr5nB7cD4eF6gH8jZ1aS3dQ5tU";

function dnsChallenge(): Challenge {
  return {
    metadata: {
      name: "web-tls-1-3021425371-1866402227",
      namespace: "shop",
      ownerReferences: [{ kind: "Order", name: "web-tls-1-3021425371" }],
    },
    spec: {
      type: "DNS-01",
      dnsName: "www.dev.example.com",
      key: KEY,
      token: "tok-dns",
      solver: { dns01: { route53: { hostedZoneID: PUBLIC_ZONE } } },
    },
    status: {
      state: "pending",
      presented: true,
      processing: true,
      // pkg/controller/acmechallenges/readiness.go + pkg/issuer/acme/dns/dns.go (v1.21.1)
      reason:
        'Waiting for DNS-01 challenge propagation: DNS record for "www.dev.example.com" not yet propagated',
    },
  };
}

function txtInZone(obs: Observed): void {
  obs.aws.records[PUBLIC_ZONE].push({
    name: "_acme-challenge.www.dev.example.com",
    type: "TXT",
    values: [KEY],
  });
}

/** The TXT record is in the public zone and public, but another team's private zone dev.example.com shadows it in the VPC. */
export function txtHiddenByPrivateZone(obs: Observed): Observed {
  issuing(obs, dnsChallenge());
  txtInZone(obs);
  obs.dns["_acme-challenge.www.dev.example.com"] = { txt: [KEY] };
  obs.aws.hostedZones.push({ id: "Z0555555OTHERTEAM001", name: "dev.example.com", private: true });
  return obs;
}

/** The TXT record is in Route53, public resolvers do not return it, and no private zone is involved. */
export function challengeWaitingForPropagation(obs: Observed): Observed {
  issuing(obs, dnsChallenge());
  txtInZone(obs);
  obs.dns["_acme-challenge.www.dev.example.com"] = { error: "ENOTFOUND" };
  return obs;
}

/** Let's Encrypt refused the account's e-mail; the certificate using that issuer cannot start. */
export function acmeEmailRejected(obs: Observed): Observed {
  const issuer = find(
    obs.kubernetes.clusterIssuers,
    (i) => i.metadata.name === "letsencrypt-staging",
    "issuer",
  );
  if (issuer.spec?.acme) {
    issuer.spec.acme.email = "platform-team@example.com";
  }
  // pkg/issuer/acme/setup.go (v1.21.1): reason ErrRegisterACMEAccount, message "Failed to register ACME account: "
  // + the ACME client's error ("<status> <problem type>: <detail>"); the detail text is the CA's.
  issuer.status = {
    conditions: [
      {
        type: "Ready",
        status: "False",
        reason: "ErrRegisterACMEAccount",
        message:
          'Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact: Error creating new account :: contact email has forbidden domain "example.com"',
      },
    ],
  };
  obs.kubernetes.certificates[0].status = {
    conditions: [
      {
        type: "Ready",
        status: "False",
        reason: "DoesNotExist",
        message: "Issuing certificate as Secret does not exist",
      },
    ],
  };
  obs.kubernetes.certificateRequests = [];
  obs.kubernetes.orders = [];
  return obs;
}

export const HTTP01_URL = "http://legacy.corp.example.org/.well-known/acme-challenge/tok-http";

/** A name outside the DNS-01 zones goes to HTTP-01, and the application's Ingress redirects port 80 to HTTPS. */
export function http01BlockedByRedirect(obs: Observed): Observed {
  obs.kubernetes.ingresses.push({
    metadata: {
      name: "legacy",
      namespace: "shop",
      annotations: { "acme.cert-manager.io/http01-edit-in-place": "true" },
    },
    spec: {
      ingressClassName: "nginx-public",
      rules: [{ host: "legacy.corp.example.org" }],
      tls: [{ hosts: ["legacy.corp.example.org"], secretName: "legacy-tls" }],
    },
    status: obs.kubernetes.ingresses[0].status,
  });
  obs.kubernetes.certificates[0].spec.dnsNames = ["legacy.corp.example.org"];
  issuing(obs, {
    metadata: {
      name: "web-tls-1-3021425371-2512335123",
      namespace: "shop",
      ownerReferences: [{ kind: "Order", name: "web-tls-1-3021425371" }],
    },
    spec: {
      type: "HTTP-01",
      dnsName: "legacy.corp.example.org",
      token: "tok-http",
      key: "tok-http.thumbprint",
      solver: { http01: { ingress: { ingressClassName: "nginx-public" } } },
    },
    status: {
      state: "pending",
      presented: true,
      processing: true,
      // pkg/controller/acmechallenges/readiness.go + pkg/issuer/acme/http/http.go (v1.21.1): the self-check
      // follows the redirect and the HTTPS site answers 404 for the token path.
      reason: "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'",
    },
  });
  obs.http[HTTP01_URL] = {
    status: 308,
    location: "https://legacy.corp.example.org/.well-known/acme-challenge/tok-http",
  };
  return obs;
}

/** The public controller's Service never got an NLB; its Ingresses have no address as a consequence. */
export function serviceWithoutAddress(obs: Observed): Observed {
  const svc = find(
    obs.kubernetes.services,
    (s) => s.metadata.name === "ingress-public-nginx-ingress-controller",
    "service",
  );
  svc.status = { loadBalancer: {} };
  obs.kubernetes.ingresses[0].status = { loadBalancer: {} };
  obs.kubernetes.events.push({
    metadata: { name: "ingress-public-nginx-ingress-controller.18a1b2c3d4e5f607", namespace: "platform" },
    involvedObject: {
      kind: "Service",
      name: "ingress-public-nginx-ingress-controller",
      namespace: "platform",
    },
    type: "Warning",
    reason: "FailedDeployModel",
    message:
      "Failed deploy model due to unable to resolve at least one subnet (0 match VPC and tags: [kubernetes.io/role/elb])",
  });
  return obs;
}

/** cert-manager could not write the TXT record: Route53 refused its role (the reason is redacted, the event is not). */
export function dns01WriteDenied(obs: Observed): Observed {
  const challenge = dnsChallenge();
  challenge.status = {
    state: "pending",
    presented: false,
    processing: true,
    // pkg/controller/acmechallenges/sync.go (v1.21.1) stabilizeSolverErrorMessage redacts AWS SDK errors.
    reason:
      "failed to change Route 53 record set: <redacted AWS SDK error: http.ResponseError: see events and logs for details>",
  };
  issuing(obs, challenge);
  obs.kubernetes.events.push({
    metadata: { name: `${challenge.metadata.name}.18a1b2c3d4e5f608`, namespace: "shop" },
    involvedObject: { kind: "Challenge", name: challenge.metadata.name, namespace: "shop" },
    type: "Warning",
    reason: "PresentError",
    message:
      "Error presenting challenge: failed to change Route 53 record set: operation error Route 53: ChangeResourceRecordSets, https response error StatusCode: 403, api error AccessDenied: User: arn:aws:sts::111111111111:assumed-role/dev-cert-manager-platform/123 is not authorized to perform: route53:ChangeResourceRecordSets",
  });
  return obs;
}

// ---- the stacks beside the fixture, and the worlds they run in ------------------------------------------------

/** A stack file of the fixtures: `central` (public zone in a DNS account), `podidentity`, `chain` (both). */
export const stackFileOf = (name: string) => path.join(FIXTURES, `Pulumi.${name}.yaml`);
export const expectedOf = (name: string): ExpectedPlatform => loadExpected(name, stackFileOf(name));

/** One scenario: the stack, what the doctor should observe, and the world around it the loopback servers serve. */
export interface Case {
  stack: string;
  obs: Observed;
  world?: World;
}

const DNS_ACCOUNT = "222222222222";
export const EXTERNAL_DNS_CENTRAL_ROLE = `arn:aws:iam::${DNS_ACCOUNT}:role/dev-eks-external-dns`;
export const CERT_MANAGER_CENTRAL_ROLE = `arn:aws:iam::${DNS_ACCOUNT}:role/dev-eks-cert-manager`;

/** The IAM answers for every question the doctor asks a stack's roles: all allowed by the role's own policy. */
function allowAll(stack: string): Observed["aws"]["simulations"] {
  return permissionQuestions(expectedOf(stack)).map((q) => ({
    ...q,
    decision: "allowed",
    matched: [`${q.role} (role) line 1, column 1`],
  }));
}

function dnsAccountWorld(trusts?: Record<string, RoleObserved["trust"]>): World {
  return {
    dnsAccount: {
      zoneIds: [PUBLIC_ZONE],
      hostedZones: [{ id: PUBLIC_ZONE, name: "dev.example.com", private: false }],
      roles: {
        [EXTERNAL_DNS_CENTRAL_ROLE]: {
          externalId: "dev-eks-platform",
          trust: trusts?.[EXTERNAL_DNS_CENTRAL_ROLE],
        },
        [CERT_MANAGER_CENTRAL_ROLE]: { trust: trusts?.[CERT_MANAGER_CENTRAL_ROLE] },
      },
    },
  };
}

/** Healthy, with the public zone in the DNS account: only a role assumed there lists its records. */
export function centralHealthy(): Case {
  const obs = healthy();
  obs.aws.simulations = allowAll("central");
  return { stack: "central", obs, world: dnsAccountWorld() };
}

/** Healthy, every role bound through EKS Pod Identity with its association and the agent add-on. */
export function podIdentityHealthy(stack = "podidentity"): Case {
  const obs = healthy();
  for (const r of expectedOf(stack).roles) {
    const role = obs.aws.roles[r.roleName];
    if (!role) throw new Error(`fixture has no role ${r.roleName}`);
    role.trust = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    };
    obs.aws.podIdentityAssociations.push({
      namespace: r.namespace,
      serviceAccount: r.serviceAccount,
      roleArn: role.arn,
    });
    for (const pod of obs.kubernetes.pods.filter(
      (p) => p.metadata.namespace === r.namespace && p.spec.serviceAccountName === r.serviceAccount,
    )) {
      pod.spec.containers[0].env = [
        { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
      ];
    }
  }
  delete obs.aws.oidcProvider;
  obs.aws.podIdentityAgentAddon = { status: "ACTIVE", issues: [] };
  obs.aws.simulations = allowAll(stack);
  return { stack, obs };
}

/** Healthy chain: Pod Identity roles that assume the DNS account's roles, whose trusts allow sts:TagSession. */
export function chainHealthy(actions = ["sts:AssumeRole", "sts:TagSession"]): Case {
  const c = podIdentityHealthy("chain");
  const trust = (source: string): RoleObserved["trust"] => ({
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${source}` }, Action: actions },
    ],
  });
  const trusts = {
    [EXTERNAL_DNS_CENTRAL_ROLE]: trust("dev-external-dns-central-platform"),
    [CERT_MANAGER_CENTRAL_ROLE]: trust("dev-cert-manager-platform"),
  };
  c.obs.aws.centralTrusts = Object.entries(trusts).map(([roleArn, t]) => ({ roleArn, trust: t }));
  return { ...c, world: dnsAccountWorld(trusts) };
}

/** The DNS account's role refuses the operator (its trust names only the cluster's role). */
export function centralRoleRefused(): Case {
  const c = centralHealthy();
  const world = dnsAccountWorld();
  if (world.dnsAccount) world.dnsAccount.roles = {};
  delete c.obs.aws.records[PUBLIC_ZONE];
  c.obs.aws.hostedZones = c.obs.aws.hostedZones.filter((z) => z.id !== PUBLIC_ZONE);
  c.obs.readErrors = [
    {
      source: `sts assume role ${EXTERNAL_DNS_CENTRAL_ROLE}`,
      message: `User: ${OPERATOR} is not authorized to perform: sts:AssumeRole on resource: ${EXTERNAL_DNS_CENTRAL_ROLE}`,
      identity: OPERATOR,
    },
  ];
  return { ...c, world };
}

/** A busy cluster: 250 other associations, and two empty pages before the one that holds this role's. */
export function busyCluster(): Case {
  const c = podIdentityHealthy();
  return { ...c, world: { otherAssociations: 250, emptyPagesBefore: 2 } };
}

/** The team role's trust admits pods.eks.amazonaws.com for sts:AssumeRole only. */
export function trustWithoutTagSession(c: Case): Case {
  const role = c.obs.aws.roles["dev-orders-api-orders"];
  if (role) role.trust.Statement[0].Action = ["sts:AssumeRole"];
  return c;
}

/** No agent: no add-on and no DaemonSet. */
export function agentMissing(c: Case): Case {
  c.obs.aws.podIdentityAgentAddon = null;
  return c;
}

/** No add-on, but a self-managed DaemonSet runs on every node. */
export function agentSelfManaged(c: Case): Case {
  c.obs.aws.podIdentityAgentAddon = null;
  c.obs.kubernetes.daemonSets.push({
    metadata: { name: "eks-pod-identity-agent", namespace: "kube-system" },
    status: { desiredNumberScheduled: 3, numberReady: 3 },
  });
  return c;
}

/** The cluster-side role may assume the DNS account's role but not tag the session. */
export function chainTagSessionDenied(c: Case): Case {
  const s = c.obs.aws.simulations.find(
    (x) => x.role === "dev-external-dns-central-platform" && x.action === "sts:TagSession",
  );
  if (!s) throw new Error("no sts:TagSession question");
  Object.assign(s, { decision: "implicitDeny", matched: [] });
  return c;
}

/** The DNS account's roles may not read their own trust. */
export function chainTrustUnreadable(c: Case): Case {
  const world = dnsAccountWorld();
  c.obs.aws.centralTrusts = c.obs.aws.centralTrusts.map((t) => {
    const as = `arn:aws:sts::${DNS_ACCOUNT}:assumed-role/${t.roleArn.split("/").pop() ?? ""}/eks-platform-doctor`;
    return {
      roleArn: t.roleArn,
      trust: null,
      error: `${as} may not read it: User: ${as} is not authorized to perform: iam:GetRole`,
    };
  });
  return { ...c, world };
}

/** IAM has no OIDC provider for the cluster. */
export function oidcProviderMissing(obs: Observed): Observed {
  obs.aws.oidcProvider = null;
  return obs;
}

/** A statement of the cert-manager role's policies denies UPSERT of its TXT records. */
export function acmeWriteDeniedByStatement(obs: Observed): Observed {
  const s = obs.aws.simulations.find(
    (x) =>
      x.role === "dev-cert-manager-platform" &&
      x.action === "route53:ChangeResourceRecordSets" &&
      x.context["route53:ChangeResourceRecordSetsActions"]?.[0] === "UPSERT",
  );
  if (!s) throw new Error("no ChangeResourceRecordSets question");
  Object.assign(s, {
    decision: "explicitDeny",
    matched: ["deny-public-zone-writes (user-managed) line 4, column 5"],
  });
  return obs;
}

/** The load balancer controller has no ready pod (and so its webhook has no endpoint). */
export function lbControllerDown(obs: Observed): Observed {
  const d = find(
    obs.kubernetes.deployments,
    (x) => x.metadata.name === "aws-load-balancer-controller",
    "controller",
  );
  d.status = { replicas: 2, readyReplicas: 0, availableReplicas: 0 };
  obs.kubernetes.endpointSlices[0].endpoints = (obs.kubernetes.endpointSlices[0].endpoints ?? []).map(
    (e) => ({
      ...e,
      conditions: { ready: false },
    }),
  );
  return obs;
}

/** The controller's pods are ready but its webhook Service has no ready endpoint (a selector or port mismatch). */
export function webhookWithoutEndpoints(obs: Observed): Observed {
  obs.kubernetes.endpointSlices = [];
  return obs;
}

/** The cluster's own controller runs without a workload role (no IRSA, no Pod Identity variables). */
export function lbControllerWithoutRole(obs: Observed): Observed {
  const pod = find(obs.kubernetes.pods, (p) => p.metadata.namespace === "kube-system", "controller pod");
  pod.spec.containers[0].env = [];
  return obs;
}
