/**
 * Batches in one process: receive (check, record, answer) and hand over to the background
 * worker, and report a batch's state and progress.
 */
import { ObjectId } from 'mongodb';
import { ChameleonError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Config } from '../options.js';
import type { Collections } from '../store/collections.js';
import type { IngestDeps } from '../ingest/deps.js';
import { applyBatchChunk } from '../ingest/batch.js';
import { BatchesRepo } from './batches-repo.js';
import { BatchWorker } from './worker.js';
import { receiveBatch, type BatchAnswer } from './intake.js';
import type { BatchChunkDoc, BatchDoc, BatchKind, BatchQueueDoc } from './documents.js';

/** A batch as `GET /v3/observe/batches/:id` shows it. */
export interface BatchView {
  id: string;
  kind: BatchKind;
  state: BatchDoc['state'];
  on_model_missing: BatchDoc['on_model_missing'];
  items: number;
  /** Items written so far (items refused while checking or writing are not counted). */
  applied_items: number;
  chunks: number;
  applied_chunks: number;
  errors_count: number;
  /** The first 1,000 errors, in item order. */
  errors: BatchDoc['errors'];
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** The documented view of a batch record. */
export function batchView(doc: BatchDoc): BatchView {
  return {
    id: doc._id.toHexString(),
    kind: doc.kind,
    state: doc.state,
    on_model_missing: doc.on_model_missing,
    items: doc.items,
    applied_items: doc.applied_items,
    chunks: doc.chunks,
    applied_chunks: doc.applied_chunks,
    errors_count: doc.errors_count,
    errors: [...doc.errors].sort((a, b) => a.index - b.index),
    created_at: doc.created_at.toISOString(),
    started_at: doc.started_at?.toISOString() ?? null,
    completed_at: doc.completed_at?.toISOString() ?? null,
  };
}

/** Receiving, applying and reading batches. */
export class BatchService {
  readonly repo: BatchesRepo;
  readonly worker: BatchWorker;

  constructor(
    collections: Collections,
    private readonly ingest: IngestDeps,
    settings: Config['batches'],
    logger: Logger,
  ) {
    this.repo = new BatchesRepo({
      batches: collections.get<BatchDoc>('batches'),
      chunks: collections.get<BatchChunkDoc>('batch_chunks'),
      queue: collections.get<BatchQueueDoc>('batch_queue'),
    });
    this.worker = new BatchWorker(
      this.repo,
      // Applied as of the time the batch was received, however late the worker gets to it.
      (kind, account, items, start, createMissing, receivedAt) => applyBatchChunk(kind, account, items, start, { ...ingest, now: () => receivedAt }, createMissing),
      { ...settings, logger },
    );
  }

  /** Checks and records a batch, hands it to the worker, and returns the answer. */
  async receive(kind: BatchKind, account: string, body: Record<string, unknown>): Promise<BatchAnswer> {
    const records = kind === 'profile' ? this.ingest.profiles : this.ingest.companies;
    const { answer, doc } = await receiveBatch(kind, account, body, { repo: this.repo, records, now: this.ingest.now, propertiesPerItem: this.ingest.propertiesPerItem });
    if (doc.state === 'queued') this.worker.kick(doc._id);
    return answer;
  }

  /** A batch of this account. @throws ChameleonError (`404`) when there is none with that id. */
  async find(account: string, id: string): Promise<BatchView> {
    const doc = /^[0-9a-f]{24}$/i.test(id) ? await this.repo.find(account, new ObjectId(id)) : null;
    if (!doc) throw new ChameleonError('CH_ERR_NOT_FOUND', `No batch with id ${id.slice(0, 40)}`);
    return batchView(doc);
  }
}
