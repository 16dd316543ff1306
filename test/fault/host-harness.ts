/**
 * Starts and drives `host-process.ts` children for the fault tests.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Collection, Document } from 'mongodb';
import type { Options } from '../../lib/index.js';

const SCRIPT = fileURLToPath(new URL('./host-process.ts', import.meta.url));

/** A running host process. */
export interface Host {
  child: ChildProcess;
  pid: number;
  /** Sends a command and waits for its answer. */
  call<T = unknown>(op: 'publish' | 'publishMany' | 'close' | 'createEndpoint' | 'setCustomerio', ...args: unknown[]): Promise<T>;
  /** `kill -9`, and wait until it is gone. */
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts a host process on `uri`/`dbName` with extra options; resolves once it is ready. */
export async function startHost(uri: string, dbName: string, options: Partial<Options>): Promise<Host> {
  const child = fork(SCRIPT, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAULT_MONGO_URI: uri, FAULT_DB_NAME: dbName, FAULT_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('host process did not become ready')), 60_000);
    child.on('message', (m: { ready?: boolean; pid?: number }) => {
      if (m.ready) {
        clearTimeout(timer);
        resolve(m.pid!);
      }
    });
    void exited.then((code) => reject(new Error(`host process exited early (${code})`)));
  });
  let next = 0;
  return {
    child,
    pid,
    exited,
    call<T>(op: 'publish' | 'publishMany' | 'close' | 'createEndpoint' | 'setCustomerio', ...args: unknown[]): Promise<T> {
      const id = ++next;
      return new Promise<T>((resolve, reject) => {
        const onMessage = (m: { id?: number; ok?: boolean; result?: T; error?: string }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          if (m.ok) resolve(m.result as T);
          else reject(new Error(m.error));
        };
        child.on('message', onMessage);
        void exited.then((code) => reject(new Error(`host process exited (${code}) before answering ${op}`)));
        child.send({ id, op, args });
      });
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * How many successful (200) attempts each process made on deliveries of `topic`, keyed by the
 * attempt log's `by` (`<host>-<pid>`): shows the work was shared between the processes.
 */
export async function successesByProcess(deliveries: Collection<Document>, topic: string): Promise<Map<string, number>> {
  const rows = await deliveries
    .aggregate<{ _id: string; count: number }>([
      { $match: { topic } },
      { $unwind: '$attempt_log' },
      { $match: { 'attempt_log.status': 200 } },
      { $group: { _id: '$attempt_log.by', count: { $sum: 1 } } },
    ])
    .toArray();
  return new Map(rows.map((r) => [r._id, r.count]));
}
