/**
 * Stops `npm test` on a Node.js older than package.json's `engines` with a message that says so. Without it,
 * Node 20 fails the unit tests with a glob error (`node --test` takes glob patterns only since Node 21) that names
 * no version. `npm ci` refuses old versions already (.npmrc engine-strict); this covers a node_modules installed
 * under another Node.js.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";

/**
 * The problem with running `version` under `engines` (an npm version range such as `>=22.18`), or undefined when
 * it satisfies it. The minor matters here: the TypeScript loader of `npm run plan` and the tests
 * (runtime/transpile.ts) is loaded by Node's own type stripping, on by default from Node.js 22.18; on 22.17 it is a
 * syntax error.
 */
export function nodeVersionProblem(version: string, engines: string): string | undefined {
  if (!semver.validRange(engines) || !semver.valid(version) || semver.satisfies(version, engines)) {
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
