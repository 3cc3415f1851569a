/**
 * Configuration problems: what every resolver reports into, and the error the program stops with. A problem
 * names the full config key, the value found and what is expected.
 */

export interface Problem {
  /** Full config key, e.g. `eks-platform:dns.publicZones[0].zoneId`. */
  readonly key: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
  /** What is expected instead. */
  readonly expected: string;
}

/** Collects problems for one stack; keys are given without the project namespace. */
export class Problems {
  readonly list: Problem[] = [];
  constructor(private readonly project: string) {}

  /** A problem with a key of the project's namespace (`dns.publicZones`). */
  add(path: string, expected: string, value?: unknown): void {
    this.list.push({ key: `${this.project}:${path}`, expected, value });
  }

  /** A problem with a key of another namespace (`aws:region`). */
  addFull(key: string, expected: string, value?: unknown): void {
    this.list.push({ key, expected, value });
  }

  /** Runs `check` and tells whether it reported nothing. */
  clean(check: () => void): boolean {
    const before = this.list.length;
    check();
    return this.list.length === before;
  }
}

export function formatProblems(stack: string, problems: readonly Problem[]): string {
  const lines = problems.map((p) => {
    const got = p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`;
    return `  - ${p.key}${got}: ${p.expected}`;
  });
  const noun = problems.length === 1 ? "problem" : "problems";
  return [
    `Stack '${stack}' configuration has ${problems.length} ${noun}; nothing was created:`,
    ...lines,
  ].join("\n");
}

/**
 * The program's one configuration error. The stack name is `stackName`, not `stack`: a field named `stack`
 * would replace `Error.stack`, and Pulumi's Node language host prints an error with a stack through
 * `util.inspect` (`@pulumi/pulumi` cmd/run/run.js), which would show the fields instead of the report.
 */
export class ConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(stackName, problems));
    this.name = "ConfigError";
  }
}
