/**
 * Parses the `since` of a replay: an ISO-8601 time, or unix seconds, not in the future and
 * not further back than webhooks are kept (`delivery.retentionMs`, 30 days by default).
 */
import { ChameleonError } from '../errors.js';
import { formatDuration } from '../delivery/background/format-duration.js';

/** `since` as a Date, or a `422` explaining what is accepted. */
export function parseSince(value: unknown, maxAgeMs: number, now = new Date()): Date {
  let date: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value * 1000);
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) date = new Date(value);
  if (!date || Number.isNaN(date.getTime())) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`since` is required: an ISO-8601 time or unix seconds');
  }
  if (date.getTime() > now.getTime()) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`since` is in the future');
  if (now.getTime() - date.getTime() > maxAgeMs) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`since\` may be at most ${formatDuration(maxAgeMs)} ago: older webhooks are not kept`);
  }
  return date;
}
