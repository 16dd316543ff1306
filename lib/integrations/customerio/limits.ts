/**
 * Customer.io's documented size limits, applied before sending: an event name of at most 100
 * bytes, and event data of at most 100,000 bytes, trimmed (largest fields first) with a warning
 * rather than refused.
 */
import { TRACK_LIMITS } from './config.js';

/** Data that fits, and what was trimmed to make it fit. */
export interface FittedData {
  data: Record<string, unknown>;
  warnings: string[];
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** `text` cut to at most `max` UTF-8 bytes, on a character boundary. */
export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = Buffer.from(text, 'utf8').subarray(0, Math.max(0, max)).toString('utf8');
  // A cut inside a multi-byte character leaves U+FFFD: drop it.
  while (out.endsWith('\uFFFD') || Buffer.byteLength(out, 'utf8') > max) out = out.slice(0, -1);
  return out;
}

/**
 * Trims `data` to at most `maxBytes` of JSON: repeatedly the largest top-level field, a string
 * cut short (ending in `…`), anything else replaced by a note of its size.
 *
 * @example
 * fitData({ url: 'x'.repeat(200_000), tour_id: 'a' }).warnings
 * // ['data.url was trimmed from 200008 to … bytes to fit Customer.io's 100000-byte limit']
 */
export function fitData(data: Record<string, unknown>, maxBytes: number = TRACK_LIMITS.dataBytes): FittedData {
  const out: Record<string, unknown> = { ...data };
  const warnings: string[] = [];
  for (let round = 0; round < 100; round++) {
    const total = bytes(out);
    if (total <= maxBytes) break;
    const [field, size] = Object.keys(out)
      .map((k) => [k, bytes(out[k])] as const)
      .reduce((a, b) => (b[1] > a[1] ? b : a));
    const excess = total - maxBytes;
    const value = out[field];
    if (typeof value === 'string' && size - excess > 64) {
      // JSON escapes make the encoded string longer than its bytes: cut in proportion.
      const target = Math.floor(((size - excess - 8) * Buffer.byteLength(value, 'utf8')) / size);
      out[field] = `${cutToBytes(value, target)}…`;
    } else {
      out[field] = `[trimmed: ${size} bytes]`;
    }
    warnings.push(`data.${field} was trimmed from ${size} to ${bytes(out[field])} bytes to fit Customer.io's ${maxBytes}-byte limit`);
  }
  return { data: out, warnings };
}
