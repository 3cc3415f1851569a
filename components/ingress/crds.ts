/**
 * Reading the F5 NGINX Ingress Controller's CRDs at deploy time, and nothing but the pinned ones.
 *
 * The manifest used to be a `yaml/v2 ConfigFile` with a URL, which the provider fetches with a plain GET at every
 * preview and up, with no status check and no checksum (pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go,
 * Parse: http.Get, io.ReadAll). Here the program fetches it from the URL the stack names (the pinned upstream
 * file by default, or a mirror: `ingress.crdsUrl`), refuses an HTTP error, a digest other than the pinned one and
 * any CRD set other than the pinned names, and only then declares the CRDs. A mirror therefore serves exactly
 * the upstream file or nothing is applied.
 *
 * Offline (the mocks harness) there is no network: the harness installs a reader under OFFLINE_MANIFESTS that
 * returns stand-ins carrying the URL and digest, so the plan shows where the CRDs come from.
 */
import { createHash } from "node:crypto";
import { parseAllDocuments } from "yaml";

/** The pinned manifest (versions.ts `nginxIngressCrds`). */
export interface CrdManifestPin {
  readonly url: string;
  readonly sha256: string;
  readonly names: readonly string[];
}

/** One CRD of the manifest, as the Kubernetes provider takes it. */
export interface CrdObject {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A reader of the manifest at `url`, checked against `pin`. */
export type CrdReader = (url: string, pin: CrdManifestPin) => Promise<CrdObject[]>;

/** Where the offline harness puts its reader (a global symbol: the harness sits above the program's floors). */
export const OFFLINE_MANIFESTS = Symbol.for("eks-platform.offline-manifests");

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The CRDs of a fetched manifest, or an error that says what was wrong with it. Pure. */
export function verifyCrdManifest(text: string, url: string, pin: CrdManifestPin): CrdObject[] {
  const digest = sha256(text);
  if (digest !== pin.sha256) {
    throw new Error(
      `the NGINX CRD manifest at ${url} has SHA-256 ${digest}, expected ${pin.sha256} (the pinned deploy/crds.yaml): a mirror must serve the pinned file unchanged; nothing was applied`,
    );
  }
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => o !== null && typeof o === "object");
  const crds = objects.map((o, i): CrdObject => {
    const meta = (o.metadata ?? {}) as CrdObject["metadata"];
    if (o.kind !== "CustomResourceDefinition" || typeof meta.name !== "string" || !o.spec) {
      throw new Error(
        `the NGINX CRD manifest at ${url}: document ${i + 1} is not a CustomResourceDefinition`,
      );
    }
    return {
      metadata: {
        name: meta.name,
        ...(meta.annotations ? { annotations: meta.annotations } : {}),
        ...(meta.labels ? { labels: meta.labels } : {}),
      },
      spec: o.spec as Record<string, unknown>,
    };
  });
  const names = crds.map((c) => c.metadata.name).sort();
  if (JSON.stringify(names) !== JSON.stringify([...pin.names].sort())) {
    throw new Error(
      `the NGINX CRD manifest at ${url} defines ${names.join(", ")}; the pin lists ${pin.names.join(", ")}`,
    );
  }
  return crds;
}

/** Fetches the manifest and verifies it; an HTTP error is an error, not a YAML document. */
export const fetchCrdManifest: CrdReader = async (url, pin) => {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`fetching the NGINX CRD manifest from ${url}: HTTP ${response.status}`);
  }
  return verifyCrdManifest(await response.text(), url, pin);
};

/** The reader in force: the offline harness's when it installed one, else the network's. */
export function crdReader(): CrdReader {
  const offline = (globalThis as Record<symbol, unknown>)[OFFLINE_MANIFESTS];
  return typeof offline === "function" ? (offline as CrdReader) : fetchCrdManifest;
}
