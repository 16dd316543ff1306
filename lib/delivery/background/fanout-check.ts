/**
 * The sweep's first step: deliveries whose first attempt publish started are written only with
 * its outcome, so a crash in between leaves a webhook whose `fanout` names a delivery with no
 * document. This walks webhooks old enough that every such attempt has ended (older than the
 * lease), by `_id` time range behind a watermark kept in MongoDB (one query per pass, read in
 * batches), and writes the missing ones
 * as pending deliveries for the rest of the sweep to attempt again. It reads; it writes only
 * what a crash left out, plus the watermark.
 */
import { ObjectId } from 'mongodb';
import type { DeliveryClaims } from '../deliveries/delivery-claims.js';
import type { WebhooksRepo } from '../deliveries/webhooks-repo.js';
import type { StateRepo } from './state-repo.js';

/** Margin past the lease before a webhook's fan-out is checked (its first attempts have surely ended). */
export const FANOUT_SETTLE_MARGIN_MS = 2_000;

/** The state document holding how far webhooks have been checked. */
export const FANOUT_WATERMARK_ID = 'fanout_checked_until';
/**
 * Each pass also re-reads this much before the watermark, for webhooks whose `_id` time is
 * behind it: made by a host whose clock lags, or inserted late. Hosts' clocks must agree to
 * within this.
 */
export const FANOUT_OVERLAP_MS = 30_000;
/** Webhooks checked together (one read of their deliveries). */
const BATCH = 1000;

/** What the check needs. */
export interface FanoutCheckOptions {
  /** Only webhooks older than this are checked: their first attempts have ended or died. */
  settleMs: number;
  /** Where a first check starts when no watermark is stored: as far back as webhooks are kept. */
  retentionMs: number;
  maxAttempts: number;
}

/** Walks webhooks in time order and writes the deliveries a crash left out. */
export class FanoutCheck {
  private checkedUntil: Date | undefined;

  constructor(
    private readonly webhooks: WebhooksRepo,
    private readonly deliveries: DeliveryClaims,
    private readonly state: StateRepo,
    private readonly options: FanoutCheckOptions,
  ) {}

  /** One pass up to `now - settleMs`; returns how many deliveries it wrote. */
  async run(now = new Date()): Promise<number> {
    const upTo = Math.floor((now.getTime() - this.options.settleMs) / 1000) * 1000;
    if (this.checkedUntil === undefined) {
      const stored = await this.state.getDate(FANOUT_WATERMARK_ID);
      this.checkedUntil = stored ?? new Date(now.getTime() - this.options.retentionMs);
    }
    if (upTo <= this.checkedUntil.getTime()) return 0;
    const end = ObjectId.createFromTime(upTo / 1000);
    const from = ObjectId.createFromTime(Math.floor((this.checkedUntil.getTime() - FANOUT_OVERLAP_MS) / 1000));
    let written = 0;
    for await (const batch of this.webhooks.fanoutBatches(from, end, BATCH)) written += await this.deliveries.materializeFanout(batch, this.options.maxAttempts, now);
    this.checkedUntil = new Date(upTo);
    await this.state.advanceDate(FANOUT_WATERMARK_ID, this.checkedUntil);
    return written;
  }
}
