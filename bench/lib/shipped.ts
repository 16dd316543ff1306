/**
 * The package as its users run it: the JavaScript that `npm run build` compiles into `dist/`
 * (what `npm install chameleon-hooks` ships), not the TypeScript source run through tsx. tsx's
 * transform wraps every function created at run time in a naming helper, which costs each
 * request of a closure-heavy path a few microseconds that no user pays.
 *
 * `npm run bench` builds `dist/` first (bench/run.ts). Types still come from `lib/`: the import is
 * dynamic, so a typecheck does not need `dist/` to exist.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

/** The repository's root. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Imports a module of the built package by its path under `lib/` (e.g. `index.js`,
 * `http/json-body.js`), typed as that source module.
 * @throws Error when `dist/` has not been built.
 */
export async function shipped<T>(modulePath: string): Promise<T> {
  const file = join(ROOT, 'dist', modulePath);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm run bench does it first)`);
  return (await import(pathToFileURL(file).href)) as T;
}

/** Builds `dist/` with the project's own build script; throws when it fails. */
export function buildPackage(): void {
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${String(result.status ?? result.signal)})`);
}
