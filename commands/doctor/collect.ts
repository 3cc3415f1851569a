/**
 * Collection: reads the live platform through the real clients and returns plain `Observed` data. Read-only by
 * construction: Kubernetes GETs; AWS Get/List/Describe calls, iam:SimulatePrincipalPolicy (an evaluation, not an
 * action) and sts:AssumeRole into the DNS account (a session for reads there); DNS queries; and one HTTP GET per
 * HTTP-01 challenge (the same request Let's Encrypt makes). Each concern is a file of collect/.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { IAMClient } from "@aws-sdk/client-iam";
import { Route53Client } from "@aws-sdk/client-route-53";
import { EKSClient } from "@aws-sdk/client-eks";
import { STSClient } from "@aws-sdk/client-sts";
import type { DnsAnswer, ExpectedPlatform, HttpAnswer, Observed } from "./model";
import { collectAws, type AwsClients } from "./collect/aws";
import { collectKubernetes } from "./collect/kubernetes";
import { probe, publicTxt, resolver } from "./collect/probes";
import { Readers, type ReadErrors } from "./collect/reads";

export { PUBLIC_NAMESERVERS } from "./collect/probes";
export { recordSet, txtText } from "./collect/route53";

export interface CollectOptions {
  /** Default: the operator's kubeconfig (`KubeConfig.loadFromDefault`). */
  kubeConfig?: KubeConfig;
  iam?: IAMClient;
  route53?: Route53Client;
  eks?: EKSClient;
  sts?: STSClient;
  /** Clients for a role assumed in the DNS account; default: the SDK clients with its temporary credentials. */
  assumed?: AwsClients["assumed"];
  /** A role to read the DNS account's zones with, instead of the one each tool assumes (`--dns-role`). */
  dnsRole?: string;
  /** Resolvers for the public view of DNS, `ip` or `ip:port`. Default: Cloudflare and Google. */
  nameservers?: string[];
  /** Port of the HTTP-01 probe (Let's Encrypt uses 80). */
  http01Port?: number;
  /** Only this host for the DNS and certificate reads (`--host`). */
  host?: string;
  /** Per DNS or HTTP probe. */
  timeoutMs?: number;
}

function awsClients(exp: ExpectedPlatform, opts: CollectOptions): AwsClients {
  const region = exp.region;
  return {
    iam: opts.iam ?? new IAMClient({ region }),
    route53: opts.route53 ?? new Route53Client({ region }),
    eks: opts.eks ?? new EKSClient({ region }),
    sts: opts.sts ?? new STSClient({ region }),
    assumed:
      opts.assumed ??
      ((credentials) => ({
        iam: new IAMClient({ region, credentials }),
        route53: new Route53Client({ region, credentials }),
      })),
  };
}

export async function collect(exp: ExpectedPlatform, opts: CollectOptions = {}): Promise<Observed> {
  const at = new Date().toISOString();
  const readErrors: ReadErrors = [];
  const readers = new Readers();
  const kc =
    opts.kubeConfig ??
    (() => {
      const k = new KubeConfig();
      k.loadFromDefault();
      return k;
    })();
  const [kubernetes, aws] = await Promise.all([
    collectKubernetes(kc, exp, readErrors),
    collectAws(exp, awsClients(exp, opts), { dnsRole: opts.dnsRole }, readErrors, readers),
  ]);

  const res = resolver(opts);
  const open = kubernetes.challenges.filter(
    (c) =>
      c.status?.state !== "valid" && (!opts.host || c.spec.dnsName.toLowerCase() === opts.host.toLowerCase()),
  );
  const dns: Record<string, DnsAnswer> = {};
  const httpAnswers: Record<string, HttpAnswer> = {};
  await Promise.all(
    open.map(async (c) => {
      if (c.spec.type === "DNS-01") {
        const name = `_acme-challenge.${c.spec.dnsName.replace(/^\*\./, "").toLowerCase()}`;
        dns[name] = await publicTxt(res, name);
      } else {
        const url = `http://${c.spec.dnsName}/.well-known/acme-challenge/${c.spec.token ?? ""}`;
        httpAnswers[url] = await probe(res, url, opts);
      }
    }),
  );
  return { at, kubernetes, aws, dns, http: httpAnswers, readErrors, readers: readers.list() };
}
