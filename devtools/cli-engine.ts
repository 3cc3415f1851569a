/**
 * The engine's stand-in for a program started as the Pulumi CLI starts it (devtools/cli-load.ts): preloaded
 * after Pulumi.yaml's `nodeargs`, it gives the SDK the harness's mocks (offline/harness.ts `plainMocks`) in place
 * of the resource monitor the engine would serve at `--monitor`. Project, stack, organization and preview are
 * read from the language host's arguments, the configuration from `PULUMI_CONFIG` as the host sets it (or, past
 * what one environment variable can hold, from the file EKS_PLATFORM_CLI_CONFIG_FILE names).
 *
 * At exit it prints `<n> resources registered` (reads included) on stdout and, when EKS_PLATFORM_CLI_CAPTURE names a file, writes
 * each registration's type, name and the source position the SDK sent with it (JSON) there.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { OFFLINE_MANIFESTS } from "../components/ingress/crds";
import { offlineManifests, plainMocks } from "../offline/harness";

export interface Registration {
  /** `register` for a resource the program creates, `read` for one it reads (`Resource.get`). */
  kind: "register" | "read";
  type: string;
  name: string;
  /** The SDK's recorded source position (`RegisterResourceRequest.sourcePosition`), when it sent one. */
  source?: { uri: string; line: number; column: number };
}

type Position = { getUri(): string; getLine(): number; getColumn(): number };
type Request = { getType(): string; getName(): string; getSourceposition(): Position | undefined };
type MockMonitor = {
  registerResource(req: Request, callback: unknown): unknown;
  readResource(req: Request, callback: unknown): unknown;
  signalAndWaitForShutdown?: (req: unknown, callback: (err: unknown, res: unknown) => void) => void;
};

/** The value of `--name value` among the language host's arguments to `cmd/run`. */
function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

// A configuration over Linux's limit for one environment variable cannot reach node through PULUMI_CONFIG (the
// real CLI fails to start it; devtools/cli-load.ts ENV_STRING_LIMIT): the bench then hands it over in a file.
const configFile = process.env.EKS_PLATFORM_CLI_CONFIG_FILE;
if (configFile) {
  process.env.PULUMI_CONFIG = fs.readFileSync(configFile, "utf8");
}
const config = JSON.parse(process.env.PULUMI_CONFIG ?? "{}") as Record<string, string>;
void pulumi.runtime.setMocks(
  plainMocks(config["aws:config:region"] ?? "(region)"),
  flag("project"),
  flag("stack"),
  process.argv.includes("--dry-run"),
  flag("organization"),
);
// No network here either: the NGINX CRD manifest comes back as the harness's stand-in, as in the offline plan.
(globalThis as Record<symbol, unknown>)[OFFLINE_MANIFESTS] = offlineManifests;
const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
// The engine answers the SDK's last call at exit (cmd/run/index.js beforeExit); the SDK's mock monitor has none.
monitor.signalAndWaitForShutdown = (_req, callback) => callback(null, {});
const registrations: Registration[] = [];
for (const kind of ["register", "read"] as const) {
  const method = kind === "register" ? "registerResource" : "readResource";
  const original = monitor[method].bind(monitor);
  monitor[method] = (req, callback) => {
    const pos = req.getSourceposition();
    registrations.push({
      kind,
      type: req.getType(),
      name: req.getName(),
      source: pos && { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() },
    });
    return original(req, callback);
  };
}

process.on("exit", () => {
  process.stdout.write(`${registrations.length} resources registered\n`);
  const capture = process.env.EKS_PLATFORM_CLI_CAPTURE;
  if (capture) {
    fs.writeFileSync(capture, JSON.stringify(registrations));
  }
});
