/**
 * The public view: TXT answers of public resolvers for DNS-01 records, and the HTTP-01 URL asked as Let's Encrypt
 * asks it (one GET, no redirects followed).
 */
import * as http from "node:http";
import { Resolver } from "node:dns/promises";
import type { DnsAnswer, HttpAnswer } from "../model";

export const PUBLIC_NAMESERVERS = ["1.1.1.1", "8.8.8.8"];

export interface ProbeOptions {
  nameservers?: string[];
  http01Port?: number;
  timeoutMs?: number;
}

export function resolver(opts: ProbeOptions): Resolver {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
  r.setServers(opts.nameservers ?? PUBLIC_NAMESERVERS);
  return r;
}

export async function publicTxt(res: Resolver, name: string): Promise<DnsAnswer> {
  try {
    return { txt: (await res.resolveTxt(name)).map((chunks) => chunks.join("")) };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

/** GET without following redirects, the host resolved through the public resolvers, as Let's Encrypt sees it. */
export async function probe(res: Resolver, url: string, opts: ProbeOptions): Promise<HttpAnswer> {
  const u = new URL(url);
  let address: string;
  try {
    [address] = await res.resolve4(u.hostname);
  } catch (err) {
    return { error: `resolve ${u.hostname}: ${(err as { code?: string }).code ?? String(err)}` };
  }
  return new Promise((resolve) => {
    const req = http.get(
      {
        host: address,
        port: opts.http01Port ?? 80,
        path: u.pathname,
        headers: { host: u.hostname },
        timeout: opts.timeoutMs ?? 3000,
      },
      (resp) => {
        resp.resume();
        resolve({
          status: resp.statusCode,
          ...(resp.headers.location ? { location: resp.headers.location } : {}),
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve({ error: err.message }));
  });
}
