// Tests for lib/signature/sign-payload.ts: hex HMAC-SHA256 over the exact bytes, against independent vectors.
import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { signPayload } from '../../../lib/signature/index.js';

const SECRET = 'whsec_tést-🔑';
const BODY =
  '{"id":"5f3c4232c712de665632a2a3","kind":"ping","sent_at":"2024-05-01T12:00:00.000Z","data":{"name":"Zoë 日本 \u2028"}}';

/** HMAC-SHA256 computed by the `openssl` command line, independently of Node. */
function opensslHmac(body: string, key: string): string {
  const run = spawnSync('openssl', ['dgst', '-sha256', '-hmac', key], { input: Buffer.from(body, 'utf8'), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl failed: ${run.stderr}`);
  const match = /([0-9a-f]{64})\s*$/.exec(run.stdout);
  if (!match?.[1]) throw new Error(`unexpected openssl output: ${run.stdout}`);
  return match[1];
}

describe('signPayload', () => {
  it('should match the RFC 4231 HMAC-SHA256 test vector (case 2)', () => {
    expect(signPayload('what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('should match a vector computed with Python for a non-ASCII secret and body', () => {
    // python3: hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha256).hexdigest()
    expect(signPayload(BODY, SECRET)).toBe('7b5877c805d40d527323cca1537605e253d7185b6e35126e47aefdc82cb9de1b');
  });

  it('should agree with `openssl dgst -sha256 -hmac`', () => {
    expect(signPayload(BODY, 'plain-ascii-secret')).toBe(opensslHmac(BODY, 'plain-ascii-secret'));
    expect(signPayload(BODY, SECRET)).toBe(opensslHmac(BODY, SECRET));
  });

  it('should return 64 lower-case hex characters', () => {
    expect(signPayload('{}', 'secret')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should hash a string as its UTF-8 bytes, so string, Buffer and Uint8Array agree', () => {
    const bytes = Buffer.from(BODY, 'utf8');
    const view = new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(signPayload(bytes, SECRET)).toBe(signPayload(BODY, SECRET));
    expect(signPayload(view, SECRET)).toBe(signPayload(BODY, SECRET));
  });

  it('should hash only the bytes of a Uint8Array view, not its whole backing buffer', () => {
    const backing = Buffer.from('xx{"a":1}yy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 7);
    expect(signPayload(view, 'secret')).toBe(signPayload('{"a":1}', 'secret'));
  });

  it('should sign an empty body', () => {
    expect(signPayload('', 'key')).toBe('5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0');
  });

  it('should distinguish bodies that differ only in whitespace or key order', () => {
    expect(signPayload('{"a":1,"b":2}', 'k')).not.toBe(signPayload('{"a":1, "b":2}', 'k'));
    expect(signPayload('{"a":1,"b":2}', 'k')).not.toBe(signPayload('{"b":2,"a":1}', 'k'));
  });

  it.each([[''], [undefined], [42]])('should throw a TypeError for the secret %j', (secret) => {
    expect(() => signPayload('{}', secret as unknown as string)).toThrow(TypeError);
  });

  it('should throw a TypeError for a body that is not a string or bytes', () => {
    expect(() => signPayload({ a: 1 } as unknown as string, 'secret')).toThrow(TypeError);
  });
});
