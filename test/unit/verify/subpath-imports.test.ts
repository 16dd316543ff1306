// Checks that `chameleon-hooks/verify` loads without MongoDB or Agenda: lib/verify reaches only lib/signature, node: builtins and express types.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ENTRY = resolve(ROOT, 'lib/verify/index.ts');
const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

interface Edge {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

/** Every import and re-export reachable from `entry`, following relative paths (`.js` → `.ts`). */
function reachableImports(entry: string): { files: Set<string>; edges: Edge[] } {
  const files = new Set<string>();
  const edges: Edge[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[3] as string;
      edges.push({ file: relative(ROOT, file), specifier, typeOnly: match[2] !== undefined });
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
    }
  }
  return { files, edges };
}

describe('the chameleon-hooks/verify entry', () => {
  const { files, edges } = reachableImports(ENTRY);

  it('should reach only files under lib/verify and lib/signature', () => {
    const outside = [...files].map((f) => relative(ROOT, f)).filter((f) => !/^lib\/(verify|signature)\//.test(f));
    expect(outside).toEqual([]);
    expect(files.size).toBeGreaterThan(5);
  });

  it('should import nothing but node: builtins at run time, and express for types only', () => {
    const external = edges.filter((e) => !e.specifier.startsWith('.'));
    expect(external.filter((e) => !e.specifier.startsWith('node:') && !(e.specifier === 'express' && e.typeOnly))).toEqual([]);
  });

  it('should load and expose the documented exports', async () => {
    const verify = await import('../../../lib/verify/index.js');
    expect(Object.keys(verify).sort()).toEqual(
      [
        'ID_HEADER',
        'InvalidVerifyOptionError',
        'RawBodyError',
        'SIGNATURE_HEADER',
        'STANDARD_HEADERS',
        'VERIFY_DEFAULTS',
        'WebhookVerificationError',
        'signPayload',
        'standardSecret',
        'verifyChameleonWebhook',
        'verifyStandardSignature',
        'verifySignature',
        'verifyWebhook',
      ].sort(),
    );
  });
});
