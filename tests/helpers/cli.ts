/**
 * Runs the project's command-line tools as a user would: a child process with the project's TypeScript loader (runtime/transpile.ts), as the npm scripts run them.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--require", path.join(ROOT, "runtime", "transpile.ts"), path.join(ROOT, script), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
