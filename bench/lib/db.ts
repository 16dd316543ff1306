/**
 * The database the benchmarks run against: `MONGODB_URI` when set, otherwise a local
 * mongo-java-server (in-memory backend) started for the run and stopped at its end.
 */
import { MongoClient } from 'mongodb';
import { launcherJars, startTestMongo } from '../../scripts/test-db/mongo-java-server.js';

/** A database server for the run. */
export interface BenchDatabase {
  /** The connection string (may hold credentials: never print it). */
  uri: string;
  /** What RESULTS.md says about it, without credentials. */
  label: string;
  /** A database name not used before in this run, e.g. `bench_ingest_single_lq3k2a`. */
  freshName(benchmark: string): string;
  /** How many documents `collection` of `dbName` holds. */
  count(dbName: string, collection: string): Promise<number>;
  /** Drops a benchmark's database (best effort) so the server does not grow across benchmarks. */
  drop(dbName: string): Promise<void>;
  /** Stops the local server (a no-op for MONGODB_URI). */
  stop(): Promise<void>;
}

/** The hosts of a MongoDB connection string, without scheme, credentials, path or options. */
export function hostsOf(uri: string): string {
  const withoutScheme = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const authority = withoutScheme.split(/[/?]/, 1)[0] ?? '';
  const at = authority.lastIndexOf('@');
  return at >= 0 ? authority.slice(at + 1) : authority;
}

async function serverVersion(uri: string): Promise<string | undefined> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.version === 'string' ? info.version : undefined;
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function mongoJavaServerVersion(): string {
  const core = launcherJars().find((jar) => /^mongo-java-server-core-[\d.]+\.jar$/.test(jar));
  return core ? core.replace(/^mongo-java-server-core-/, '').replace(/\.jar$/, '') : '1.47';
}

/** Opens the run's database server. */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const fromEnv = process.env.MONGODB_URI;
  let uri: string;
  let label: string;
  let stop: () => Promise<void>;
  if (fromEnv) {
    uri = fromEnv;
    const version = await serverVersion(uri);
    label = `MongoDB ${version ?? '(version unknown)'} at \`${hostsOf(uri)}\` (from MONGODB_URI)`;
    stop = async () => undefined;
  } else {
    const mongo = await startTestMongo();
    uri = mongo.uri;
    label = `mongo-java-server ${mongoJavaServerVersion()}, in-memory backend, local on \`127.0.0.1:${mongo.port}\` (MONGODB_URI not set)`;
    stop = () => mongo.stop();
  }
  const stamp = Date.now().toString(36);
  let counter = 0;
  return {
    uri,
    label,
    freshName: (benchmark) => `bench_${benchmark.replace(/[^A-Za-z0-9]/g, '_')}_${stamp}${counter++ === 0 ? '' : `_${counter}`}`.slice(0, 63),
    async count(dbName, collection) {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client.connect();
        return await client.db(dbName).collection(collection).countDocuments({});
      } finally {
        await client.close().catch(() => undefined);
      }
    },
    async drop(dbName) {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client.connect();
        await client.db(dbName).dropDatabase();
      } catch {
        // best effort: a leftover benchmark database is harmless
      } finally {
        await client.close().catch(() => undefined);
      }
    },
    stop,
  };
}
