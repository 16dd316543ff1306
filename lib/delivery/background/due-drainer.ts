/**
 * Attempts due deliveries in this process, at full speed: retries whose time has come,
 * deliveries whose attempt a crash interrupted (their lease ran out), deliveries publish or
 * replay left pending. It reads a page of due deliveries (oldest due first; one query per page),
 * claims them one by one as slots free up — a compare-and-set on the `rev` the page read, one
 * index lookup, so processes sharing the backlog never attempt one twice and a claim costs no
 * scan — and hands each to the attempt runner: the same limiter as first attempts. It holds at
 * most `maxInFlight` claimed attempts (half the process's slots by default, so fresh publishes
 * always find room), fewer while the host has no CPU to spare (`drain-width.ts`, so fresh
 * publishes are not queued behind the backlog), and at most `perDestination` per destination,
 * and polls every `pollMs` when nothing is due. Memory: one page of candidates plus the attempts
 * in flight.
 */
import type { ObjectId } from 'mongodb';
import type { Logger } from '../../logger.js';
import type { DeliveryClaims } from '../deliveries/delivery-claims.js';
import type { DueCandidate } from '../deliveries/delivery-fields.js';
import type { DeliveryDoc, WebhookDoc } from '../deliveries/documents.js';
import type { WebhooksRepo } from '../deliveries/webhooks-repo.js';
import type { WorkTracker } from './work-tracker.js';
import { DrainWidth } from './drain-width.js';

/**
 * Due deliveries read per query (one page). The page query is the drain's only scan on a server
 * without a usable index (the test server reads and sorts every delivery for it), so a page is
 * large; claims and conclusions are index lookups.
 */
export const DUE_PAGE = 5000;

/** Attempts one claimed delivery (the attempt runner), with its webhook when already loaded. */
export type AttemptClaimed = (doc: DeliveryDoc, interrupted: boolean, webhook: WebhookDoc | undefined) => Promise<unknown>;

/** What the drainer needs. */
export interface DueDrainerOptions {
  deliveries: DeliveryClaims;
  /** Loads the webhooks of the deliveries started together in one query. */
  webhooks: WebhooksRepo;
  attempt: AttemptClaimed;
  work: WorkTracker;
  leaseMs: number;
  /** Claimed attempts held at once by the drainer in this process, at most (fewer while the CPU is short). */
  maxInFlight: number;
  /** Claimed attempts held at once per destination. */
  perDestination: number;
  /** Wait between queries when nothing is due, in ms. */
  pollMs: number;
  /** Ids read per query. @defaultValue {@link DUE_PAGE} */
  pageSize?: number;
  logger: Logger;
}

interface Candidate {
  due: DueCandidate;
  webhookId: ObjectId;
  destination: string;
}

/** The in-process drain of due deliveries. */
export class DueDrainer {
  private candidates: Candidate[] = [];
  private inFlight = 0;
  private readonly perDestination = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private readonly width: DrainWidth;

  constructor(private readonly options: DueDrainerOptions) {
    const max = Math.max(1, options.maxInFlight);
    this.width = new DrainWidth({ min: Math.min(max, Math.max(2, Math.ceil(max / 4))), max });
  }

  /** Starts draining (a loop that polls when idle). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.width.start();
    this.loop = this.run().catch((error: unknown) => this.options.logger.error({ err: error }, 'chameleon-hooks: due drain stopped'));
  }

  /** Looks for due deliveries now (something was just made due). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stops claiming; attempts already claimed go on (the work tracker drains them). */
  async stop(): Promise<void> {
    this.running = false;
    this.width.stop();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { pollMs, pageSize = DUE_PAGE } = this.options;
    let lastPageFull = false;
    while (this.running && this.options.work.accepting) {
      if (this.candidates.length === 0) {
        this.nudged = false;
        let page: DueCandidate[] = [];
        try {
          page = await this.options.deliveries.dueCandidates(new Date(), pageSize);
        } catch (error) {
          this.options.logger.warn({ err: error }, 'chameleon-hooks: could not read due deliveries');
        }
        lastPageFull = page.length === pageSize;
        // Processes sharing a backlog read the same page: each takes it in its own order.
        this.candidates = shuffle(page.map((d) => ({ due: d, webhookId: d.webhook_id, destination: d.endpoint_id.toHexString() })));
        if (this.candidates.length === 0) {
          await this.sleep(pollMs);
          continue;
        }
      }
      // Start attempts in groups (their webhooks are read in one query), not one per freed slot.
      const width = this.width.current;
      if (width - this.inFlight < Math.max(1, Math.floor(width / 4)) && this.inFlight > 0) {
        await this.sleep(pollMs);
        continue;
      }
      this.fill();
      // Wait for a slot (or, with the page used up, for the next read: at once after a full page).
      if (this.candidates.length > 0 || this.inFlight >= width) await this.sleep(pollMs);
      else if (!lastPageFull && !this.nudged) await this.sleep(pollMs);
    }
  }

  /** Claims and starts as many candidates as there are free slots (their webhooks read in one query). */
  private fill(): void {
    const { perDestination } = this.options;
    const width = this.width.current;
    const batch: Candidate[] = [];
    for (let i = 0; i < this.candidates.length && this.inFlight < width; ) {
      const candidate = this.candidates[i]!;
      const held = this.perDestination.get(candidate.destination) ?? 0;
      if (held >= perDestination) {
        i++; // this destination is busy: leave it for later, try the next
        continue;
      }
      this.candidates.splice(i, 1);
      this.inFlight++;
      this.perDestination.set(candidate.destination, held + 1);
      batch.push(candidate);
    }
    this.width.note(this.inFlight);
    if (batch.length === 0) return;
    const webhooks = this.options.webhooks.byIds(batch.map((c) => c.webhookId)).catch(() => new Map<string, WebhookDoc>());
    for (const candidate of batch) {
      void this.options.work.track(this.claimAndAttempt(candidate, webhooks)).finally(() => {
        this.inFlight--;
        const left = (this.perDestination.get(candidate.destination) ?? 1) - 1;
        if (left <= 0) this.perDestination.delete(candidate.destination);
        else this.perDestination.set(candidate.destination, left);
        this.wake?.();
      });
    }
  }

  private async claimAndAttempt(candidate: Candidate, webhooks: Promise<Map<string, WebhookDoc>>): Promise<void> {
    if (!this.running) return;
    const [claimed, loaded] = await Promise.all([this.options.deliveries.claimDue(candidate.due, new Date(), this.options.leaseMs), webhooks]);
    if (claimed) await this.options.attempt(claimed.doc, claimed.interrupted, loaded.get(candidate.webhookId.toHexString()));
  }

  /** Sleeps `ms`, or until woken (a slot freed, a nudge, stop). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.wake = done;
    });
  }
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
