/**
 * A host process for fault tests: an Express-less chameleon-hooks instance on the shared test
 * database, driven over IPC by the parent test (publish, create an endpoint, close), so the
 * parent can `kill -9` it in the middle of an attempt or run several at once.
 */
import { MongoClient } from 'mongodb';
import { chameleonHooks, type Options } from '../../lib/index.js';

interface Command {
  id: number;
  op: 'publish' | 'publishMany' | 'close' | 'createEndpoint' | 'setCustomerio';
  args?: unknown[];
}

const uri = process.env.FAULT_MONGO_URI!;
const dbName = process.env.FAULT_DB_NAME!;
const extra = JSON.parse(process.env.FAULT_OPTIONS ?? '{}') as Partial<Options>;

const client = new MongoClient(uri);
await client.connect();
const hooks = chameleonHooks({
  mongo: { client, dbName },
  accounts: [{ id: 'acme', secret: 'acct_fault_secret_0123456789', webhookSecret: 'whsec_fault_secret_0123456789' }],
  flushIntervalMs: 100,
  ...extra,
});
await hooks.ready();

process.on('message', (message: Command) => {
  void (async () => {
    try {
      if (message.op === 'publish') {
        const [topic, data] = message.args as [string, Record<string, unknown>];
        const result = await hooks.publish('acme', topic as never, data as never);
        process.send!({ id: message.id, ok: true, result });
      } else if (message.op === 'publishMany') {
        const [topic, data, count] = message.args as [string, Record<string, unknown>, number];
        const ids: string[] = [];
        for (let start = 0; start < count; start += 50) {
          const batch = Array.from({ length: Math.min(50, count - start) }, () => hooks.publish('acme', topic as never, data as never));
          for (const r of await Promise.all(batch)) ids.push(r.id);
        }
        process.send!({ id: message.id, ok: true, result: ids });
      } else if (message.op === 'createEndpoint') {
        const [input] = message.args as [Record<string, unknown>];
        process.send!({ id: message.id, ok: true, result: await hooks.endpoints.create('acme', input) });
      } else if (message.op === 'setCustomerio') {
        const [input] = message.args as [Record<string, unknown>];
        process.send!({ id: message.id, ok: true, result: await hooks.integrations.customerio.set('acme', input) });
      } else if (message.op === 'close') {
        await hooks.close();
        await client.close();
        process.send!({ id: message.id, ok: true });
        process.exit(0);
      }
    } catch (error) {
      process.send!({ id: message.id, ok: false, error: String(error) });
    }
  })();
});
process.send!({ ready: true, pid: process.pid });
