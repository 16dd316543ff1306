/**
 * What the ingest services need: repositories, the bookkeeper and the limits.
 */
import type { Bookkeeper } from '../catalogue/bookkeeper.js';
import type { Collections } from '../store/collections.js';
import { RecordsRepo, type RecordDoc } from '../store/records-repo.js';
import { EventsRepo } from '../store/events-repo.js';
import { recordWrites, type RecordWrites } from '../store/record-writes.js';
import type { EventDoc } from '../store/documents.js';

/** The dependencies of every ingest function (no Express in here). */
export interface IngestDeps {
  profiles: RecordsRepo;
  /** Single-profile writes of concurrent requests, grouped per event-loop turn (one bulk write and one read). */
  profileWrites: RecordWrites;
  companies: RecordsRepo;
  /** Single-company writes (a company request, a profile's linked company), grouped likewise. */
  companyWrites: RecordWrites;
  events: EventsRepo;
  bookkeeper: Bookkeeper;
  valueBytes: number;
  /** Keys accepted per item, nested ones included (`limits.propertiesPerItem`). */
  propertiesPerItem: number;
  /** The clock; injectable for tests. */
  now: () => Date;
}

/** Builds the ingest dependencies on the package's collections, with the real clock. */
export function createIngestDeps(collections: Collections, bookkeeper: Bookkeeper, limits: { valueBytes: number; propertiesPerItem: number }): IngestDeps {
  const profiles = new RecordsRepo(collections.get<RecordDoc>('profiles'));
  const companies = new RecordsRepo(collections.get<RecordDoc>('companies'));
  return {
    profiles,
    profileWrites: recordWrites(profiles),
    companies,
    companyWrites: recordWrites(companies),
    events: new EventsRepo(collections.get<EventDoc>('events')),
    bookkeeper,
    valueBytes: limits.valueBytes,
    propertiesPerItem: limits.propertiesPerItem,
    now: () => new Date(),
  };
}
