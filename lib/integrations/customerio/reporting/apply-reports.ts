/**
 * Applies a batch of stored reports to the account data: each is mapped (./mapping.ts) to a
 * profile update or an event, validated and cleaned by the ordinary ingest rules, and the whole
 * batch is written in a few bulk writes (profile updates, then the events' users, then the events).
 * Returns each report's outcome.
 */
import { ChameleonError } from '../../../errors.js';
import { incomingProblems } from '../../../ingest/incoming-schemas.js';
import { assertPropertyCount } from '../../../ingest/property-count.js';
import { PROFILE_FIXED_NAMES, PROFILE_KEYS, profileIdentity } from '../../../ingest/identity.js';
import { propertyChanges } from '../../../ingest/changes.js';
import { emailChange } from '../../../ingest/profiles.js';
import { ingestEvents, prepareEvent, type PreparedEvent } from '../../../ingest/events.js';
import { recordWrite, type RecordWrite } from '../../../store/records-repo.js';
import type { IngestDeps } from '../../../ingest/deps.js';
import { mapReportingWebhook, type ReportingWebhook } from './mapping.js';
import type { ReportDoc, ReportOutcome } from './reports-repo.js';

/** A stored report waiting to be applied, with its body as the route parsed it (the sweep's have none). */
export interface QueuedReport {
  doc: ReportDoc;
  parsed?: Record<string, unknown>;
}

/** The outcome of one report. */
export interface AppliedReport {
  id: ReportDoc['_id'];
  outcome: ReportOutcome;
  error: string | null;
}

function messageOf(error: unknown): string {
  return error instanceof ChameleonError ? error.messages.join('; ').slice(0, 500) : 'The record could not be stored';
}

/** The profile write of a subscription change (validated and cleaned like `POST …/profiles`). */
function profileWrite(account: string, item: Record<string, unknown>, deps: IngestDeps, now: Date): RecordWrite {
  const problems = incomingProblems('profile', item);
  if (problems.length > 0) throw new ChameleonError('CH_ERR_UNPROCESSABLE', problems);
  assertPropertyCount(item, deps.propertiesPerItem, 'the profile');
  const identity = profileIdentity(account, item)!;
  const changes = propertyChanges(item, { valueBytes: deps.valueBytes, now }, PROFILE_KEYS, PROFILE_FIXED_NAMES);
  deps.bookkeeper.recordProperties(account, 'profile', changes.set, now);
  deps.bookkeeper.recordWarnings(account, 'profile', changes.warnings, now);
  return recordWrite(account, identity, changes, { email: emailChange(item, identity) }, now, true);
}

/**
 * Applies `reports` in order and returns one outcome per report. Database errors that are not
 * about one record (an outage) are thrown, so the reports stay unprocessed for the sweep.
 */
export async function applyReports(reports: readonly QueuedReport[], deps: IngestDeps): Promise<AppliedReport[]> {
  const now = deps.now();
  const outcomes: AppliedReport[] = [];
  const profiles: Array<{ doc: ReportDoc; write: RecordWrite }> = [];
  const events: Array<{ doc: ReportDoc; prepared: PreparedEvent }> = [];
  for (const { doc, parsed } of reports) {
    try {
      // The route's parsed body when it has one: the stored text is parsed only for swept reports.
      const action = mapReportingWebhook((parsed ?? JSON.parse(doc.body)) as ReportingWebhook);
      if (action.kind === 'skip') outcomes.push({ id: doc._id, outcome: 'skipped', error: action.reason });
      else if (action.kind === 'profile') profiles.push({ doc, write: profileWrite(doc.account, action.item, deps, now) });
      // The event's id is the report's: a report applied twice (a sweep after a crash) stores one event.
      else events.push({ doc, prepared: prepareEvent(doc.account, action.item, deps, now, doc._id) });
    } catch (error) {
      outcomes.push({ id: doc._id, outcome: 'failed', error: error instanceof SyntaxError ? 'The stored body is not JSON' : messageOf(error) });
    }
  }
  if (profiles.length > 0) {
    const failures = await deps.profiles.bulk(profiles.map((p) => p.write));
    profiles.forEach((p, i) => {
      const failure = failures.get(i);
      outcomes.push({ id: p.doc._id, outcome: failure === undefined ? 'profile' : 'failed', error: failure === undefined ? null : messageOf(failure) });
    });
  }
  if (events.length > 0) {
    const failures = await ingestEvents(events.map((e) => e.prepared), deps);
    events.forEach((e, i) => {
      const failure = failures.get(i);
      outcomes.push({ id: e.doc._id, outcome: failure === undefined ? 'event' : 'failed', error: failure === undefined ? null : messageOf(failure) });
    });
  }
  return outcomes;
}
