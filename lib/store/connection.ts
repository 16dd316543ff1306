/**
 * Resolves the host's `mongo` option to a `Db`, and remembers whether the package owns
 * the client (and so must close it) or the host does.
 */
import { MongoClient, type Db } from 'mongodb';
import type { MongoOptions } from '../options.js';

/** A database handle and how to release it. */
export interface Connection {
  db: Db;
  client: MongoClient | undefined;
  /** Closes the client only if the package opened it. */
  close(): Promise<void>;
}

/** Connects (for `{ uri }`) or wraps the host's client or `Db`. */
export async function openConnection(mongo: MongoOptions): Promise<Connection> {
  if (mongo.db) return { db: mongo.db, client: undefined, close: async () => undefined };
  if (mongo.client) {
    return { db: mongo.client.db(mongo.dbName ?? 'chameleon'), client: mongo.client, close: async () => undefined };
  }
  const uri = mongo.uri as string;
  // In an outage a request should fail fast (503) rather than wait the driver's default 30 s;
  // a timeout given in the URI wins.
  const selection = /[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: 5000 };
  const client = new MongoClient(uri, { maxPoolSize: 50, ...selection });
  await client.connect();
  return { db: client.db(mongo.dbName ?? uriDatabase(uri) ?? 'chameleon'), client, close: () => client.close() };
}

/**
 * The database a connection string names in its path (`mongodb://host:27017/app` → `app`), if
 * any: the default when `dbName` is not given.
 *
 * @example
 * uriDatabase('mongodb://a:1,b:2/app?replicaSet=rs') // 'app'
 * uriDatabase('mongodb://localhost:27017')           // undefined
 */
export function uriDatabase(uri: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/?]+\/([^/?]+)/.exec(uri)?.[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}
