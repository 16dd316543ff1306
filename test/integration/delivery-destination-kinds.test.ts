/**
 * A second kind of destination plugged into the delivery engine (a test `integration` source and
 * transport, as Customer.io plugs in, on an engine of its own: the package's runtime already
 * registers Customer.io as its `integration` kind): it gets the same deliveries collection, attempt log,
 * retry schedule, manual retry, replay, cancellation, health and close() draining as endpoints.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ObjectId } from 'mongodb';
import { parseOptions } from '../../lib/options.js';
import { Collections } from '../../lib/store/collections.js';
import { DeliveryEngine } from '../../lib/delivery/engine.js';
import { AccountStore, type Account } from '../../lib/accounts/account-store.js';
import type { Destination, DestinationSource } from '../../lib/delivery/destinations/destination.js';
import type { AttemptOutcome, Transport, TransportAttempt } from '../../lib/delivery/destinations/transport.js';
import { deliveryJson, type DeliveryDoc } from '../../lib/delivery/deliveries/documents.js';
import { useTestDb } from '../helpers/db.js';
import { fastDelivery, topicData, until } from './support/delivery.js';

/** An in-memory source of `integration` destinations that records what the engine tells it. */
class TestSource implements DestinationSource<{ label: string }> {
  readonly kind = 'integration' as const;
  readonly destinations = new Map<string, Destination<{ label: string }>>();
  readonly errors: string[] = [];
  readonly outcomes: boolean[] = [];

  add(account: string, topics: string[]): Destination<{ label: string }> {
    const d: Destination<{ label: string }> = { kind: 'integration', id: new ObjectId(), account, transport: 'test', name: 'Test', disabled: false, disabledReason: null, topics, accepts: (t) => topics.includes(t), target: { label: 'x' } };
    this.destinations.set(d.id.toHexString(), d);
    return d;
  }
  async byId(id: ObjectId) {
    return this.destinations.get(id.toHexString()) ?? null;
  }
  async enabledFor(account: string) {
    return [...this.destinations.values()].filter((d) => d.account === account && !d.disabled);
  }
  async disable(): Promise<void> {}
  async enable(): Promise<void> {}
  noteOutcome(_id: ObjectId, _at: Date, ok: boolean): void {
    this.outcomes.push(ok);
  }
  async markError(_id: ObjectId, message: string): Promise<void> {
    this.errors.push(message);
  }
}

/** A transport answering from a script (then success), optionally slowly. */
class ScriptedTransport implements Transport<{ label: string }> {
  script: Array<Partial<AttemptOutcome> & Pick<AttemptOutcome, 'verdict'> & { delayMs?: number }> = [];
  delayMs = 0;
  readonly calls: Array<TransportAttempt<{ label: string }>> = [];
  async send(attempt: TransportAttempt<{ label: string }>): Promise<AttemptOutcome> {
    this.calls.push(attempt);
    const { delayMs = this.delayMs, ...next } = this.script.shift() ?? { verdict: 'success', status: 200 };
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return { durationMs: 3, request: { method: 'POST', url: 'https://track.example/api/v1/events', bytes: 42 }, ...next };
  }
  async close(): Promise<void> {}
}

describe('a second kind of destination on the delivery engine', () => {
  let engine: DeliveryEngine;
  let accounts: AccountStore;
  let account: Account;
  const source = new TestSource();
  const transport = new ScriptedTransport();

  beforeAll(async () => {
    const db = await useTestDb();
    const config = parseOptions({ mongo: { client: db.client, dbName: db.dbName }, delivery: fastDelivery() });
    const collections = new Collections(db.db, config.collectionPrefix);
    await collections.ensureIndexes(config.delivery.retentionMs);
    accounts = new AccountStore(collections, config.accounts);
    engine = new DeliveryEngine(config, db.db, collections, accounts);
    engine.addDestinationKind(source, { test: transport });
    await engine.start();
    const created = await accounts.create({ name: 'Kinds' });
    account = (await accounts.findById(created.id))!;
  });
  afterAll(async () => {
    await engine.stop().catch(() => undefined);
  });

  const deliveryFor = async (webhookId: string, destination: Destination): Promise<DeliveryDoc | null> => {
    const page = await engine.deliveries.listFor(destination.id, account.id, { limit: 50 });
    return page.find((d) => d.webhook_id.toHexString() === webhookId) ?? null;
  };
  const settled = (webhookId: string, destination: Destination) =>
    until(async () => {
      const d = await deliveryFor(webhookId, destination);
      return d && d.state !== 'pending' ? d : undefined;
    }, 10_000, 'the delivery to end');

  it('should deliver published activity through its transport and log the attempt with its request summary', async () => {
    const destination = source.add(account.id, ['tour.started']);
    const { id, deliveries } = await engine.publish(account, 'tour.started', topicData('tour.started'));
    expect(deliveries).toBe(1);
    const doc = await settled(id, destination);
    expect(doc.state).toBe('succeeded');
    expect(doc.destination_kind).toBe('integration');
    const json = deliveryJson(doc);
    expect(json.destination).toEqual({ kind: 'integration', id: destination.id.toHexString() });
    expect(json.endpoint_id).toBeUndefined();
    expect((json.attempts as Array<Record<string, unknown>>)[0]!.request).toEqual({ method: 'POST', url: 'https://track.example/api/v1/events', bytes: 42 });
    expect(transport.calls.at(-1)!.webhook._id.toHexString()).toBe(id);
    expect(transport.calls.at(-1)!.account.id).toBe(account.id);
    source.destinations.delete(destination.id.toHexString());
  });

  it('should retry a retry verdict on the durable schedule, then succeed', async () => {
    const destination = source.add(account.id, ['tour.completed']);
    transport.script = [{ verdict: 'retry', status: 500, error: 'HTTP 500' }];
    const { id } = await engine.publish(account, 'tour.completed', topicData('tour.completed'));
    const doc = await settled(id, destination);
    expect(doc.state).toBe('succeeded');
    expect(doc.attempt_log.map((a) => [a.status, a.trigger])).toEqual([[500, 'publish'], [200, 'retry']]);
    source.destinations.delete(destination.id.toHexString());
  });

  it('should end a final answer failed without retry and mark the destination; a manual retry then succeeds', async () => {
    const destination = source.add(account.id, ['tour.exited']);
    transport.script = [{ verdict: 'final', status: 401, error: 'HTTP 401', destinationError: 'credentials rejected' }];
    const { id } = await engine.publish(account, 'tour.exited', topicData('tour.exited'));
    const doc = await settled(id, destination);
    expect(doc.state).toBe('failed');
    expect(doc.attempts).toBe(1);
    expect(doc.last_error).toContain('final');
    // The destination is marked after the outcome is stored (the test reads the store): wait for it.
    await expect.poll(() => source.errors).toContain('credentials rejected');
    const retried = await engine.retry(account, doc._id.toHexString());
    expect(retried.state).toBe('succeeded');
    expect(retried.attempt_log.map((a) => a.trigger)).toEqual(['publish', 'manual']);
    source.destinations.delete(destination.id.toHexString());
  });

  it('should end a skip verdict skipped with its reason', async () => {
    const destination = source.add(account.id, ['tour.started']);
    transport.script = [{ verdict: 'skip', error: 'The profile has no uid' }];
    const { id } = await engine.publish(account, 'tour.started', topicData('tour.started'));
    const doc = await settled(id, destination);
    expect(doc.state).toBe('skipped');
    expect(doc.last_error).toBe('The profile has no uid');
    source.destinations.delete(destination.id.toHexString());
  });

  it('should replay to it, report its health, and cancel its pending deliveries', async () => {
    const since = new Date(Date.now() - 60_000);
    const destination = source.add(account.id, ['tour.started']);
    transport.script = [];
    const replay = await engine.replayTo(account, destination, since);
    expect(replay.deliveries).toBeGreaterThanOrEqual(2); // the tour.started webhooks published above
    await until(async () => {
      const page = await engine.deliveries.listFor(destination.id, account.id, { limit: 50 });
      return page.length === replay.deliveries && page.every((d) => d.state === 'succeeded');
    }, 10_000, 'the replayed deliveries');
    await engine.flushStats(); // health is read from the coalesced statistics
    const health = await engine.health(destination.id);
    expect(health).toMatchObject({ status: 'active', attempts: replay.deliveries, success_rate: 1 });

    // A retry in flight when the destination goes: cancelled, and its late outcome changes nothing.
    transport.script = [{ verdict: 'retry', status: 500, error: 'HTTP 500' }, { verdict: 'success', status: 200, delayMs: 1000 }];
    const before = transport.calls.length;
    const { id } = await engine.publish(account, 'tour.started', topicData('tour.started'));
    await until(() => transport.calls.length >= before + 2, 5000, 'the retry to start');
    expect(await engine.cancelFor(destination.id, 'The integration was removed')).toBe(1);
    const cancelled = await until(async () => {
      const d = await deliveryFor(id, destination);
      return d && d.attempt_log.length === 2 ? d : undefined;
    }, 10_000, 'the retry to be logged');
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.last_error).toBe('The integration was removed');
    source.destinations.delete(destination.id.toHexString());
  });

  it('should wait in close() for an attempt in flight', async () => {
    const destination = source.add(account.id, ['tour.completed']);
    transport.delayMs = 500;
    const before = transport.calls.length;
    const { id } = await engine.publish(account, 'tour.completed', topicData('tour.completed'));
    await until(() => transport.calls.length > before, 5000, 'the attempt to start');
    await engine.stop();
    const doc = await deliveryFor(id, destination);
    expect(doc?.state).toBe('succeeded');
  });
});
