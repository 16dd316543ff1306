/**
 * Waiting on a condition in tests: poll until it holds, or fail naming what was awaited. Used by
 * every test that waits on real processes, receivers or the database (no fixed sleeps).
 */

/** How {@link until} polls. */
export interface UntilOptions {
  /** Wait between polls, in ms. @defaultValue 20 */
  intervalMs?: number;
  /** Treat a poll that throws as "not yet" (e.g. while the database restarts). @defaultValue false */
  tolerateErrors?: boolean;
}

/** Polls `fn` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function until<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
  options: UntilOptions = {},
): Promise<T> {
  const { intervalMs = 20, tolerateErrors = false } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = tolerateErrors ? await Promise.resolve().then(fn).catch(() => undefined) : await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
