/**
 * Bundles the package's JSON Schema files (`schemas/`) into one OpenAPI `components.schemas` map:
 * each file becomes one component, and every `$ref` between files (`defs.json#/definitions/uid`,
 * `#/definitions/x`) is rewritten to point inside `#/components/schemas/…`. `$id` and `$schema` are
 * dropped so that the rewritten references resolve against the OpenAPI document itself.
 *
 * Hand-written: the references are plain relative file references inside one folder tree, and
 * bundlers (e.g. @apidevtools/json-schema-ref-parser) would inline or rename them unpredictably.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';

/** The package's `schemas/`, two levels above this module in `lib/` (sources) and `dist/` (built). */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** The component name of a schema file: `incoming/profile.json` → `incoming.profile`. */
export function componentName(file: string): string {
  return file.replace(/\.json$/, '').replace(/\//g, '.');
}

/** A `$ref` to a component, with an optional JSON pointer inside it. */
function componentRef(file: string, pointer: string): string {
  const name = componentName(file).replace(/~/g, '~0').replace(/\//g, '~1');
  return `#/components/schemas/${name}${pointer}`;
}

/**
 * Loads `files` (paths relative to `schemas/`) and every file they reference, and returns the
 * components, keyed by {@link componentName}.
 */
export function bundleSchemas(files: readonly string[]): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const name = componentName(file);
    if (name in components) continue;
    const schema = JSON.parse(readFileSync(`${SCHEMAS_DIR}${file}`, 'utf8')) as unknown;
    components[name] = rewrite(schema, file, (referenced) => queue.push(referenced));
  }
  return components;
}

/** Copies `node` with its references rewritten; `found` is told of every other file referenced. */
function rewrite(node: unknown, file: string, found: (file: string) => void): unknown {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, file, found));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id' || key === '$schema') continue;
    if (key === '$ref' && typeof value === 'string') {
      const [target = '', pointer = ''] = value.split('#', 2);
      const targetFile = target === '' ? file : posix.normalize(posix.join(posix.dirname(file), target));
      if (targetFile !== file) found(targetFile);
      out.$ref = componentRef(targetFile, pointer);
      continue;
    }
    out[key] = rewrite(value, file, found);
  }
  return out;
}
