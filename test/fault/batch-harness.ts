/**
 * Starts `batch-host.ts` children for the batch fault tests.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Options } from '../../lib/index.js';

const SCRIPT = fileURLToPath(new URL('./batch-host.ts', import.meta.url));

/** The account secret of every batch host. */
export const FAULT_SECRET = 'acct_fault_secret_0123456789';

/** A running batch host. */
export interface BatchHost {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `kill -9`, and wait until it is gone. */
  kill9(): Promise<void>;
  /** Closes the package (gives back its batches) and waits for the process to exit. */
  close(): Promise<void>;
}

/** Starts a host process on `uri`/`dbName` with extra options; resolves once it listens. */
export async function startBatchHost(uri: string, dbName: string, options: Partial<Options>): Promise<BatchHost> {
  const child = fork(SCRIPT, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAULT_MONGO_URI: uri, FAULT_DB_NAME: dbName, FAULT_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('batch host did not become ready')), 60_000);
    child.on('message', (m: { ready?: boolean; port?: number }) => {
      if (m.ready) {
        clearTimeout(timer);
        resolve(m.port!);
      }
    });
    void exited.then(() => reject(new Error('batch host exited early')));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ op: 'close' });
      await exited;
    },
  };
}
