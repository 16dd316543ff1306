/**
 * Shared fixtures of the verify tests: a fixed clock, secrets, and signed Chameleon webhook bodies.
 */
import { signPayload } from '../../../lib/signature/index.js';

/** The fixed "now" of every verify test. */
export const NOW = new Date('2024-05-01T12:00:00.000Z');
export const SECRET = 'whsec_current_0123456789abcdef';
export const OLD_SECRET = 'whsec_previous_fedcba9876543210';
export const WEBHOOK_ID = '5f3c4232c712de665632a2a3';

/** `NOW` shifted by `seconds` (negative = in the past), as an ISO-8601 UTC string. */
export function sentAt(seconds: number): string {
  return new Date(NOW.getTime() + seconds * 1000).toISOString();
}

/** A webhook body as sent on the wire; `fields` override or (with `undefined`) remove fields. */
export function webhookBody(fields: Record<string, unknown> = {}): string {
  const body: Record<string, unknown> = {
    id: WEBHOOK_ID,
    kind: 'tour.completed',
    sent_at: sentAt(0),
    data: { tour: { name: 'Onboarding — Zoë 🦎' }, profile: { uid: 'u-1' } },
    ...fields,
  };
  return JSON.stringify(body);
}

/** The headers Chameleon sends with `body`, signed with `secret`. */
export function signedHeaders(body: string | Buffer, secret = SECRET): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-chameleon-id': WEBHOOK_ID,
    'x-chameleon-signature': signPayload(body, secret),
  };
}
