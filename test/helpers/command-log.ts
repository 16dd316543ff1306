/**
 * Runs a test body on its own client that records the commands it sends (sessions aside), to
 * check what reaches the database: e.g. that one turn's writes went as one bulk command.
 */
import { MongoClient, type CommandStartedEvent, type Db } from 'mongodb';

/** Calls `body` with a database handle on a fresh monitored client and the commands seen so far; closes the client after. */
export async function withCommandLog<T>(uri: string, dbName: string, body: (db: Db, seen: CommandStartedEvent[]) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { monitorCommands: true });
  await client.connect();
  try {
    const seen: CommandStartedEvent[] = [];
    client.on('commandStarted', (e) => {
      if (e.commandName !== 'endSessions') seen.push(e);
    });
    return await body(client.db(dbName), seen);
  } finally {
    await client.close();
  }
}
