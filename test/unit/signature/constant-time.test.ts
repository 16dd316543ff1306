// Tests that lib/signature compares in constant time: timingSafeEqual on equal-length digests, every secret, no early exit.
import type * as NodeCrypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, it, expect, vi } from 'vitest';
import { signPayload, verifySignature } from '../../../lib/signature/index.js';

// A pass-through spy: the real timingSafeEqual runs, the test only observes its arguments.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const spy = vi.mocked(timingSafeEqual);
const BODY = '{"id":"5f3c4232c712de665632a2a3","kind":"ping","sent_at":"2024-05-01T12:00:00.000Z","data":{}}';
const SECRETS = ['first-secret', 'second-secret', 'third-secret'];

/** Every call compared two 32-byte buffers. */
function expectEqualLengthDigests(): void {
  for (const [a, b] of spy.mock.calls) {
    expect(Buffer.isBuffer(a) || a instanceof Uint8Array).toBe(true);
    expect((a as Uint8Array).byteLength).toBe(32);
    expect((b as Uint8Array).byteLength).toBe(32);
  }
}

describe('verifySignature in constant time', () => {
  beforeEach(() => {
    spy.mockClear();
  });

  it('should compare with timingSafeEqual on two 32-byte digests', () => {
    expect(verifySignature(BODY, signPayload(BODY, 'first-secret'), 'first-secret')).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    expectEqualLengthDigests();
  });

  it.each([0, 1, 2])('should try every secret even when secret #%i matches (no early exit)', (index) => {
    expect(verifySignature(BODY, signPayload(BODY, SECRETS[index] as string), SECRETS)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(SECRETS.length);
    expectEqualLengthDigests();
    expect(spy.mock.results.map((r) => r.value)).toEqual(SECRETS.map((_, i) => i === index));
  });

  it('should try every secret when none matches', () => {
    expect(verifySignature(BODY, signPayload(BODY, 'unknown'), SECRETS)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(SECRETS.length);
    expectEqualLengthDigests();
  });

  it.each([
    ['wrong-length', 'abc123'],
    ['non-hex', 'z'.repeat(64)],
    ['over-long', 'a'.repeat(128)],
  ])('should still make the same equal-length comparisons for a %s signature', (_label, signature) => {
    expect(verifySignature(BODY, signature, SECRETS)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(SECRETS.length);
    expectEqualLengthDigests();
  });

  it('should compare the decoded digest bytes, not the hex text, after normalising case and whitespace', () => {
    const signature = signPayload(BODY, 'first-secret');
    expect(verifySignature(BODY, ` ${signature.toUpperCase()} `, 'first-secret')).toBe(true);
    const [, received] = spy.mock.calls[0] ?? [];
    expect(Buffer.from(received as Uint8Array).toString('hex')).toBe(signature);
  });
});
