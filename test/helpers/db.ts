/**
 * Gives each test file its own database on the shared test server, dropped afterwards.
 */
import { inject, afterAll } from 'vitest';
import { MongoClient, type Db } from 'mongodb';
import { randomBytes } from 'node:crypto';

/** A connected client and a fresh database, dropped when the file's tests end. */
export interface TestDb {
  client: MongoClient;
  db: Db;
  uri: string;
  dbName: string;
}

/** The URI of the run's test server (or MONGODB_URI). */
export function mongoUri(): string {
  return inject('mongoUri');
}

/** Connects and picks a random database name; registers cleanup with `afterAll`. */
export async function useTestDb(prefix = 't'): Promise<TestDb> {
  const uri = mongoUri();
  const client = new MongoClient(uri, { maxPoolSize: 20 });
  await client.connect();
  const dbName = `${prefix}_${randomBytes(5).toString('hex')}`;
  const db = client.db(dbName);
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });
  return { client, db, uri, dbName };
}
