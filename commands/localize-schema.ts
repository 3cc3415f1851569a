/**
 * A chart's values schema made self-contained, for a chart mirror of a private environment:
 * `node --require ./runtime/transpile.ts commands/localize-schema.ts <values.schema.json> <definitions.json> <out>`.
 *
 * The nginx-ingress chart's values.schema.json `$ref`s Kubernetes definitions by URL
 * (`https://raw.githubusercontent.com/.../_definitions.json#/definitions/<name>`). Helm compiles the schema before
 * it renders the chart, and its compiler loads every referenced document over HTTP (helm v3.20
 * pkg/chartutil/jsonschema.go with santhosh-tekuri/jsonschema v6, which compiles all references eagerly), so an
 * install fails where that host is unreachable; pulumi-kubernetes' helm.v3.Release cannot skip the validation.
 * This copies the definitions the schema uses (and the ones they use) into the schema's own `$defs` and points
 * every reference there; validation is unchanged. `definitions.json` is the file those URLs name, fetched once on
 * a machine with access. docs/deploy.md ("Private environments") has the whole repackaging.
 */
import * as fs from "node:fs";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: Json): v is { [key: string]: Json } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * `<document URL>#/definitions/<name>[/<pointer into it>]` of a remote reference, or undefined for a local one.
 * Definition names (`io.k8s.api.core.v1.Affinity`) hold no `/`.
 */
function remoteDefinition(ref: string): { url: string; name: string; rest: string } | undefined {
  const m = /^(https?:\/\/[^#]+)#\/definitions\/([^/]+)(\/.*)?$/.exec(ref);
  return m ? { url: m[1], name: m[2], rest: m[3] ?? "" } : undefined;
}

/** Rewrites `$ref`s in place with `rewrite`; returns the refs it saw. */
function walkRefs(node: Json, rewrite: (ref: string) => string): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walkRefs(n, rewrite));
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        node[key] = rewrite(value);
      } else {
        walkRefs(value, rewrite);
      }
    }
  }
}

export interface Localized {
  schema: Json;
  /** The remote documents the schema referred to. */
  documents: string[];
  /** The definitions copied in. */
  copied: string[];
}

/**
 * The schema with every remote `#/definitions/<name>` reference pointed at `#/$defs/<name>`, and those definitions
 * (with the ones they reference, which refer to each other as `#/definitions/<name>`) copied under `$defs`.
 */
export function localizeSchema(schema: Json, definitions: Json): Localized {
  const out = structuredClone(schema);
  if (!isObject(out) || !isObject(definitions) || !isObject(definitions.definitions ?? null)) {
    throw new Error("expected a schema object and a definitions document with a `definitions` map");
  }
  const all = definitions.definitions as { [key: string]: Json };
  const documents = new Set<string>();
  const wanted: string[] = [];
  walkRefs(out, (ref) => {
    const remote = remoteDefinition(ref);
    if (!remote) {
      if (/^https?:/.test(ref)) throw new Error(`a remote $ref this tool does not handle: ${ref}`);
      return ref;
    }
    documents.add(remote.url);
    wanted.push(remote.name);
    return `#/$defs/${remote.name}${remote.rest}`;
  });
  if (documents.size > 1) {
    throw new Error(`the schema refers to more than one remote document: ${[...documents].join(", ")}`);
  }
  const defs: { [key: string]: Json } = isObject(out.$defs ?? null)
    ? (out.$defs as { [key: string]: Json })
    : {};
  const queue = [...new Set(wanted)];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (name in defs) continue;
    if (!(name in all)) throw new Error(`definition ${name} is not in the definitions document`);
    const copy = structuredClone(all[name]);
    walkRefs(copy, (ref) => {
      const local = /^#\/definitions\/([^/]+)(\/.*)?$/.exec(ref);
      if (!local) throw new Error(`definition ${name} has a $ref this tool does not handle: ${ref}`);
      queue.push(local[1]);
      return `#/$defs/${local[1]}${local[2] ?? ""}`;
    });
    defs[name] = copy;
  }
  out.$defs = defs;
  return { schema: out, documents: [...documents], copied: Object.keys(defs).sort() };
}

if (require.main === module) {
  const [schemaFile, definitionsFile, outFile] = process.argv.slice(2);
  if (!schemaFile || !definitionsFile || !outFile) {
    console.error("usage: localize-schema.ts <values.schema.json> <definitions.json> <out>");
    process.exit(2);
  }
  const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8")) as Json;
  const result = localizeSchema(read(schemaFile), read(definitionsFile));
  fs.writeFileSync(outFile, `${JSON.stringify(result.schema, null, 2)}\n`);
  console.log(
    `${outFile}: ${result.copied.length} definitions copied from ${result.documents.join(", ") || "nothing (no remote $ref)"}`,
  );
}
