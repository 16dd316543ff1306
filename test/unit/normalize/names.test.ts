import { describe, it, expect } from 'vitest';
import {
  capName,
  isReservedName,
  isReservedRawName,
  isTimeName,
  normalizeName,
  normalizeNameUncapped,
} from '../../../lib/normalize/names.js';

describe('normalizeName', () => {
  it.each([
    // SPEC section 4
    ['user-role', 'user_role'],
    ['userRole', 'user_role'],
    ['UserRole', 'user_role'],
    ['user role', 'user_role'],
    ['Imported Leads', 'imported_leads'],
    ['ImportedLeads', 'imported_leads'],
    ['imported-leads', 'imported_leads'],
    ['Feature Announcements!', 'feature_announcements'],
    // acronyms
    ['HTMLParser', 'html_parser'],
    ['userID', 'user_id'],
    ['userIDs', 'user_ids'],
    ['URLs', 'urls'],
    ['getHTTPResponseCode', 'get_http_response_code'],
    ['APIKey', 'api_key'],
    ['ID', 'id'],
    // digits
    ['line2Text', 'line2_text'],
    ['address2', 'address2'],
    ['ABC123', 'abc123'],
    ['2fa_enabled', '2fa_enabled'],
    // separators
    ['a__b', 'a_b'],
    ['__a--b__', 'a_b'],
    ['  plan  ', 'plan'],
    ['a.b', 'a_b'],
    ['a b\tc\nd', 'a_b_c_d'],
    ['$set', 'set'],
    ['__proto__', 'proto'],
    ['_id', 'id'],
    // non-ASCII
    ['Café Crème', 'cafe_creme'],
    ['ﬁle', 'file'],
    ['名前', ''],
    // nothing left
    ['', ''],
    ['!!!', ''],
    ['___', ''],
    // already normalised
    ['user_role', 'user_role'],
    ['42', '42'],
  ])('should normalise %j to %j', (raw, expected) => {
    expect(normalizeName(raw)).toBe(expected);
  });

  it('should cap names at 128 characters', () => {
    expect(normalizeName('a'.repeat(300))).toBe('a'.repeat(128));
  });

  it('should not end a capped name with an underscore', () => {
    const raw = `${'a'.repeat(127)}-bcd`;
    expect(normalizeName(raw)).toBe('a'.repeat(127));
  });

  it('should keep a name of exactly 128 characters whole', () => {
    const raw = `${'a'.repeat(64)}B${'c'.repeat(62)}`;
    expect(normalizeName(raw)).toBe(`${'a'.repeat(64)}_b${'c'.repeat(62)}`);
  });

  it('should always produce names of lower-case letters, digits and inner underscores', () => {
    const samples = ['$where', 'a.b.c', 'X-Y_Z', ' \u0000weird\u202Ename ', 'constructor', 'Ünïcödé Nâmé'];
    for (const raw of samples) {
      expect(normalizeName(raw)).toMatch(/^(?:[a-z0-9]+(?:_[a-z0-9]+)*)?$/);
    }
  });
});

describe('normalizeName memo', () => {
  it('should give the same answers before and after its memo fills up and is cleared', () => {
    const before = normalizeName('UserRole');
    for (let i = 0; i < 10_000; i++) expect(normalizeName(`Name${i}X`)).toBe(`name${i}_x`);
    expect(normalizeName('UserRole')).toBe(before);
    expect(before).toBe('user_role');
  });
});

describe('normalizeNameUncapped and capName', () => {
  it('should stop one character past the cap so callers can tell a name was cut', () => {
    const uncapped = normalizeNameUncapped('a'.repeat(10_000));
    expect(uncapped).toHaveLength(129);
    expect(capName(uncapped)).toHaveLength(128);
  });

  it('should return a short name unchanged from capName', () => {
    expect(capName('plan')).toBe('plan');
  });
});

describe('isTimeName', () => {
  it.each([
    ['last_seen_at', true],
    ['trial_ends_on', true],
    ['renewal_date', true],
    ['start_time', true],
    ['format', false],
    ['cat', false],
    ['date', false],
    ['timeout', false],
    ['at_home', false],
  ])('should say %j is a time name: %s', (name, expected) => {
    expect(isTimeName(name)).toBe(expected);
  });
});

describe('reserved names', () => {
  it.each([
    ['$set', true],
    ['$where', true],
    ['$', true],
    ['__proto__', true],
    ['set', false],
    ['proto', false],
    ['a$b', false],
  ])('should say raw name %j is reserved: %s', (raw, expected) => {
    expect(isReservedRawName(raw)).toBe(expected);
  });

  it.each([
    ['id', true],
    ['_id', true],
    ['created_at', true],
    ['updated_at', true],
    ['uid', false],
    ['identity', false],
    ['created', false],
  ])('should say normalised name %j is reserved: %s', (name, expected) => {
    expect(isReservedName(name)).toBe(expected);
  });
});
