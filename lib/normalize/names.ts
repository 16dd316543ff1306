/**
 * Property, event and tag names: normalisation to lower-case snake case, time names and reserved names.
 */
import {
  COMBINING_MARKS_RE,
  NAME_MAX_LENGTH,
  NAME_MEMO_SIZE,
  NON_ASCII_RE,
  NORMALISED_NAME_RE,
  RESERVED_NAMES,
  RESERVED_RAW_NAMES,
  RESERVED_RAW_PREFIX,
  TIME_SUFFIXES,
} from './rules.js';

const UNDERSCORE = 95;

/** For each ASCII code, whether some time suffix ends with it: most names are ruled out by one lookup. */
const TIME_SUFFIX_LAST_CHARS = new Uint8Array(128);
for (const suffix of TIME_SUFFIXES) TIME_SUFFIX_LAST_CHARS[suffix.charCodeAt(suffix.length - 1)] = 1;
const LOWER_S = 115;

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether the upper-case letter at `i` starts a new word: after a lower-case letter or a digit
 * (`userRole`, `line2Text`), or as the last capital of an acronym followed by a word
 * (`HTMLParser`), except before a lone plural `s` (`userIDs`, `URLs`).
 */
function startsWord(s: string, i: number): boolean {
  const prev = s.charCodeAt(i - 1);
  if (isLower(prev) || isDigit(prev)) return true;
  if (!isUpper(prev)) return false;
  const next = s.charCodeAt(i + 1);
  if (!isLower(next)) return false;
  return !(next === LOWER_S && !isLower(s.charCodeAt(i + 2)));
}

/**
 * Recent conversions of short names that are not already normalised: the same few names come in
 * every request, so the hot path is one lookup. Bounded; cleared when full.
 */
const nameMemo = new Map<string, string>();

/**
 * Normalises `raw` but stops one character past {@link NAME_MAX_LENGTH}, so the caller can tell
 * that the name was too long. Never starts or ends with `_`.
 *
 * @example
 * normalizeNameUncapped('userRole')       // 'user_role'
 * normalizeNameUncapped('a'.repeat(500))  // 'a'.repeat(129): one past the cap
 */
export function normalizeNameUncapped(raw: string): string {
  if (raw.length > NAME_MAX_LENGTH) return convertName(raw);
  if (NORMALISED_NAME_RE.test(raw)) return raw;
  let name = nameMemo.get(raw);
  if (name === undefined) {
    if (nameMemo.size >= NAME_MEMO_SIZE) nameMemo.clear();
    name = convertName(raw);
    nameMemo.set(raw, name);
  }
  return name;
}

/** The conversion itself: one pass over the characters, stopping past the cap. */
function convertName(raw: string): string {
  const source = NON_ASCII_RE.test(raw) ? raw.normalize('NFKD').replace(COMBINING_MARKS_RE, '') : raw;
  let out = '';
  let gap = false;
  for (let i = 0; i < source.length && out.length <= NAME_MAX_LENGTH; i++) {
    const c = source.charCodeAt(i);
    if (isLower(c) || isDigit(c)) {
      if (gap && out.length > 0) out += '_';
      out += source[i];
    } else if (isUpper(c)) {
      if ((gap || startsWord(source, i)) && out.length > 0) out += '_';
      out += String.fromCharCode(c + 32);
    } else {
      gap = true;
      continue;
    }
    gap = false;
  }
  return out;
}

/**
 * Cuts an uncapped normalised name to {@link NAME_MAX_LENGTH}, without a trailing `_`.
 *
 * @example
 * capName('plan')                             // 'plan'
 * capName(`${'a'.repeat(127)}_b`)             // 'a'.repeat(127)
 */
export function capName(name: string): string {
  if (name.length <= NAME_MAX_LENGTH) return name;
  let end = NAME_MAX_LENGTH;
  while (end > 0 && name.charCodeAt(end - 1) === UNDERSCORE) end--;
  return name.slice(0, end);
}

/**
 * Normalises a property, event or tag name to lower-case snake case: word boundaries
 * (camelCase, PascalCase, acronyms) become `_`, any run of characters outside `[a-z0-9]`
 * becomes one `_`, leading and trailing `_` are trimmed, accents are folded to ASCII, and the
 * result is cut to 128 characters. Returns `''` when nothing is left.
 *
 * @example
 * normalizeName('userRole')               // 'user_role'
 * normalizeName('Feature Announcements!') // 'feature_announcements'
 * normalizeName('HTMLParser')             // 'html_parser'
 * normalizeName('userIDs')                // 'user_ids'
 * normalizeName('!!!')                    // ''
 */
export function normalizeName(raw: string): string {
  return capName(normalizeNameUncapped(raw));
}

/**
 * Whether a normalised name holds a time (ends in `_at`, `_on`, `_date` or `_time`), so that
 * Unix seconds stored under it become dates.
 *
 * @example
 * isTimeName('last_seen_at') // true
 * isTimeName('format')       // false
 */
export function isTimeName(name: string): boolean {
  if (TIME_SUFFIX_LAST_CHARS[name.charCodeAt(name.length - 1)] !== 1) return false;
  for (let i = 0; i < TIME_SUFFIXES.length; i++) {
    if (name.endsWith(TIME_SUFFIXES[i] as string)) return true;
  }
  return false;
}

/**
 * Whether a raw name (before normalising) is reserved: it starts with `$` (a MongoDB operator
 * such as `$set` must not quietly become `set`) or is `__proto__`.
 *
 * @example
 * isReservedRawName('$where')    // true
 * isReservedRawName('__proto__') // true
 * isReservedRawName('plan')      // false
 */
export function isReservedRawName(raw: string): boolean {
  return raw.startsWith(RESERVED_RAW_PREFIX) || RESERVED_RAW_NAMES.has(raw);
}

/**
 * Whether a normalised name is reserved (`id`, `_id`, `created_at`, `updated_at`).
 *
 * @example
 * isReservedName('created_at') // true
 * isReservedName('plan')       // false
 */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}
