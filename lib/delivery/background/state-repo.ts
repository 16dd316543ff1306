/**
 * The package's own small state documents (e.g. the fan-out check's watermark).
 */
import type { Collection } from 'mongodb';

/** A stored piece of the package's own state. */
export interface StateDoc {
  _id: string;
  value: Date;
}

/** Reads and writes state documents (the only code that touches their collection). */
export class StateRepo {
  constructor(private readonly collection: Collection<StateDoc>) {}

  /** A stored date, or `undefined`. */
  async getDate(id: string): Promise<Date | undefined> {
    return (await this.collection.findOne({ _id: id }))?.value;
  }

  /** Moves a stored date forward to `value` (never back: `$max`). */
  async advanceDate(id: string, value: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $max: { value } }, { upsert: true });
  }
}
