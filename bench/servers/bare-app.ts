/**
 * The baseline: a bare Express app doing the same write with the driver and nothing else.
 * `POST /bare/profiles` → `express.json()` + one `updateOne(…, {upsert: true})` → `200 {profile: {id}}`.
 * `POST /bare/profiles/batch` → `express.json({limit: 16 MiB})` + one ordered `bulkWrite` → `202`.
 */
import express from 'express';
import { MongoClient, ObjectId, type Document } from 'mongodb';
import { BARE_BATCH_PATH, BARE_PROFILE_PATH, BARE_REPORT_PATH, BENCH_ACCOUNT } from '../lib/workload.js';
import { bareBulkOps, bareCollection, bareUpsert } from '../lib/bare.js';
import type { ServerApp, ServerConfig } from './index.js';

/** Starts the bare app (its own client, same pool size as the package's). */
export async function startBareApp(config: ServerConfig): Promise<ServerApp> {
  const client = new MongoClient(config.uri, { maxPoolSize: 50 });
  await client.connect();
  const collection = await bareCollection(client.db(config.dbName));
  const app = express();

  app.post(BARE_PROFILE_PATH, express.json(), async (req, res) => {
    const body: unknown = req.body;
    const write = typeof body === 'object' && body !== null ? bareUpsert(BENCH_ACCOUNT.id, body as Record<string, unknown>, new Date()) : undefined;
    if (!write) {
      res.status(422).json({ code: 422, messages: ['No uid'] });
      return;
    }
    const result = await collection.updateOne(write.filter, write.update, { upsert: true });
    // updateOne reports the id only when it inserted; on an update the uid stands in for it.
    const id = result.upsertedId instanceof ObjectId ? result.upsertedId.toHexString() : write.filter.uid_key;
    res.status(200).json({ profile: { id } });
  });

  app.post(BARE_BATCH_PATH, express.json({ limit: 16 * 1024 * 1024 }), async (req, res) => {
    const profiles: unknown = (req.body as { profiles?: unknown } | undefined)?.profiles;
    if (!Array.isArray(profiles)) {
      res.status(422).json({ code: 422, messages: ['profiles must be an array'] });
      return;
    }
    const ops = bareBulkOps(BENCH_ACCOUNT.id, profiles as Record<string, unknown>[], new Date());
    if (ops.length > 0) await collection.bulkWrite(ops, { ordered: true });
    res.status(202).json({ batch: { id: new ObjectId().toHexString() }, errors: [] });
  });

  // Reporting webhooks: parse, insert once under a unique (account, event_id) key, answer.
  const reports = client.db(config.dbName).collection<Document>('bare_reports');
  await reports.createIndex({ key: 1 }, { name: 'key_unique', unique: true });
  app.post(BARE_REPORT_PATH, express.json(), async (req, res) => {
    const body = req.body as { event_id?: unknown } | undefined;
    try {
      await reports.insertOne({ key: `${BENCH_ACCOUNT.id}|${String(body?.event_id)}`, body: JSON.stringify(body), received_at: new Date() });
      res.status(200).json({ ok: true });
    } catch {
      res.status(200).json({ ok: true, duplicate: true });
    }
  });

  return { listener: app, close: () => client.close() };
}
