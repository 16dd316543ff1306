/**
 * The delivery engine: how activity published by the host reaches its destinations.
 *
 * Shape (each folder has one job; dependencies point down this list, never back):
 *
 * - `publisher.ts` — thin: `publish` validates the activity, asks every destination kind which
 *   destinations take it, stores the webhook ONCE with its `fanout`, and starts each first
 *   attempt in-process. `forPing`/`forReplay` create deliveries to one destination.
 * - `destinations/` — what a destination is ({@link Destination}: kind `'endpoint' | 'integration'`,
 *   id, account, topics it takes, `accepts()`, the transport that sends to it) and where each
 *   kind lives ({@link DestinationSource}); the {@link DestinationRegistry} holds kinds and transports.
 * - `endpoints/` — the `endpoint` kind: repository, coalesced state (`last_item_*`, auto-disable),
 *   experience filter, and {@link EndpointSource} adapting it to a destination source.
 * - `deliveries/` — documents and repositories of webhooks and deliveries (one collection for
 *   every kind: same attempt log, retry state, listing, health): `delivery-fields.ts` builds what is
 *   written (pure), `delivery-claims.ts` writes it (creation and the compare-and-set claims on `rev`),
 *   `delivery-reads.ts` reads it, and `delivery-views.ts` adds the first attempts still in flight.
 * - `transport/` — one {@link Transport} per wire protocol: input (destination, delivery, webhook,
 *   account, time), output an {@link AttemptOutcome} (verdict, status, request summary, response
 *   excerpt, error kind, retry-after). Today: the signed webhook transport over the SSRF-guarded sender.
 * - `attempts/` — the runner (claim → slot → transport → record), the limiter, the retry schedule,
 *   and {@link nextStep}: the ONE pure function from an outcome to the next step and its effects on
 *   the destination (disable, enable, mark in error).
 * - `ordering/` — ordered delivery per (endpoint, profile) for endpoints with `ordering: 'profile'`:
 *   the pure decisions (`order-key.ts`), the per-key queues (`order-queues-repo.ts`) and the gate that
 *   queues, holds and releases deliveries and repairs what a crash left (`order-gate.ts`).
 * - `background/` — Agenda jobs for durable retries, the recovery sweep (crash recovery, the fan-out
 *   check, auto-disable) and start/stop with draining.
 * - `engine.ts` — {@link DeliveryEngine} wires these together; routes and methods call it.
 *
 * Plugging in a new kind of destination (e.g. Customer.io, kind `integration`):
 * 1. implement a `DestinationSource` over your repository (byId, enabledFor cached, disable,
 *    enable, noteOutcome, optionally markError/flush), whose destinations set `transport: 'customerio'`
 *    and `accepts(topic, data)`;
 * 2. implement a `Transport` returning an `AttemptOutcome` with its own verdicts (`final` for a
 *    `400/401`, `skip` for a profile without identifier, `destinationError` to mark credentials rejected);
 * 3. `engine.addDestinationKind(source, { customerio: transport })` before `engine.start()`.
 * Publish, retries, crash recovery, manual retry (`engine.retry`), replay (`engine.replayTo`),
 * health (`engine.health`), listing (`engine.deliveries.listFor`), cancellation (`engine.cancelFor`)
 * and `close()` draining then work for it unchanged.
 */
export { DeliveryEngine, DeliveryService, leaseFor } from './engine.js';
export type { PublishResult } from './publisher.js';
export type { Destination, DestinationKind, DestinationSource } from './destinations/destination.js';
export type { DestinationRegistry } from './destinations/registry.js';
export type { Transport, TransportAttempt, AttemptOutcome, Verdict, AttemptErrorKind } from './destinations/transport.js';
export type { AttemptReport } from './attempts/attempt-runner.js';
export { nextStep, type NextStep, type DestinationEffects } from './attempts/next-step.js';
export type { DeliveryDoc, WebhookDoc, AttemptLog, AttemptTrigger, DeliveryState, RequestSummary } from './deliveries/documents.js';
export { deliveryJson } from './deliveries/documents.js';
export type { DeliveryReads, DeliveryPage } from './deliveries/delivery-reads.js';
export type { DeliveryClaims } from './deliveries/delivery-claims.js';
export type { DestinationRef } from './deliveries/delivery-fields.js';
export type { DestinationHealth } from './deliveries/health.js';
export { endpointJson, type EndpointDoc, type EndpointHealth } from './endpoints/documents.js';
export type { EndpointsRepo, EndpointInput } from './endpoints/endpoints-repo.js';
export { createHttpSender, type HttpSender, type HttpResult, type SendRequest } from './transport/http-sender.js';
export { checkEndpointUrl } from './transport/ssrf-guard.js';
export { parseRetryAfter } from './transport/retry-after.js';
