/**
 * Durations for people, as shown in reasons and logs (e.g. why an endpoint was disabled).
 */

const UNITS: ReadonlyArray<readonly [number, string, string]> = [
  [24 * 60 * 60 * 1000, 'day', 'days'],
  [60 * 60 * 1000, 'h', 'h'],
  [60 * 1000, 'min', 'min'],
  [1000, 's', 's'],
];

/**
 * A duration in the largest unit it fills, with at most one decimal.
 *
 * @example
 * formatDuration(500)               // '500 ms'
 * formatDuration(90_000)            // '1.5 min'
 * formatDuration(5 * 86_400_000)    // '5 days'
 * formatDuration(86_400_000)        // '1 day'
 */
export function formatDuration(ms: number): string {
  for (const [size, one, many] of UNITS) {
    if (ms >= size) {
      const value = Math.round((ms / size) * 10) / 10;
      return `${value} ${value === 1 ? one : many}`;
    }
  }
  return `${Math.round(ms)} ms`;
}
