/**
 * How the tools and tests start npm: the npm CLI script under this Node.js when one is found, else `npm` from
 * PATH, as a person would type it. Under `npm run`/`npm test` that is the very npm that started us
 * (`npm_execpath`), so a child runs with the same npm and the same Node.js.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** npm's CLI script: the one that started this process, the one shipped beside this Node.js, or PATH's `npm`. */
export function npmCliScript(): string | undefined {
  const onPath = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "npm"))
    .find((file) => fs.existsSync(file));
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
    // A global install links `npm` to its script.
    onPath && fs.realpathSync(onPath),
  ];
  return candidates.find((c): c is string => !!c && /npm-cli\.js$/.test(c) && fs.existsSync(c));
}

/** `[command, leading arguments]` that start npm. */
export function npmCommand(): [string, string[]] {
  const cli = npmCliScript();
  return cli ? [process.execPath, [cli]] : ["npm", []];
}
