/**
 * What the ingest services need: repositories, the bookkeeper and the limits.
 */
import type { Bookkeeper } from '../catalogue/bookkeeper.js';
import type { RecordsRepo } from '../store/records-repo.js';
import type { EventsRepo } from '../store/events-repo.js';

/** The dependencies of every ingest function (no Express in here). */
export interface IngestDeps {
  profiles: RecordsRepo;
  companies: RecordsRepo;
  events: EventsRepo;
  bookkeeper: Bookkeeper;
  valueBytes: number;
  /** Keys accepted per item, nested ones included (`limits.propertiesPerItem`). */
  propertiesPerItem: number;
  /** The clock; injectable for tests. */
  now: () => Date;
}
