/**
 * The example's database: the MongoDB named by `MONGODB_URI`, or else the local
 * mongo-java-server (built into `.cache/` on first run; needs Java 17 and Maven), started here.
 */
import { startTestMongo } from '../scripts/test-db/mongo-java-server.js';

/** A database to connect to, and how to let go of it. */
export interface ExampleDatabase {
  uri: string;
  /** Where it came from, for the start-up banner. */
  label: string;
  /** Stops the local server (a no-op for `MONGODB_URI`). */
  stop(): Promise<void>;
}

/** Uses `MONGODB_URI` when set, otherwise starts the local in-memory server. */
export async function openDatabase(): Promise<ExampleDatabase> {
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv) return { uri: fromEnv, label: 'MONGODB_URI', stop: async () => undefined };
  console.log('Starting the local MongoDB-wire server (mongo-java-server, in memory; the first run builds it into .cache/)…');
  const mongo = await startTestMongo();
  return { uri: mongo.uri, label: 'local mongo-java-server (in memory: data is gone when the example stops)', stop: () => mongo.stop() };
}
