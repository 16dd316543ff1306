// Tests that the README's "Error codes" table and the registry (lib/errors.ts ERROR_CODES) stay one list, and that
// every registered code is thrown somewhere in the package (issue 11 item 4; as fastify's errors test does).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode } from '../../lib/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The rows of the README table under "**Error codes.**": code → status. */
function readmeCodes(): Map<string, number> {
  const section = readme.slice(readme.indexOf('**Error codes.**'));
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| `(CH_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)) rows.set(match[1]!, Number(match[2]));
  return rows;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the README error codes table', () => {
  it('should list exactly the registry, with the same statuses', () => {
    expect(Object.fromEntries(readmeCodes())).toEqual({ ...ERROR_CODES });
  });

  it.each(Object.keys(ERROR_CODES) as ErrorCode[])('should have %s thrown somewhere in lib/', (code) => {
    // A use is the code as a string literal, as `new ChameleonError('CH_ERR_…', …)` or an error class passes it.
    const used = sources(join(root, 'lib')).some((file) => readFileSync(file, 'utf8').includes(`'${code}'`));
    expect(used, `${code} is registered but never thrown`).toBe(true);
  });
});
