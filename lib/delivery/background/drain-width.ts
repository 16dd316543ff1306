/**
 * How many claimed attempts the due drain may hold right now. A backlog drained flat out takes
 * every CPU the host has (signing, HTTP, the driver), and fresh publishes then queue behind it;
 * a drain held low crawls when receivers are slow and the CPU is idle. So the width adapts, as
 * TCP's window does (additive increase, multiplicative decrease), to the host's event-loop delay:
 * the time a ready callback waits, which grows when this process, or the machine under it, has no
 * CPU to spare. Narrower while the delay is over `targetLagMs`, wider again while it is well
 * under and the drain uses its whole width. Hand-written: it is a few lines over Node's
 * `monitorEventLoopDelay`, with nothing to configure.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The event-loop delay (p90 over each interval, ms) the drain keeps under. */
export const TARGET_LAG_MS = 10;
/** How often the width is adjusted. */
export const ADJUST_EVERY_MS = 250;
/** The histogram's sampling period (ms); its readings include it. */
const RESOLUTION_MS = 10;

/** One adjustment: the next width from the current one, the delay measured and whether it was all used. */
export function nextWidth(width: number, lagMs: number, used: boolean, bounds: { min: number; max: number }, targetLagMs = TARGET_LAG_MS): number {
  if (lagMs > targetLagMs) return Math.max(bounds.min, Math.floor(width * 0.7));
  if (lagMs < targetLagMs / 2 && used) return Math.min(bounds.max, width + Math.max(1, Math.ceil(bounds.max / 16)));
  return width;
}

/** The drain's current width, adjusted on a timer while started. */
export class DrainWidth {
  private width: number;
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private used = false;

  /**
   * @param bounds - the least and the most claimed attempts (the most is where it starts)
   */
  constructor(private readonly bounds: { min: number; max: number }) {
    this.width = bounds.max;
  }

  /** The claimed attempts the drain may hold now. */
  get current(): number {
    return this.width;
  }

  /** Tells that the drain held `inFlight` attempts (a fill reached the width, or not). */
  note(inFlight: number): void {
    if (inFlight >= this.width) this.used = true;
  }

  /** Starts measuring and adjusting. */
  start(): void {
    if (this.timer || this.bounds.min >= this.bounds.max) return;
    const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
    this.histogram = histogram;
    this.timer = setInterval(() => {
      const lagMs = histogram.count > 0 ? Math.max(0, histogram.percentile(90) / 1e6 - RESOLUTION_MS) : 0;
      histogram.reset();
      this.width = nextWidth(this.width, lagMs, this.used, this.bounds);
      this.used = false;
    }, ADJUST_EVERY_MS);
    this.timer.unref();
  }

  /** Stops measuring (the width stays as it was). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }
}
