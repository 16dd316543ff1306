/**
 * Customer.io reporting webhooks for the tests, shaped as Customer.io documents them.
 */

/** A reporting webhook as Customer.io sends it. */
export function reportingWebhook(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: `01E4C4C6P79C12J5A6KPE6${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
    object_type: 'email',
    metric: 'opened',
    timestamp: Math.floor(Date.now() / 1000),
    data: { identifiers: { id: '42', email: 'ann@example.com', cio_id: 'a3000001' }, customer_id: '42', delivery_id: 'RAECAAFwnUSneIa0ZXkmSQ==', campaign_id: 7, action_id: 9, subject: 'Welcome', recipient: 'ann@example.com', ...data },
    ...overrides,
  };
}
