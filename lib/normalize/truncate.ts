/**
 * Byte-limited truncation of strings: at most N bytes of UTF-8, never splitting a character.
 */

/**
 * The index (in UTF-16 code units) at which `value` must be cut to fit in `maxBytes` bytes of
 * UTF-8 without splitting a character, or `-1` when it already fits. Allocates nothing.
 * A lone surrogate counts as 3 bytes (it is encoded as U+FFFD).
 *
 * @example
 * utf8CutIndex('abc', 2)  // 2
 * utf8CutIndex('aé', 2)   // 1: 'é' takes 2 bytes
 * utf8CutIndex('abc', 3)  // -1
 */
export function utf8CutIndex(value: string, maxBytes: number): number {
  const length = value.length;
  if (length * 3 <= maxBytes) return -1;
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      size = 4;
      units = 2;
    } else size = 3;
    if (bytes + size > maxBytes) return i;
    bytes += size;
    i += units - 1;
  }
  return -1;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Truncates `value` to at most `maxBytes` bytes of UTF-8 without splitting a character
 * (a code point: multi-byte letters and surrogate pairs stay whole).
 *
 * @example
 * truncateUtf8('héllo', 2) // { value: 'h', truncated: true }
 * truncateUtf8('hello', 8) // { value: 'hello', truncated: false }
 */
export function truncateUtf8(value: string, maxBytes: number): { value: string; truncated: boolean } {
  const cut = utf8CutIndex(value, Math.max(0, maxBytes));
  return cut < 0 ? { value, truncated: false } : { value: value.slice(0, cut), truncated: true };
}

/**
 * Cuts `value` to at most `maxChars` UTF-16 code units without splitting a surrogate pair.
 *
 * @example
 * cutChars('abcdef', 3) // 'abc'
 * cutChars('a😀', 2)    // 'a'
 */
export function cutChars(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let end = Math.max(0, maxChars);
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return value.slice(0, end);
}
