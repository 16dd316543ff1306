// Tests for lib/signature/verify-signature.ts: round trips, normalisation, malformed input and secret rotation.
import { describe, it, expect } from 'vitest';
import { signPayload, verifySignature } from '../../../lib/signature/index.js';

const SECRET = 'current-secret-0123456789';
const OLD_SECRET = 'previous-secret-9876543210';
const BODY = '{"id":"5f3c4232c712de665632a2a3","kind":"ping","sent_at":"2024-05-01T12:00:00.000Z","data":{}}';

describe('verifySignature', () => {
  it('should accept the signature signPayload made (round trip)', () => {
    expect(verifySignature(BODY, signPayload(BODY, SECRET), SECRET)).toBe(true);
    expect(verifySignature(Buffer.from(BODY), signPayload(BODY, SECRET), SECRET)).toBe(true);
  });

  it('should reject a tampered body', () => {
    const signature = signPayload(BODY, SECRET);
    expect(verifySignature(BODY.replace('ping', 'pong'), signature, SECRET)).toBe(false);
    expect(verifySignature(`${BODY}\n`, signature, SECRET)).toBe(false);
  });

  it('should reject a tampered signature', () => {
    const signature = signPayload(BODY, SECRET);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    expect(verifySignature(BODY, flipped, SECRET)).toBe(false);
  });

  it('should reject a signature made with another secret', () => {
    expect(verifySignature(BODY, signPayload(BODY, 'another-secret'), SECRET)).toBe(false);
  });

  it('should tolerate surrounding whitespace and upper-case hex', () => {
    const signature = signPayload(BODY, SECRET);
    expect(verifySignature(BODY, `  ${signature.toUpperCase()}\t\n`, SECRET)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', 'ab'.repeat(31)],
    ['one hex digit short', 'a'.repeat(63)],
    ['too long', 'a'.repeat(65)],
    ['non-hex', 'z'.repeat(64)],
    ['prefixed', `sha256=${'a'.repeat(64)}`],
    ['inner whitespace', `${'a'.repeat(32)} ${'a'.repeat(32)}`],
  ])('should return false, without throwing, for a %s signature', (_label, signature) => {
    expect(() => verifySignature(BODY, signature, SECRET)).not.toThrow();
    expect(verifySignature(BODY, signature, SECRET)).toBe(false);
  });

  it('should return false for a valid signature with a non-hex character appended or prepended', () => {
    const signature = signPayload(BODY, SECRET);
    expect(verifySignature(BODY, `${signature}g`, SECRET)).toBe(false);
    expect(verifySignature(BODY, `x${signature}`, SECRET)).toBe(false);
  });

  it.each([[undefined], [null]])('should return false for a missing (%s) signature', (signature) => {
    expect(verifySignature(BODY, signature, SECRET)).toBe(false);
  });

  it('should accept a body signed with any secret of the list (rotation)', () => {
    expect(verifySignature(BODY, signPayload(BODY, OLD_SECRET), [SECRET, OLD_SECRET])).toBe(true);
    expect(verifySignature(BODY, signPayload(BODY, SECRET), [SECRET, OLD_SECRET])).toBe(true);
    expect(verifySignature(BODY, signPayload(BODY, 'retired'), [SECRET, OLD_SECRET])).toBe(false);
  });

  it('should return false for an empty list of secrets, and ignore empty secrets', () => {
    expect(verifySignature(BODY, signPayload(BODY, SECRET), [])).toBe(false);
    expect(verifySignature(BODY, signPayload(BODY, SECRET), ['', SECRET])).toBe(true);
  });

  it('should return false for a body that is not a string or bytes', () => {
    expect(verifySignature({} as unknown as string, signPayload('{}', SECRET), SECRET)).toBe(false);
  });
});
