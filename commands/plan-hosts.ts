/**
 * The plan's list of the hosts a deploy contacts (`npm run plan`), apart from the plan's other sections.
 */
import type { ContactedHost } from "../components/sources/hosts";

/**
 * Every host outside AWS's APIs and the cluster's API server that a deploy of the stack contacts, by who connects
 * (components/sources/hosts.ts), for the firewall of a private environment: one line per party in the summary,
 * and with `verbose` each host with what it serves.
 */
export function hostsSection(hosts: readonly ContactedHost[], region: string, verbose: boolean): string[] {
  const lines = [
    "",
    `Hosts a deploy contacts, besides the AWS APIs of ${region} and the cluster's API server${verbose ? "" : " (what for: --verbose)"}:`,
  ];
  for (const from of ["the deploy machine", "the cluster's nodes", "cert-manager in the cluster"] as const) {
    const own = hosts.filter((h) => h.from === from);
    const names = [...new Set(own.map((h) => h.host))];
    if (names.length === 0) {
      continue;
    }
    if (!verbose) {
      lines.push(`  ${from}: ${names.join(", ")}`);
      continue;
    }
    lines.push(`  ${from}:`);
    for (const name of names) {
      const purposes = own.filter((h) => h.host === name).map((h) => h.purpose);
      lines.push(`    ${name}: ${purposes.join("; ")}`);
    }
  }
  if (verbose) {
    lines.push(
      "  Registries may hand out tokens and layers from further hosts of their own (Docker Hub's auth.docker.io, ECR's S3).",
    );
  }
  return lines;
}
