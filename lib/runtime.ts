/**
 * The runtime: everything `ready()` builds once the database is reachable (collections and
 * indexes, accounts, bookkeeping, ingest dependencies, the delivery service), and tears down
 * on `close()`.
 */
import { GroupCommit } from './store/group-commit.js';
import type { Config } from './options.js';
import { openConnection, type Connection } from './store/connection.js';
import { Collections } from './store/collections.js';
import { AccountStore } from './accounts/account-store.js';
import { Bookkeeper } from './catalogue/bookkeeper.js';
import { createIngestDeps, type IngestDeps } from './ingest/deps.js';
import { DeliveryEngine } from './delivery/engine.js';
import { CustomerioRepo } from './integrations/customerio/repo.js';
import { CustomerioService } from './integrations/customerio/service.js';
import { plugCustomerio } from './integrations/customerio/plug-in.js';
import type { CustomerioDoc } from './integrations/customerio/documents.js';
import { ATTEMPT_JOB } from './delivery/background/jobs.js';
import type { Metrics } from './metrics/metrics.js';
import { readBacklog } from './metrics/backlog-repo.js';
import { deliveryObserver } from './metrics/delivery-observer.js';
import { ReportsRepo, type ReportDoc } from './integrations/customerio/reporting/reports-repo.js';
import { ReportProcessor } from './integrations/customerio/reporting/processor.js';
import type { ReportingDeps } from './integrations/customerio/reporting/route.js';
import { BatchService } from './batches/batch-service.js';

/** The services of a ready package. */
export interface Runtime {
  connection: Connection;
  collections: Collections;
  accounts: AccountStore;
  bookkeeper: Bookkeeper;
  ingest: IngestDeps;
  delivery: DeliveryEngine;
  /** Customer.io integrations (settings; the destination runs on the delivery engine). */
  customerio: CustomerioService;
  /** Stops the backlog gauges reading from this runtime's database. */
  stopMetrics(): void;
  /** Customer.io reporting webhooks: stored reports, their processing, the signing keys. */
  reporting: ReportingDeps;
  batches: BatchService;
}

/** Connects, creates indexes and starts the bookkeeping flush. */
export async function startRuntime(config: Config, metrics?: Metrics): Promise<Runtime> {
  const connection = await openConnection(config.mongo);
  try {
    const collections = new Collections(connection.db, config.collectionPrefix);
    await collections.ensureIndexes(config.delivery.retentionMs);
    const bookkeeper = new Bookkeeper(collections, { flushIntervalMs: config.flushIntervalMs, logger: config.logger, metrics });
    bookkeeper.start();
    const ingest = createIngestDeps(collections, bookkeeper, config.limits);
    const accounts = new AccountStore(collections, config.accounts);
    const customerio = new CustomerioService(new CustomerioRepo(collections.get<CustomerioDoc>('integrations'), config.secretsKey), {
      allowHttp: config.delivery.allowHttp,
      allowPrivateNetworks: config.delivery.allowPrivateNetworks,
    });
    const reports = new ReportsRepo(collections.get<ReportDoc>('customerio_reports'));
    const reporting: ReportingDeps = {
      reports,
      inserts: new GroupCommit((group) => reports.insertMany(group), (report) => reports.insert(report)),
      processor: new ReportProcessor(reports, ingest, config.logger),
      keys: { signingKey: (account) => customerio.repo.signingKeyOf(account) },
    };
    const delivery = new DeliveryEngine(config, connection.db, collections, accounts, metrics ? deliveryObserver(metrics) : undefined);
    plugCustomerio(delivery, customerio, collections, config);
    try {
      await delivery.start();
    } catch (error) {
      await bookkeeper.stop().catch(() => undefined);
      throw error;
    }
    const jobs = connection.db.collection(delivery.agendaHandle.collection);
    const backlog = (): ReturnType<typeof readBacklog> => readBacklog(collections.get('deliveries'), jobs, ATTEMPT_JOB);
    metrics?.setBacklogReader(backlog);
    const stopMetrics = (): void => metrics?.clearBacklogReader(backlog);
    reporting.processor.start();
    const batches = new BatchService(collections, ingest, config.batches, config.logger);
    batches.worker.start();
    return { connection, collections, accounts, bookkeeper, ingest, delivery, customerio, reporting, batches, stopMetrics };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

/** Gives back the batches being applied (at a chunk's end), drains deliveries, flushes bookkeeping and closes the connection if the package opened it. */
export async function stopRuntime(runtime: Runtime): Promise<void> {
  await runtime.batches.worker.stop();
  runtime.stopMetrics();
  await runtime.delivery.stop();
  await runtime.reporting.processor.stop();
  await runtime.bookkeeper.stop();
  await runtime.connection.close();
}
