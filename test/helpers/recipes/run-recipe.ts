/**
 * Runs a receiver recipe (Python, Ruby) as a child process on exact body bytes, for byte-for-byte agreement tests.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a recipe computed: the signature it expects, and whether the received one verified. */
export interface RecipeResult {
  expected: string;
  verified: boolean;
}

/** The interpreters with a recipe here, and their scripts. */
const RECIPES = {
  python3: fileURLToPath(new URL('./python-hmac.py', import.meta.url)),
  ruby: fileURLToPath(new URL('./rails-hmac.rb', import.meta.url)),
} as const;

/** True when `command` runs on this machine (e.g. `ruby` may be absent). */
export function hasCommand(command: string): boolean {
  const probe = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Runs the `interpreter`'s recipe on `body` with `secret`, checking `signature`.
 * The secret travels hex-encoded so non-ASCII secrets reach the recipe intact.
 */
export function runRecipe(
  interpreter: keyof typeof RECIPES,
  body: Uint8Array,
  secret: string,
  signature: string,
): RecipeResult {
  const run = spawnSync(interpreter, [RECIPES[interpreter], signature], {
    input: body,
    env: { ...process.env, RECIPE_SECRET_HEX: Buffer.from(secret, 'utf8').toString('hex') },
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${interpreter} recipe failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as RecipeResult;
}
