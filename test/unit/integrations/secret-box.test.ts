// Tests for lib/integrations/secret-box.ts: AES-256-GCM sealing of stored integration secrets, bound to their place.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealed, openSecret, sealSecret } from '../../../lib/integrations/secret-box.js';
import { ChameleonError } from '../../../lib/errors.js';

const KEY = randomBytes(32);
const CONTEXT = 'acme|customerio|api_key';

describe('sealSecret / openSecret', () => {
  it('should round-trip a secret and never store it in clear', () => {
    const stored = sealSecret('sk_live_secret_value', KEY, CONTEXT);
    expect(isSealed(stored)).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('sk_live_secret_value');
    expect(openSecret(stored, KEY, CONTEXT)).toBe('sk_live_secret_value');
  });

  it('should use a fresh IV each time (the same secret seals differently)', () => {
    const a = sealSecret('same', KEY, CONTEXT);
    const b = sealSecret('same', KEY, CONTEXT);
    expect(a).not.toEqual(b);
  });

  it('should keep the secret in clear without a key', () => {
    const stored = sealSecret('plain', undefined, CONTEXT);
    expect(stored).toEqual({ alg: 'none', value: 'plain' });
    expect(isSealed(stored)).toBe(false);
    expect(openSecret(stored, undefined, CONTEXT)).toBe('plain');
  });

  it.each([
    ['another key', () => openSecret(sealSecret('s', KEY, CONTEXT), randomBytes(32), CONTEXT)],
    ['no key', () => openSecret(sealSecret('s', KEY, CONTEXT), undefined, CONTEXT)],
    ['another account (copied ciphertext)', () => openSecret(sealSecret('s', KEY, CONTEXT), KEY, 'globex|customerio|api_key')],
    ['another field', () => openSecret(sealSecret('s', KEY, CONTEXT), KEY, 'acme|customerio|webhook_signing_key')],
    ['an altered ciphertext', () => {
      const stored = sealSecret('secret', KEY, CONTEXT) as { alg: 'aes-256-gcm'; iv: string; tag: string; data: string };
      const data = Buffer.from(stored.data, 'base64');
      data[0] = data[0]! ^ 1;
      return openSecret({ ...stored, data: data.toString('base64') }, KEY, CONTEXT);
    }],
  ])('should refuse to open with %s, without revealing anything', (_name, open) => {
    let caught: unknown;
    try {
      open();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ChameleonError);
    expect((caught as ChameleonError).message).not.toMatch(/secret$/);
  });
});
