/**
 * Pure builders of what the delivery repositories write: a new delivery, the fields an attempt's
 * conclusion sets, the filter a claim's holder writes by, and whether a delivery may be claimed.
 * No database here (see `delivery-claims.ts` for how they are written atomically).
 */
import { ObjectId, type Document } from 'mongodb';
import type { AttemptLog, AttemptTrigger, DeliveryDoc, DestinationKind, NextStep } from './documents.js';

/** Which destination a delivery goes to. */
export interface DestinationRef {
  kind: DestinationKind;
  id: ObjectId;
}

/**
 * Builds a new delivery; with `startsNow`, its first attempt is already counted and leased. With
 * `order`, an ordered delivery under that key, held (not due) unless it is its key's head.
 */
export function newDelivery(
  fields: { account: string; webhookId: ObjectId; destination: DestinationRef; topic: string; maxAttempts: number; trigger: AttemptTrigger },
  now: Date,
  leaseMs: number,
  startsNow: boolean,
  order?: { key: string; held: boolean },
): DeliveryDoc {
  const doc = plainDelivery(fields, now, leaseMs, startsNow);
  if (order) {
    doc.order_key = order.key;
    if (order.held) Object.assign(doc, { held: true, attempts: 0, lease_until: null, next_attempt_at: null });
  }
  return doc;
}

function plainDelivery(
  fields: { account: string; webhookId: ObjectId; destination: DestinationRef; topic: string; maxAttempts: number; trigger: AttemptTrigger },
  now: Date,
  leaseMs: number,
  startsNow: boolean,
): DeliveryDoc {
  return {
    _id: new ObjectId(),
    account: fields.account,
    webhook_id: fields.webhookId,
    endpoint_id: fields.destination.id,
    destination_kind: fields.destination.kind,
    topic: fields.topic,
    state: 'pending',
    attempts: startsNow ? 1 : 0,
    max_attempts: fields.maxAttempts,
    lease_until: startsNow ? new Date(now.getTime() + leaseMs) : null,
    next_attempt_at: now,
    next_trigger: fields.trigger,
    attempt_log: [],
    last_status: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
    rev: new ObjectId(),
  };
}

/** A due delivery as the due query reads it: enough to claim it (by its `rev`) and to group it. */
export type DueCandidate = Pick<DeliveryDoc, '_id' | 'endpoint_id' | 'webhook_id' | 'next_attempt_at' | 'lease_until' | 'rev'>;

/** Whether a delivery may be claimed at `now` (what the due query and the conditional claims ask; a held one never). */
export function claimable(doc: Pick<DeliveryDoc, 'state' | 'next_attempt_at' | 'lease_until' | 'held'>, now: Date): boolean {
  return doc.state === 'pending' && doc.held !== true && doc.next_attempt_at !== null && doc.next_attempt_at <= now && (doc.lease_until === null || doc.lease_until < now);
}

/** The document without its `rev` (an ended delivery holds none: its index is sparse and unique). */
export function withoutRev(doc: DeliveryDoc): DeliveryDoc {
  const { rev: _ended, ...rest } = doc;
  return rest;
}

/**
 * How a write finds a stored delivery that this process holds: by its `rev` when it has one (one
 * index lookup), else (documents written before `rev` existed, or written meanwhile by another
 * process's sweep) by `_id` and the attempt count, as before.
 */
export function byClaim(doc: DeliveryDoc, saved: boolean): Document {
  return saved && doc.rev ? { rev: doc.rev } : { _id: doc._id, state: 'pending', attempts: doc.attempts };
}

/** What an attempt concluded (the next step). */
export type Conclusion = NextStep;

/** The fields an attempt's conclusion sets on its delivery (a new `rev` when it stays pending). */
export function settledFields(log: AttemptLog, conclusion: Conclusion, now: Date): Partial<DeliveryDoc> {
  const set: Partial<DeliveryDoc> = { state: conclusion.state, lease_until: null, last_status: log.status, last_error: log.error, updated_at: now };
  if (conclusion.state === 'pending') {
    set.next_attempt_at = conclusion.nextAttemptAt;
    set.next_trigger = 'retry';
    set.rev = new ObjectId();
  } else {
    set.next_attempt_at = null;
    set.completed_at = now;
    if (conclusion.state === 'failed') set.last_error = log.error ? `${conclusion.reason}: ${log.error}` : conclusion.reason;
    else if (conclusion.state === 'skipped') set.last_error = conclusion.reason;
  }
  return set;
}
