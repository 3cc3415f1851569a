/**
 * What an offline run records (offline/harness.ts): every resource with its type, name, parent, provider, inputs,
 * dependencies and options, every look-up, the stack outputs; and the queries the plan and the tests use on it.
 */

export interface CapturedResource {
  /** `<type>::<name>`, unique in one program run. */
  id: string;
  type: string;
  name: string;
  /** id of the parent resource, or undefined for the stack's direct children. */
  parent?: string;
  /** id of the explicit provider resource, if any. */
  provider?: string;
  /** true for custom resources, false for components. */
  custom: boolean;
  /** true when the program reads an existing object (`Resource.get`) instead of creating one. */
  read: boolean;
  protect: boolean;
  /** Explicit `dependsOn`, as ids. */
  dependsOn: string[];
  /** Resources whose outputs flow into this one's inputs, as ids. */
  inputsFrom: string[];
  /** Resolved inputs; secrets replaced by `[secret]`. */
  inputs: Record<string, unknown>;
  /**
   * Resource options that decide how a change is carried out (offline/transitions reads them); present only when
   * one is set. Aliases as `<type>::<name>` with the resource's own type or name where the alias keeps it.
   */
  options?: CapturedOptions;
}

export interface CapturedOptions {
  deleteBeforeReplace?: boolean;
  retainOnDelete?: boolean;
  aliases?: string[];
  replaceOnChanges?: string[];
  ignoreChanges?: string[];
}

export interface CapturedInvoke {
  token: string;
  inputs: Record<string, unknown>;
}

export interface Capture {
  project: string;
  stack: string;
  resources: CapturedResource[];
  invokes: CapturedInvoke[];
  outputs: Record<string, unknown>;
  /** Names of the outputs that are secrets. */
  secretOutputs: string[];
  /** What the program warned about (`pulumi.log.warn`, shown by `pulumi preview` too); absent when nothing. */
  warnings?: string[];
}

export function resourcesOfType(capture: Capture, type: string): CapturedResource[] {
  return capture.resources.filter((r) => r.type === type);
}

export function resource(capture: Capture, type: string, name: string): CapturedResource {
  const found = capture.resources.find((r) => r.type === type && r.name === name);
  if (!found) {
    const names = resourcesOfType(capture, type).map((r) => r.name);
    throw new Error(`no ${type} named ${name}; there are: ${names.join(", ") || "none"}`);
  }
  return found;
}
