/**
 * Loopback stand-ins for the platform, fed from one recorded `Observed`: a Kubernetes API server serving the
 * objects per path, a DNS server answering the public view, an HTTP server answering the HTTP-01 URLs, and the AWS
 * SDK clients answered by aws-sdk-client-mock. Every server records what it was asked, so tests can show the doctor
 * only reads.
 */
import * as dgram from "node:dgram";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import * as dnsPacket from "dns-packet";
import type { KubernetesObserved, Observed } from "../../commands/doctor/model";
import { awsClients, type World } from "./aws";

export interface Server {
  port: number;
  /** `METHOD path` of every request (or `QTYPE name` for DNS). */
  requests: string[];
  close(): Promise<void>;
}

function listen(server: http.Server, requests: string[]): Promise<Server> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        requests,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

type Kind = keyof Omit<KubernetesObserved, "logs">;

const ROUTES: [RegExp, Kind, string][] = [
  [/^\/api\/v1\/namespaces\/([^/]+)\/pods$/, "pods", "PodList"],
  [/^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts$/, "serviceAccounts", "ServiceAccountList"],
  [/^\/api\/v1\/namespaces\/([^/]+)\/services$/, "services", "ServiceList"],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/, "deployments", "DeploymentList"],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets$/, "daemonSets", "DaemonSetList"],
  [
    /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/,
    "endpointSlices",
    "EndpointSliceList",
  ],
  [/^\/apis\/networking\.k8s\.io\/v1\/ingresses$/, "ingresses", "IngressList"],
  [/^\/apis\/networking\.k8s\.io\/v1\/ingressclasses$/, "ingressClasses", "IngressClassList"],
  [/^\/api\/v1\/events$/, "events", "EventList"],
  [/^\/apis\/cert-manager\.io\/v1\/clusterissuers$/, "clusterIssuers", "ClusterIssuerList"],
  [/^\/apis\/cert-manager\.io\/v1\/certificates$/, "certificates", "CertificateList"],
  [/^\/apis\/cert-manager\.io\/v1\/certificaterequests$/, "certificateRequests", "CertificateRequestList"],
  [/^\/apis\/acme\.cert-manager\.io\/v1\/orders$/, "orders", "OrderList"],
  [/^\/apis\/acme\.cert-manager\.io\/v1\/challenges$/, "challenges", "ChallengeList"],
];

/** A Kubernetes API server on 127.0.0.1 that lists the recorded objects (namespaced lists filtered by namespace). */
export function startKubeApi(obs: Observed): Promise<Server> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method ?? ""} ${url.pathname}`);
    const send = (code: number, body: unknown, type = "application/json") => {
      res.writeHead(code, { "content-type": type });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.method !== "GET") {
      send(405, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "MethodNotAllowed",
        code: 405,
      });
      return;
    }
    const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (log) {
      send(200, obs.kubernetes.logs[`${log[1]}/${log[2]}`] ?? "", "text/plain");
      return;
    }
    for (const [re, kind, listKind] of ROUTES) {
      const m = re.exec(url.pathname);
      if (m) {
        const items = (obs.kubernetes[kind] as { metadata: { namespace?: string } }[]).filter(
          (o) => m[1] === undefined || o.metadata.namespace === m[1],
        );
        send(200, { kind: listKind, apiVersion: "v1", metadata: { resourceVersion: "1" }, items });
        return;
      }
    }
    send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
  });
  return listen(server, requests);
}

export function kubeConfigFor(server: Server): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "loopback", server: `http://127.0.0.1:${server.port}`, skipTLSVerify: true }],
    users: [{ name: "operator", token: "not-a-real-token" }],
    contexts: [{ name: "loopback", cluster: "loopback", user: "operator" }],
    currentContext: "loopback",
  });
  return kc;
}

/**
 * A DNS server on 127.0.0.1: TXT answers from the recorded public view, A answers 127.0.0.1 for the HTTP-01
 * hosts (so the probe reaches the loopback HTTP server), NXDOMAIN for everything else.
 */
export function startDns(obs: Observed): Promise<Server> {
  const requests: string[] = [];
  const httpHosts = new Set(Object.keys(obs.http).map((u) => new URL(u).hostname));
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, peer) => {
    const query = dnsPacket.decode(msg);
    const q = query.questions?.[0];
    if (!q) {
      return;
    }
    requests.push(`${q.type} ${q.name}`);
    const name = q.name.toLowerCase();
    const txt = obs.dns[name]?.txt;
    const answers: dnsPacket.Answer[] =
      q.type === "TXT" && txt
        ? txt.map((t) => ({ type: "TXT", name: q.name, ttl: 60, data: t }))
        : q.type === "A" && httpHosts.has(name)
          ? [{ type: "A", name: q.name, ttl: 60, data: "127.0.0.1" }]
          : [];
    const NXDOMAIN = 3;
    const reply = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | (answers.length ? 0 : NXDOMAIN),
      questions: [q],
      answers,
    });
    socket.send(reply, peer.port, peer.address);
  });
  return new Promise((resolve) => {
    socket.bind(0, "127.0.0.1", () => {
      resolve({
        port: socket.address().port,
        requests,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}

/** Answers the recorded HTTP-01 URLs by path: status and Location, nothing else. */
export function startHttp01(obs: Observed): Promise<Server> {
  const requests: string[] = [];
  const byPath = new Map(Object.entries(obs.http).map(([u, a]) => [new URL(u).pathname, a]));
  const server = http.createServer((req, res) => {
    requests.push(`${req.method ?? ""} ${req.headers.host ?? ""}${req.url ?? ""}`);
    const answer = byPath.get(req.url ?? "");
    res.writeHead(answer?.status ?? 404, answer?.location ? { location: answer.location } : {});
    res.end();
  });
  return listen(server, requests);
}

/** All loopback servers and clients for one recording, in the world around it (another account, a busy cluster). */
export async function platform(obs: Observed, world: World = {}) {
  const [kube, dns, web] = await Promise.all([startKubeApi(obs), startDns(obs), startHttp01(obs)]);
  const aws = awsClients(obs, world);
  return {
    kube,
    dns,
    web,
    aws,
    options: {
      kubeConfig: kubeConfigFor(kube),
      iam: aws.iam,
      route53: aws.route53,
      eks: aws.eks,
      sts: aws.sts,
      assumed: aws.assumed,
      nameservers: [`127.0.0.1:${dns.port}`],
      http01Port: web.port,
      timeoutMs: 1000,
    },
    close: async () => {
      aws.restore();
      await Promise.all([kube.close(), dns.close(), web.close()]);
    },
  };
}
