// Byte-for-byte agreement of signPayload/verifySignature with the receivers' Node, Python and Rails recipes.
import { createHmac } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { signPayload, verifySignature } from '../../../lib/signature/index.js';
import { hasCommand, runRecipe } from '../../helpers/recipes/run-recipe.js';

const HAS_RUBY = hasCommand('ruby');
const SECRETS = ['whsec_0123456789abcdef', 'sécret-🔑-日本'];

/** Bodies as bytes on the wire: ASCII, non-ASCII UTF-8, raw U+2028/U+2029, escapes, CRLF, empty, invalid UTF-8. */
const BODIES: Array<[string, Buffer]> = [
  ['ASCII JSON', Buffer.from('{"id":"5f3c4232c712de665632a2a3","kind":"ping","sent_at":"2024-05-01T12:00:00.000Z","data":{}}')],
  ['non-ASCII UTF-8', Buffer.from(JSON.stringify({ id: 'x', kind: 'tour.completed', data: { name: 'Zoë — 日本語 🦎' } }))],
  ['a raw U+2028 and U+2029', Buffer.from(JSON.stringify({ data: { text: 'line\u2028separator\u2029paragraph' } }))],
  ['an escaped \\u2028', Buffer.from('{"data":{"text":"line\\u2028separator"}}')],
  ['pretty-printed with CRLF and a trailing newline', Buffer.from('{\r\n  "data": { "a": 1 }\r\n}\n')],
  ['empty', Buffer.alloc(0)],
  ['invalid UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d])],
];

/** The Node recipe receivers use. */
function nodeRecipe(rawBody: Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

describe.each(SECRETS)('the receivers’ recipes with secret %j', (secret) => {
  describe.each(BODIES)('on a body that is %s', (_label, body) => {
    const signature = signPayload(body, secret);

    it('should agree with the Node recipe', () => {
      expect(signature).toBe(nodeRecipe(body, secret));
      expect(verifySignature(body, nodeRecipe(body, secret), secret)).toBe(true);
    });

    it('should agree with the Python recipe (hmac.new + hmac.compare_digest)', () => {
      const python = runRecipe('python3', body, secret, signature);
      expect(python).toEqual({ expected: signature, verified: true });
      expect(verifySignature(body, python.expected, secret)).toBe(true);
      const tampered = Buffer.concat([body, Buffer.from(' ')]);
      expect(runRecipe('python3', tampered, secret, signature).verified).toBe(false);
    });

    it.skipIf(!HAS_RUBY)('should agree with the Rails recipe (OpenSSL::HMAC.hexdigest + secure_compare)', () => {
      const ruby = runRecipe('ruby', body, secret, signature);
      expect(ruby).toEqual({ expected: signature, verified: true });
      expect(verifySignature(body, ruby.expected, secret)).toBe(true);
    });
  });

  it('should sign a string body as the UTF-8 bytes the recipes receive', () => {
    const text = '{"data":{"name":"Zoë\u2028日本"}}';
    expect(signPayload(text, secret)).toBe(runRecipe('python3', Buffer.from(text, 'utf8'), secret, '').expected);
  });
});
