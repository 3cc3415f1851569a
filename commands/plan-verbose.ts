/**
 * The `--verbose` printout of the offline plan: the resource tree, the key settings of each resource with the
 * program's own input names, the dependencies, the look-ups and the outputs.
 */
import type { Capture, CapturedResource } from "../offline/harness";
import {
  centralDnsSection,
  countPhrase,
  indent,
  parseJsonField,
  predictRoleArns,
  sortKeys,
  toYaml,
  withPredictedArns,
  type PredictedRole,
} from "./plan-format";
import { remoteComponents } from "./plan-remote";

function tree(capture: Capture): string[] {
  const children = new Map<string | undefined, CapturedResource[]>();
  for (const r of capture.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const flags = [r.protect ? "protected" : "", r.read ? "read" : "", r.custom ? "" : "component"].filter(
        Boolean,
      );
      lines.push(
        `${"  ".repeat(depth + 1)}${r.type}  ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`,
      );
      walk(r.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

function settings(capture: Capture, roles: readonly PredictedRole[]): string[] {
  const out: string[] = [];
  for (const r of capture.resources) {
    let body: unknown;
    switch (r.type) {
      case "aws:iam/role:Role":
        body = {
          assumeRolePolicy: parseJsonField(r.inputs.assumeRolePolicy),
          description: r.inputs.description,
          permissionsBoundary: r.inputs.permissionsBoundary,
        };
        break;
      case "aws:iam/policy:Policy":
        body = { policy: parseJsonField(r.inputs.policy) };
        break;
      case "kubernetes:helm.sh/v3:Release":
        body = {
          chart: r.inputs.chart,
          repositoryOpts: r.inputs.repositoryOpts,
          version: r.inputs.version,
          namespace: r.inputs.namespace,
          skipCrds: r.inputs.skipCrds,
          values: r.inputs.values,
        };
        break;
      case "tls:index/selfSignedCert:SelfSignedCert":
        body = {
          subject: r.inputs.subject,
          validityPeriodHours: r.inputs.validityPeriodHours,
          isCaCertificate: r.inputs.isCaCertificate,
        };
        break;
      default:
        if (r.type.startsWith("kubernetes:") && r.type.includes("ClusterIssuer")) {
          body = { spec: r.inputs.spec };
        } else if (r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition") {
          // Offline the manifest is not fetched: the spec says where it comes from and its pinned digest.
          body = { spec: r.inputs.spec };
        } else if (r.type === "kubernetes:core/v1:Secret") {
          body = { type: r.inputs.type, stringData: r.inputs.stringData };
        }
    }
    if (body !== undefined) {
      out.push(`  ${r.type}  ${r.name}`, indent(toYaml(withPredictedArns(body, roles)), "      "));
    }
  }
  return out;
}

function edges(capture: Capture): string[] {
  const out: string[] = [];
  for (const r of capture.resources) {
    for (const d of r.dependsOn) out.push(`  ${r.id}  --dependsOn-->  ${d}`);
    for (const d of r.inputsFrom) out.push(`  ${r.id}  --uses-output-of-->  ${d}`);
    if (r.provider) out.push(`  ${r.id}  --provider-->  ${r.provider}`);
  }
  return out;
}

export function renderPlan(capture: Capture): string {
  const roles = predictRoleArns(capture);
  const remote = remoteComponents(capture);
  const lines = [
    `Offline plan of stack '${capture.stack}' (project ${capture.project}): the real program under mocks; no cloud or cluster was contacted.`,
    `Values in <known after apply: ...> and (...) are known only to the cloud; [secret] marks secrets. IAM role ARNs`,
    `are shown as IAM will build them, as in the summary (the JSON plan keeps the program's <known after apply> values).`,
    "",
    `Resources: ${countPhrase(capture)}`,
    ...tree(capture),
    ...(remote.length
      ? ["", "Remote components (built by their provider plugins at deploy time):", ...remote]
      : []),
    "",
    "Key settings:",
    ...settings(capture, roles),
    "",
    "Dependencies:",
    ...edges(capture),
    "",
    "Look-ups (invokes):",
    ...capture.invokes.map((i) => `  ${i.token} ${JSON.stringify(i.inputs)}`),
    ...centralDnsSection(capture),
    "",
    "Stack outputs:",
    indent(toYaml(withPredictedArns(sortKeys(capture.outputs), roles)), "  "),
  ];
  return `${lines.join("\n")}\n`;
}
