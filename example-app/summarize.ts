/**
 * A one-line summary of a webhook's data for the receiver's log: who, which experience, what happened.
 */

type Model = Record<string, unknown> | undefined;

function model(data: Record<string, unknown>, key: string): Model {
  const value = data[key];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * E.g. `profile jane@example.com · tour "Usage upsell banner - A"`.
 *
 * @example
 * summarize({ account: { name: 'Acme Corp' } }) // 'account "Acme Corp"'
 */
export function summarize(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const profile = model(data, 'profile');
  const who = profile && (text(profile.email) ?? text(profile.uid) ?? text(profile.id));
  if (who) parts.push(`profile ${who}`);
  for (const key of ['tour', 'survey', 'embed', 'demo', 'alert_group', 'account']) {
    const m = model(data, key);
    const name = m && (text(m.name) ?? text(m.id));
    if (name) parts.push(`${key.replace('_group', '')} "${name}"`);
  }
  const button = model(data, 'button');
  if (button && text(button.text)) parts.push(`button "${text(button.text)}"`);
  const action = model(data, 'action');
  if (action && text(action.query)) parts.push(`query "${text(action.query)}"`);
  if (action && text(action.item_uid)) parts.push(`item ${text(action.item_uid)}`);
  if (Array.isArray(data.experiences)) parts.push(`${data.experiences.length} experiences`);
  return parts.length > 0 ? parts.join(' · ') : Object.keys(data).join(', ');
}
