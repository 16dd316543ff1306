/**
 * People already identified to a Customer.io workspace by an account: the only module that
 * touches the `integration_people` collection. Remembered in MongoDB (a restart does not
 * identify everyone again, and `created_at` is sent once) behind an in-process set, so a known
 * person costs no query.
 */
import type { Collection } from 'mongodb';
import { isDuplicateKey } from '../../store/mongo-errors.js';

/** One remembered person. */
export interface IdentifiedDoc {
  /** `account|site_id|identifier` (unique). */
  key: string;
  identified_at: Date;
}

/** Most keys held in memory; beyond it the set starts over (the collection still answers). */
const MAX_CACHED = 100_000;

/** The key of a person in a workspace, for an account. */
export function personKey(account: string, siteId: string, identifier: string): string {
  return `${account}|${siteId}|${identifier}`;
}

/** Remembers who has been identified. */
export class IdentifiedPeople {
  private readonly known = new Set<string>();

  constructor(private readonly collection: Collection<IdentifiedDoc>) {}

  /** Whether the person has been identified. */
  async has(key: string): Promise<boolean> {
    if (this.known.has(key)) return true;
    const found = await this.collection.findOne({ key }, { projection: { _id: 1 } });
    if (found) this.cache(key);
    return found !== null;
  }

  /** Records that the person has been identified (idempotent). */
  async remember(key: string, at = new Date()): Promise<void> {
    try {
      await this.collection.updateOne({ key }, { $setOnInsert: { key, identified_at: at } }, { upsert: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // a concurrent upsert of the same person won
    }
    this.cache(key);
  }

  private cache(key: string): void {
    if (this.known.size >= MAX_CACHED) this.known.clear();
    this.known.add(key);
  }
}
