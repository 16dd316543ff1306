/**
 * The names of the HTTP headers that carry a webhook's signature and id (SPEC section 5).
 */

/** The header holding the lower-case hex HMAC-SHA256 of the raw body (lower-cased, as Node exposes it). */
export const SIGNATURE_HEADER = 'x-chameleon-signature';

/** The header holding the webhook's 24-hex id, the same on every attempt (lower-cased, as Node exposes it). */
export const ID_HEADER = 'x-chameleon-id';
