/**
 * Stops `npm test` on a Node.js older than package.json's `engines` with a message that says so. Without it,
 * Node 20 fails the unit tests with a glob error (`node --test` takes glob patterns only since Node 21) that names
 * no version. `npm ci` refuses old versions already (.npmrc engine-strict); this covers a node_modules installed
 * under another Node.js.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** `major.minor.patch` of a version or of an `engines` lower bound (`>=22.18`), missing parts as 0. */
function parts(text: string): number[] | undefined {
  const m = /^(?:>=\s*)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  return m ? [m[1], m[2], m[3]].map((p) => Number(p ?? 0)) : undefined;
}

/**
 * The problem with running `version` under `engines` (`>=<major>[.<minor>[.<patch>]]`), or undefined when it is
 * fine. The minor matters here: the TypeScript loader of `npm run plan` and the tests (tools/transpile.ts) is
 * loaded by Node's own type stripping, on by default from Node.js 22.18; on 22.17 it is a syntax error.
 */
export function nodeVersionProblem(version: string, engines: string): string | undefined {
  const required = parts(engines);
  const have = parts(version);
  if (!required || !have) {
    return undefined;
  }
  const diff = have.map((n, i) => n - required[i]).find((d) => d !== 0) ?? 0;
  if (diff >= 0) {
    return undefined;
  }
  return (
    `This project needs Node.js ${engines} (package.json "engines"); this is Node.js ${version}.\n` +
    `Switch with \`nvm install\` or \`fnm use\` (both read .nvmrc), then run \`npm ci\` again.`
  );
}

if (require.main === module) {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
    engines: { node: string };
  };
  const problem = nodeVersionProblem(process.version, manifest.engines.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
