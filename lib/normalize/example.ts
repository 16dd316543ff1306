/**
 * Short, bounded previews of raw values for data warnings; never recurses past the preview's length.
 */
import { EXAMPLE_MAX_CHARS } from './rules.js';
import { cutChars } from './truncate.js';

interface Writer {
  parts: string[];
  length: number;
  max: number;
}

function emit(w: Writer, text: string): void {
  if (w.length >= w.max) return;
  w.parts.push(text);
  w.length += text.length;
}

function scalarText(value: unknown, max: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(cutChars(value, max));
    case 'undefined':
      return 'null';
    case 'function':
      return '[function]';
    case 'object':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      return 'null';
    default:
      return cutChars(String(value), max);
  }
}

/** Writes a JSON-like preview; every level writes at least one character, so depth is bounded by `max`. */
function write(w: Writer, value: unknown): void {
  if (w.length >= w.max) return;
  if (typeof value !== 'object' || value === null || value instanceof Date) {
    emit(w, scalarText(value, w.max));
    return;
  }
  if (Array.isArray(value)) {
    emit(w, '[');
    for (let i = 0; i < value.length && w.length < w.max; i++) {
      if (i > 0) emit(w, ',');
      write(w, value[i]);
    }
    emit(w, ']');
    return;
  }
  emit(w, '{');
  let first = true;
  for (const key in value) {
    if (w.length >= w.max) break;
    if (!Object.hasOwn(value, key)) continue;
    if (!first) emit(w, ',');
    first = false;
    emit(w, `${JSON.stringify(cutChars(key, w.max))}:`);
    write(w, (value as Record<string, unknown>)[key]);
  }
  emit(w, '}');
}

/**
 * A short example of a raw value for a data warning: strings as they are, anything else as
 * compact JSON; at most `max` characters. Safe on values nested 100,000 levels deep.
 *
 * @example
 * exampleOf('a long text')   // 'a long text'
 * exampleOf({ d: 1 })        // '{"d":1}'
 * exampleOf([[[[[[1]]]]]], 4) // '[[[['
 */
export function exampleOf(value: unknown, max: number = EXAMPLE_MAX_CHARS): string {
  if (typeof value === 'string') return cutChars(value, max);
  const w: Writer = { parts: [], length: 0, max };
  write(w, value);
  return cutChars(w.parts.join(''), max);
}
