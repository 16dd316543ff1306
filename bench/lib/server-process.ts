/**
 * Starts a server process (bench/lib/server-child.ts, forked with tsx) running one app, and
 * talks to it over IPC. Every process started here is tracked so the run can end it on failure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerConfig, ServerKind } from '../servers/index.js';

/** A control request to the server process. */
export interface ControlRequest {
  id: number;
  op: 'cpu' | 'memory' | 'resourceUsage' | 'gc' | 'stop' | 'call';
  /** With `call`: the app's command (see `ServerApp.commands`) and its JSON argument. */
  name?: string;
  args?: unknown;
}

/** A message from the server process. */
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; error: string }
  | { type: 'reply'; id: number; result?: unknown; error?: string };

/** A running server process. */
export interface ServerProcess {
  kind: ServerKind;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** The process's own CPU time so far (µs), measured inside it. */
  cpu(): Promise<NodeJS.CpuUsage>;
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Includes `maxRSS` (kilobytes): the kernel's peak resident set size of the process. */
  resourceUsage(): Promise<NodeJS.ResourceUsage>;
  /** Forces a full garbage collection in the process, then reports its memory (what is retained). */
  memoryAfterGc(): Promise<NodeJS.MemoryUsage>;
  /** Runs one of the app's own commands (`ServerApp.commands`) in the process and resolves with its JSON result. */
  call<T>(name: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Stops the app and waits for the process to exit (killed after 15 s). */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const live = new Set<ChildProcess>();

/** Kills the server processes this run started and that are still running (on failure or Ctrl-C). */
export function killStartedServers(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

/**
 * Forks a server process for `config` and resolves once it listens. With `BENCH_CPU_PROF=<dir>`
 * the process also writes a V8 CPU profile there when it stops (for finding hot spots), and with
 * `BENCH_ALLOC_PROF=<dir>` a sampled allocation profile, garbage included (see `server-child.ts`).
 */
export async function startServer(config: ServerConfig): Promise<ServerProcess> {
  // --expose-gc only makes `gc()` callable (for `memoryAfterGc`); it changes nothing else.
  const execArgv = ['--import', 'tsx', '--expose-gc'];
  if (process.env.BENCH_CPU_PROF) execArgv.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`);
  const child = fork(CHILD, [JSON.stringify(config)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${config.kind} server process did not start within 60 s`)), 60_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the ${config.kind} server process failed to start: ${message.error}`));
      } else if (message.type === 'reply') {
        const waiter = pending.get(message.id);
        if (!waiter) return;
        pending.delete(message.id);
        clearTimeout(waiter.timer);
        if (message.error) waiter.reject(new Error(message.error));
        else waiter.resolve(message.result);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${config.kind} server process exited (${signal ?? code})`));
      for (const waiter of pending.values()) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`the ${config.kind} server process exited (${signal ?? code})`));
      }
      pending.clear();
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  const control = <T>(op: ControlRequest['op'], timeoutMs = 30_000, extra: Pick<ControlRequest, 'name' | 'args'> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`the ${config.kind} server process is not running`));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the ${config.kind} server process did not answer "${extra.name ?? op}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      child.send({ id, op, ...extra } satisfies ControlRequest);
    });

  return {
    kind: config.kind,
    pid: child.pid ?? -1,
    baseUrl: `http://127.0.0.1:${port}`,
    cpu: () => control<NodeJS.CpuUsage>('cpu'),
    memory: () => control<NodeJS.MemoryUsage>('memory'),
    resourceUsage: () => control<NodeJS.ResourceUsage>('resourceUsage'),
    memoryAfterGc: () => control<NodeJS.MemoryUsage>('gc'),
    call: <T>(name: string, args?: unknown, timeoutMs = 60_000) => control<T>('call', timeoutMs, { name, args }),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await control('stop', 15_000).catch(() => child.kill('SIGKILL'));
      await exited;
      clearTimeout(killer);
    },
  };
}
