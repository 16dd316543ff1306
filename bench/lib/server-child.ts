/**
 * The server process (forked by `startServer()`): runs ONE app on 127.0.0.1 and answers
 * control messages over IPC — its own CPU time (`process.cpuUsage()`), memory
 * (`process.memoryUsage()`, also after a forced GC), `process.resourceUsage()` (peak RSS), the
 * app's own commands (`call`, e.g. a publishing round) — and `stop`.
 * Measuring inside this process keeps the load generator's and the database's CPU out of it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVER_APPS, type ServerConfig } from '../servers/index.js';
import type { ChildMessage, ControlRequest } from './server-process.js';

function send(message: ChildMessage, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

/**
 * With `BENCH_ALLOC_PROF=<dir>`: samples allocations (garbage included, unlike `--heap-prof`,
 * which keeps only what is still live) and writes a `.heapprofile` there when the process stops.
 */
async function sampleAllocations(): Promise<(() => Promise<void>) | undefined> {
  const dir = process.env.BENCH_ALLOC_PROF;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(`${dir}/alloc-${process.pid}.heapprofile`, JSON.stringify(profile));
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
  const writeAllocations = await sampleAllocations();
  const app = await SERVER_APPS[config.kind](config);
  const server = createServer(app.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close().catch(() => undefined);
    await writeAllocations?.();
  };
  process.on('message', (raw: ControlRequest) => {
    const reply = (result: unknown): void => send({ type: 'reply', id: raw.id, result });
    switch (raw.op) {
      case 'cpu':
        reply(process.cpuUsage());
        break;
      case 'memory':
        reply(process.memoryUsage());
        break;
      case 'resourceUsage':
        reply(process.resourceUsage());
        break;
      case 'gc':
        // A full collection (the process runs with --expose-gc), then memory: what is really retained.
        globalThis.gc?.();
        reply(process.memoryUsage());
        break;
      case 'call': {
        const command = app.commands?.[raw.name ?? ''];
        if (!command) {
          send({ type: 'reply', id: raw.id, error: `the ${config.kind} app has no command ${String(raw.name)}` });
          break;
        }
        command(raw.args).then(reply, (error: unknown) =>
          send({ type: 'reply', id: raw.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
        );
        break;
      }
      case 'stop':
        void stop().then(() => send({ type: 'reply', id: raw.id, result: null }, () => process.disconnect?.()));
        break;
      default:
        send({ type: 'reply', id: raw.id, error: `unknown op ${String((raw as { op?: unknown }).op)}` });
    }
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
