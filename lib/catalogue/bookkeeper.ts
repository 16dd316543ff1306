/**
 * Coalesced bookkeeping: the property catalogue, data warnings and the event-name catalogue
 * are aggregated in memory and written in one unordered `bulkWrite` per interval, so an
 * incoming request costs one database round trip, not one per property.
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { Collections } from '../store/collections.js';
import { CatalogueWritesRepo, type CatalogueName } from './catalogue-writes-repo.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { propertyType, type CleanValue, type DataWarning } from '../normalize/index.js';

/** Which model a property or warning belongs to. */
export type ModelKind = 'profile' | 'company' | 'event';

interface PropertyTally {
  account: string;
  kind: ModelKind;
  prop: string;
  count: number;
  types: Set<string>;
  values: string[];
  lastSeen: Date;
}

interface WarningTally {
  account: string;
  kind: ModelKind;
  prop: string;
  reason: string;
  count: number;
  example: string;
  lastSeen: Date;
}

interface EventNameTally {
  account: string;
  uid: string;
  name: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** How many recent sample values the catalogue keeps per property. */
export const SAMPLE_VALUES = 10;
const SAMPLE_CHARS = 80;
/** Flush early when this many distinct entries are pending, to bound memory. */
const MAX_PENDING = 20_000;

function sample(value: CleanValue): string {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/** Aggregates bookkeeping in memory and flushes it periodically. */
export class Bookkeeper {
  private repo: CatalogueWritesRepo | undefined;
  private properties = new Map<string, PropertyTally>();
  private warnings = new Map<string, WarningTally>();
  private eventNames = new Map<string, EventNameTally>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly collections: Collections,
    private readonly options: { flushIntervalMs: number; logger: Logger; metrics?: Pick<Metrics, 'recordsWritten' | 'dataWarnings'> | undefined },
  ) {}

  /** The `recordsWritten` counter of each kind, bound once (prom-client hashes a labels object per call). */
  private readonly recordsWritten = new Map<ModelKind, { inc(): void }>();

  private recordsWrittenOf(kind: ModelKind): { inc(): void } | undefined {
    const counter = this.options.metrics?.recordsWritten;
    if (!counter) return undefined;
    let bound = this.recordsWritten.get(kind);
    if (!bound) {
      bound = counter.labels({ kind });
      this.recordsWritten.set(kind, bound);
    }
    return bound;
  }

  /** Starts the periodic flush. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes whatever is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Notes the properties a record was stored with. */
  recordProperties(account: string, kind: ModelKind, props: Record<string, CleanValue>, now: Date): void {
    this.recordsWrittenOf(kind)?.inc();
    for (const prop in props) {
      const value = props[prop]!;
      const key = `${account}|${kind}|${prop}`;
      let tally = this.properties.get(key);
      if (!tally) {
        tally = { account, kind, prop, count: 0, types: new Set(), values: [], lastSeen: now };
        this.properties.set(key, tally);
      }
      tally.count += 1;
      tally.types.add(propertyType(value));
      if (tally.values.length < SAMPLE_VALUES) tally.values.push(sample(value));
      tally.lastSeen = now;
    }
    this.flushIfFull();
  }

  /** Notes data warnings (truncations, dropped values, reserved names). */
  recordWarnings(account: string, kind: ModelKind, warnings: readonly DataWarning[], now: Date): void {
    for (const w of warnings) {
      this.options.metrics?.dataWarnings.inc({ kind, reason: w.reason });
      const key = `${account}|${kind}|${w.prop}|${w.reason}`;
      const tally = this.warnings.get(key);
      if (tally) {
        tally.count += 1;
        tally.example = w.example;
        tally.lastSeen = now;
      } else {
        this.warnings.set(key, { account, kind, prop: w.prop, reason: w.reason, count: 1, example: w.example, lastSeen: now });
      }
    }
    this.flushIfFull();
  }

  /** Notes one event under its normalised name, keeping the first spelling for display. */
  recordEventName(account: string, uid: string, name: string, now: Date): void {
    const key = `${account}|${uid}`;
    const tally = this.eventNames.get(key);
    if (tally) {
      tally.count += 1;
      tally.lastSeen = now;
    } else {
      this.eventNames.set(key, { account, uid, name, count: 1, firstSeen: now, lastSeen: now });
    }
    this.flushIfFull();
  }

  /** Writes everything pending; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  private flushIfFull(): void {
    if (this.properties.size + this.warnings.size + this.eventNames.size >= MAX_PENDING) void this.flush();
  }

  private async writePending(): Promise<void> {
    const properties = this.properties;
    const warnings = this.warnings;
    const eventNames = this.eventNames;
    if (properties.size + warnings.size + eventNames.size === 0) return;
    this.properties = new Map();
    this.warnings = new Map();
    this.eventNames = new Map();
    try {
      await Promise.all([
        this.write('properties', [...properties].map(([key, t]) => propertyOp(key, t))),
        this.write('warnings', [...warnings].map(([key, t]) => warningOp(key, t))),
        this.write('event_names', [...eventNames].map(([key, t]) => eventNameOp(key, t))),
      ]);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'chameleon-hooks: bookkeeping flush failed; will not retry these counts');
    }
  }

  private write(name: CatalogueName, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
    this.repo ??= new CatalogueWritesRepo(this.collections);
    return this.repo.write(name, ops);
  }
}

function propertyOp(key: string, t: PropertyTally): AnyBulkWriteOperation<Document> {
  return {
    updateOne: {
      filter: { key },
      update: {
        $setOnInsert: { account: t.account, kind: t.kind, prop: t.prop, first_seen_at: t.lastSeen },
        $inc: { count: t.count },
        $addToSet: { types: { $each: [...t.types] } },
        $push: { values: { $each: t.values, $slice: -SAMPLE_VALUES } },
        $max: { last_seen_at: t.lastSeen },
      } as Document,
      upsert: true,
    },
  };
}

function warningOp(key: string, t: WarningTally): AnyBulkWriteOperation<Document> {
  return {
    updateOne: {
      filter: { key },
      update: {
        $setOnInsert: { account: t.account, kind: t.kind, prop: t.prop, reason: t.reason, first_seen_at: t.lastSeen },
        $inc: { count: t.count },
        $set: { example: t.example },
        $max: { last_seen_at: t.lastSeen },
      },
      upsert: true,
    },
  };
}

function eventNameOp(key: string, t: EventNameTally): AnyBulkWriteOperation<Document> {
  return {
    updateOne: {
      filter: { key },
      update: {
        $setOnInsert: { account: t.account, uid: t.uid, name: t.name },
        $inc: { count: t.count },
        $min: { first_seen_at: t.firstSeen },
        $max: { last_seen_at: t.lastSeen },
      },
      upsert: true,
    },
  };
}
