/**
 * `npm run check`: the type check and ESLint over one TypeScript program.
 *
 * typescript-eslint's type-aware rules need the whole program's types, so `eslint .` builds the same program that
 * `tsc --noEmit` builds, a second time (about half of each command's time). Here TypeScript builds it once from
 * tsconfig.json, reports its diagnostics as `tsc` would, and hands it to ESLint (`parserOptions.programs`), which
 * then lints every source file of the program with the project's eslint.config.mjs. `npm run typecheck` and
 * `npm run lint` stay for running one of the two alone.
 *
 *   node --require ./runtime/transpile.ts devtools/check.ts [--project tsconfig.json]
 *
 * Exit code 0 when both are clean, 1 when either found a problem (all of both are printed), 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ESLint } from "eslint";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

export interface TypeCheck {
  program: ts.Program;
  /** Every error and warning `tsc --noEmit -p <project>` would print, config-file problems included. */
  diagnostics: readonly ts.Diagnostic[];
}

/** Builds the program of a tsconfig file and collects what `tsc --noEmit` would report. */
export function typeCheck(project: string): TypeCheck {
  const configProblems: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(
    project,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configProblems.push(d) },
  );
  if (!parsed) {
    return {
      program: ts.createProgram({ rootNames: [], options: {} }),
      diagnostics: configProblems,
    };
  }
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
  });
  return {
    program,
    diagnostics: [...configProblems, ...ts.getPreEmitDiagnostics(program)],
  };
}

/** Diagnostics in tsc's plain format (`file(line,col): error TSxxxx: message`), paths relative to `cwd`. */
export function formatDiagnostics(diagnostics: readonly ts.Diagnostic[], cwd: string): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => cwd,
    getNewLine: () => "\n",
  });
}

/** A TypeScript source file (not a declaration file) by its name. */
const isSource = (file: string): boolean =>
  /\.(ts|tsx|mts|cts)$/.test(file) && !/\.d\.(ts|mts|cts)$/.test(file);

/**
 * The program's own source files that ESLint should see: not declaration files, not dependencies, not JSON
 * (resolveJsonModule puts package.json files in the program), and under `dir`.
 */
export function lintableFiles(program: ts.Program, dir: string): string[] {
  return program
    .getSourceFiles()
    .map((f) => path.resolve(f.fileName))
    .filter(
      (f) => f.startsWith(`${dir}${path.sep}`) && !f.split(path.sep).includes("node_modules") && isSource(f),
    )
    .sort();
}

/** The project's ESLint configuration, taking the program for type information instead of building its own. */
export function linterFor(program: ts.Program, dir: string): ESLint {
  return new ESLint({
    cwd: dir,
    overrideConfigFile: path.join(ROOT, "eslint.config.mjs"),
    overrideConfig: {
      languageOptions: { parserOptions: { programs: [program], projectService: false } },
    },
  });
}

/** Folders no source file of the project lives in. */
const NOT_SOURCE = new Set(["node_modules", ".git", "plan", "bin", "dist"]);

/**
 * TypeScript files under `dir` that ESLint would lint but the program does not hold: `eslint .` would lint them,
 * this command would not see them, so they are reported (add them to tsconfig.json's `include`).
 */
export async function filesOutsideProgram(
  program: ts.Program,
  dir: string,
  eslint: ESLint,
): Promise<string[]> {
  const inProgram = new Set(lintableFiles(program, dir));
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && !NOT_SOURCE.has(entry.name)) walk(full);
      else if (entry.isFile() && isSource(entry.name)) found.push(full);
    }
  };
  walk(dir);
  const missing: string[] = [];
  for (const file of found.sort()) {
    if (!inProgram.has(file) && !(await eslint.isPathIgnored(file))) missing.push(file);
  }
  return missing;
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf("--project");
  if ((at >= 0 && !argv[at + 1]) || argv.some((a, i) => a.startsWith("-") && i !== at)) {
    process.stderr.write("usage: npm run check [-- --project tsconfig.json]\n");
    return 2;
  }
  const project = path.resolve(at >= 0 ? argv[at + 1] : path.join(ROOT, "tsconfig.json"));
  const dir = path.dirname(project);

  const checked = typeCheck(project);
  const errors = checked.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  if (checked.diagnostics.length) {
    process.stdout.write(formatDiagnostics(checked.diagnostics, process.cwd()));
  }
  const eslint = linterFor(checked.program, dir);
  const results = await eslint.lintFiles(lintableFiles(checked.program, dir));
  const formatter = await eslint.loadFormatter("stylish");
  const lintText = await formatter.format(results);
  if (lintText) {
    process.stdout.write(`${lintText}\n`);
  }
  const outside = await filesOutsideProgram(checked.program, dir, eslint);
  for (const file of outside) {
    process.stdout.write(
      `${path.relative(process.cwd(), file)}: not in the program of ${path.relative(process.cwd(), project)}, so neither type-checked nor linted: add it to "include"\n`,
    );
  }
  const lintErrors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0) + outside.length;
  const files = lintableFiles(checked.program, dir).length;
  process.stdout.write(
    `Type check: ${errors} error(s). ESLint: ${lintErrors} error(s) in ${files} file(s).\n`,
  );
  return errors || lintErrors ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
