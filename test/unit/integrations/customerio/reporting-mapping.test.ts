// Tests for lib/integrations/customerio/reporting/mapping.ts: reporting webhooks as profile updates and events.
import { describe, it, expect } from 'vitest';
import { mapReportingWebhook, reportingEventName } from '../../../../lib/integrations/customerio/reporting/mapping.js';

const person = { identifiers: { id: '42', email: 'ann@example.com', cio_id: 'a3000001' } };

describe('mapReportingWebhook', () => {
  it('should keep hostile data keys as plain properties (never a prototype), the fixed fields winning over data keys of the same name', () => {
    // JSON.parse makes `__proto__` an own key, as a received body would have it.
    const body = JSON.parse(
      '{"event_id":"e9","object_type":"email","metric":"clicked","data":{"identifiers":{"id":"42"},"__proto__":{"polluted":1},"constructor":"x","href":"https://example.com/a","name":"spoof","cio_metric":"spoof","subject":"Hi"}}',
    ) as Record<string, unknown>;
    const action = mapReportingWebhook(body);
    expect(action.kind).toBe('event');
    const item = (action as { item: Record<string, unknown> }).item;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect((item as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(item, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(Object.prototype.hasOwnProperty.call(item, 'constructor')).toBe(true);
    expect(item).toMatchObject({ uid: '42', link: 'https://example.com/a', name: 'Email Clicked (Customer.io)', cio_metric: 'clicked', subject: 'Hi' });
    expect(item).not.toHaveProperty('href');
  });

  it.each<[string, boolean | undefined]>([
    ['subscribed', true],
    ['unsubscribed', false],
    ['cio_subscription_preferences_changed', undefined],
  ])('should turn customer %s into profile properties', (metric, subscribed) => {
    const action = mapReportingWebhook({ event_id: 'e1', object_type: 'customer', metric, timestamp: 1_900_000_000, data: { ...person } });
    expect(action.kind).toBe('profile');
    const item = (action as { item: Record<string, unknown> }).item;
    expect(item).toMatchObject({ uid: '42', email: 'ann@example.com', cio_subscription_changed_at: new Date(1_900_000_000_000) });
    if (subscribed === undefined) expect(item).not.toHaveProperty('cio_subscribed');
    else expect(item.cio_subscribed).toBe(subscribed);
  });

  it('should turn a message metric into an event with its origin ids, delivery, subject, link and failure', () => {
    const action = mapReportingWebhook({
      event_id: '01E4C4C6P79C12J5A6KPE6XNFK',
      object_type: 'email',
      metric: 'clicked',
      timestamp: 1_900_000_000,
      data: { ...person, customer_id: '42', delivery_id: 'RAECAAFwnUSneIa0ZXkmSQ==', campaign_id: 7, action_id: 9, broadcast_id: 3, newsletter_id: 5, subject: 'Hi', href: 'https://x.example/a', link_id: 2, failure_message: 'mailbox full' },
    });
    expect(action).toEqual({
      kind: 'event',
      item: {
        uid: '42',
        email: 'ann@example.com',
        name: 'Email Clicked (Customer.io)',
        delivery_id: 'RAECAAFwnUSneIa0ZXkmSQ==',
        campaign_id: 7,
        action_id: 9,
        broadcast_id: 3,
        newsletter_id: 5,
        subject: 'Hi',
        link: 'https://x.example/a',
        link_id: 2,
        failure_message: 'mailbox full',
        cio_event_id: '01E4C4C6P79C12J5A6KPE6XNFK',
        cio_object_type: 'email',
        cio_metric: 'clicked',
        occurred_at: new Date(1_900_000_000_000),
      },
    });
  });

  it('should use customer_id and email_address when identifiers are missing (older payloads)', () => {
    const action = mapReportingWebhook({ object_type: 'sms', metric: 'sent', data: { customer_id: 77, email_address: 'b@example.com' } });
    expect(action).toMatchObject({ kind: 'event', item: { uid: '77', email: 'b@example.com', name: 'SMS Sent (Customer.io)' } });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown object type', { object_type: 'fax', metric: 'printed' }, 'Fax Printed (Customer.io)'],
    ['an unknown metric', { object_type: 'push', metric: 'human_vibrated' }, 'Push Human Vibrated (Customer.io)'],
    ['an unknown customer metric', { object_type: 'customer', metric: 'merged' }, 'Customer Merged (Customer.io)'],
    ['no object type or metric', {}, 'Unknown Event (Customer.io)'],
    ['non-string fields', { object_type: { $gt: '' }, metric: ['x'] }, 'Unknown Event (Customer.io)'],
  ])('should store %s as an event, never refuse it', (_label, fields, name) => {
    expect(mapReportingWebhook({ ...fields, data: { ...person } })).toMatchObject({ kind: 'event', item: { name } });
  });

  it('should skip a webhook that names no person, with the reason', () => {
    expect(mapReportingWebhook({ object_type: 'email', metric: 'opened', data: { identifiers: { cio_id: 'x' } } })).toEqual({ kind: 'skip', reason: expect.stringContaining('names no person') });
    expect(mapReportingWebhook({ object_type: 'email', metric: 'opened', data: 'not an object' })).toMatchObject({ kind: 'skip' });
  });

  it('should not let data fields pose as the event name or identifiers', () => {
    const action = mapReportingWebhook({ object_type: 'email', metric: 'opened', data: { identifiers: { email: 'c@example.com' }, name: 'Evil', user_id: 'someone-else', uid: 'x' } });
    expect(action).toMatchObject({ kind: 'event', item: { email: 'c@example.com', name: 'Email Opened (Customer.io)' } });
    expect((action as { item: Record<string, unknown> }).item).not.toHaveProperty('user_id');
    expect((action as { item: Record<string, unknown> }).item).not.toHaveProperty('uid');
  });
});

describe('reportingEventName', () => {
  it.each<[string | undefined, string | undefined, string]>([
    ['email', 'opened', 'Email Opened (Customer.io)'],
    ['in_app', 'clicked', 'In-App Clicked (Customer.io)'],
    ['whatsapp', 'delivered', 'WhatsApp Delivered (Customer.io)'],
    ['webhook', 'undeliverable', 'Webhook Undeliverable (Customer.io)'],
    [undefined, 'opened', 'Unknown Opened (Customer.io)'],
  ])('should name %s %s as %s', (objectType, metric, name) => {
    expect(reportingEventName(objectType, metric)).toBe(name);
  });
});
