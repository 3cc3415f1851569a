/**
 * The image settings of a Helm chart, for the facts file tests/fixtures/chart-images.json (which images each pinned
 * chart deploys, and through which values keys), without a copy of the chart in this repository.
 *
 *   node --require ./runtime/transpile.ts devtools/chart-images.ts <chart directory>
 *
 * prints `{ values, templates }`: every map called `image` in values.yaml with its keys and defaults, the
 * chart-wide `imageRegistry`/`imageNamespace` when it has them, and every template line that renders an image
 * (`image:` or an `-image=` flag) or pull secrets, with the values paths it reads. Which of them run with this
 * program's values (a WAF sidecar needs NGINX Plus, a webhook sidecar another DNS provider) is read from the
 * templates' conditions by hand, and the facts file says why each one left out is. Read the chart at its pinned
 * version into a scratch directory; never commit it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface ImageSetting {
  path: string;
  defaults: Record<string, unknown>;
}

export interface TemplateLine {
  file: string;
  line: number;
  text: string;
  values: string[];
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Every `image` map of a values tree, and the chart-wide image keys at the top. */
export function imageSettings(values: unknown): ImageSetting[] {
  const found: ImageSetting[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const at = prefix ? `${prefix}.${key}` : key;
      if (key === "image" && isMap(value)) {
        found.push({ path: at, defaults: value });
      } else if (!prefix && /^image(Registry|Namespace)$/.test(key)) {
        found.push({ path: at, defaults: { value } });
      }
      if (isMap(value)) {
        walk(value, at);
      }
    }
  };
  walk(isMap(values) ? values : {}, "");
  return found;
}

/** Template lines that render an image reference or image pull secrets. */
export function imageLines(file: string, text: string): TemplateLine[] {
  return text.split("\n").flatMap((line, i) =>
    /\bimage:|-image=|imagePullSecrets|image" \.|\.image\b/.test(line)
      ? [
          {
            file,
            line: i + 1,
            text: line.trim(),
            values: [...new Set([...line.matchAll(/\.Values\.([\w.]+)/g)].map((m) => m[1]))],
          },
        ]
      : [],
  );
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: chart-images.ts <chart directory>");
    process.exit(2);
  }
  const templates = path.join(dir, "templates");
  const lines = fs
    .readdirSync(templates)
    .filter((f) => /\.(ya?ml|tpl)$/.test(f) && !f.startsWith("crd-"))
    .sort()
    .flatMap((f) => imageLines(f, fs.readFileSync(path.join(templates, f), "utf8")));
  const values = imageSettings(parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")));
  console.log(JSON.stringify({ values, templates: lines }, null, 2));
}
