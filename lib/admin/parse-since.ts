/**
 * Parses the `since` of a replay: an ISO-8601 time, or unix seconds, not in the future and
 * not more than 30 days back (older webhooks are not kept for replay by default).
 */
import { ChameleonError } from '../errors.js';

/** The longest a replay may reach back. */
export const MAX_REPLAY_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** `since` as a Date, or a `422` explaining what is accepted. */
export function parseSince(value: unknown, now = new Date()): Date {
  let date: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value * 1000);
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) date = new Date(value);
  if (!date || Number.isNaN(date.getTime())) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`since` is required: an ISO-8601 time or unix seconds');
  }
  if (date.getTime() > now.getTime()) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`since` is in the future');
  if (now.getTime() - date.getTime() > MAX_REPLAY_AGE_MS) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`since` may be at most 30 days ago');
  return date;
}
