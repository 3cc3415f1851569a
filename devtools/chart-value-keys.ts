/**
 * The key paths a Helm chart's values.yaml declares, for a test that checks our values against a chart without a
 * copy of the chart in this repository (tests/fixtures/alb-chart-values.keys.json).
 *
 *   node --require ./runtime/transpile.ts devtools/chart-value-keys.ts <values.yaml>
 *
 * prints `{ paths, openMaps }`: every key path (`serviceAccount.create`), and the paths whose default is an empty
 * map (`podAnnotations`, `podDisruptionBudget`): the chart copies those into a manifest as given, so any key below
 * them is the user's. Keys that appear only in comments are not declared and are not listed. Read the chart at the
 * pinned version into a scratch directory; never commit it.
 */
import * as fs from "node:fs";
import { parse } from "yaml";

export interface ChartValueKeys {
  paths: string[];
  openMaps: string[];
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function chartValueKeys(values: unknown): ChartValueKeys {
  const paths: string[] = [];
  const openMaps: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const at = prefix ? `${prefix}.${key}` : key;
      paths.push(at);
      if (isMap(value)) {
        if (Object.keys(value).length === 0) {
          openMaps.push(at);
        }
        walk(value, at);
      }
    }
  };
  walk(isMap(values) ? values : {}, "");
  return { paths: paths.sort(), openMaps: openMaps.sort() };
}

/**
 * The paths of `values` the chart does not declare: a path is known when the chart lists it, or when it lies below
 * one of the chart's open maps.
 */
export function undeclaredPaths(values: unknown, chart: ChartValueKeys): string[] {
  const ours = chartValueKeys(values).paths;
  return ours.filter(
    (p) => !chart.paths.includes(p) && !chart.openMaps.some((open) => p.startsWith(`${open}.`)),
  );
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: chart-value-keys.ts <values.yaml>");
    process.exit(2);
  }
  console.log(JSON.stringify(chartValueKeys(parse(fs.readFileSync(file, "utf8"))), null, 2));
}
