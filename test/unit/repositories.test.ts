// Tests that MongoDB is touched only inside repositories (issue 11 item 4): outside lib/delivery (whose own layout the
// delivery engine keeps), no module but a repository reaches a collection; runtime.ts only hands collections to them.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = fileURLToPath(new URL('../../lib/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Repositories (`*-repo.ts`, `repo.ts`, the account store), the collection registry and
 * connection, and the wiring that hands collections to repositories (`runtime.ts`, the batch
 * service's constructor, the CLI's `doctor` handing them to the backlog repository).
 */
function mayTouchCollections(file: string): boolean {
  return /(^|\/|-)repo\.ts$/.test(file) || ['accounts/account-store.ts', 'store/collections.ts', 'store/connection.ts', 'runtime.ts', 'batches/batch-service.ts', 'cli/doctor.ts'].includes(file);
}

/** A collection reached: `collections.get(…)`, `db.collection(…)`, or a raw `Collection` in a type. */
const TOUCH = /collections\.get\s*[<(]|\.collection\s*[<(]|\bCollection</;

describe('MongoDB only inside repositories', () => {
  const files = sources(lib).map((f) => relative(lib, f).replaceAll('\\', '/')).filter((f) => !f.startsWith('delivery/'));

  it('should find the package sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('should reach collections only from repositories', () => {
    // A collection handed straight to a repository's constructor (`new People(collections.get(…))`) is wiring too.
    const touches = (text: string): boolean => text.split('\n').some((line) => TOUCH.test(line.replace(/new \w+\(collections\.get\s*(<[^>]*>)?\([^)]*\)/g, '')));
    const offenders = files.filter((f) => !mayTouchCollections(f) && touches(readFileSync(join(lib, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
