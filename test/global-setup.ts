/**
 * vitest global setup: starts the local mongo-java-server once for the run, unless
 * MONGODB_URI names a MongoDB to use instead. Test files read the URI from the
 * injected `mongoUri` and each works in its own database (test/helpers/db.ts).
 */
import type { TestProject } from 'vitest/node';
import { startTestMongo, type TestMongo } from '../scripts/test-db/mongo-java-server.js';

let mongo: TestMongo | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv) {
    project.provide('mongoUri', fromEnv);
  } else {
    mongo = await startTestMongo();
    project.provide('mongoUri', mongo.uri);
  }
  return async () => {
    await mongo?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}
