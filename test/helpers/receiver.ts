/**
 * A local webhook receiver for tests: an HTTP or HTTPS server on 127.0.0.1 that records every request and answers as told.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { testCertificate } from './tls.js';

/** One request the receiver got. */
export interface ReceivedRequest {
  /** The HTTP method. */
  method: string;
  /** The path and query. */
  path: string;
  /** The request headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The raw body bytes. */
  body: Buffer;
  /** `Date.now()` when the body had been read. */
  receivedAt: number;
}

/** How the receiver answers one request. */
export interface ReceiverReply {
  /** The status code. */
  status: number;
  /** Response headers. */
  headers?: Record<string, string | number | string[]>;
  /** The body: bytes, text, or chunks written as they come (see {@link drip}). */
  body?: string | Buffer | AsyncIterable<string | Buffer>;
  /** Wait this long before answering; `Infinity` never answers. */
  delayMs?: number;
}

/** Decides the answer to a request; the default answers `200 {"ok":true}`. */
export type ReceiverHandler = (req: IncomingMessage, body: Buffer) => ReceiverReply | Promise<ReceiverReply>;

/** A running receiver. */
export interface Receiver {
  /** The receiver's base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Every request received, oldest first. */
  requests: ReceivedRequest[];
  /** Replaces the handler for the following requests. */
  setHandler(handler: ReceiverHandler): void;
  /** Stops the server, destroying open connections and pending answers. */
  close(): Promise<void>;
}

/** Options of {@link startReceiver}. */
export interface ReceiverOptions {
  /** Serve HTTPS with the {@link testCertificate} (trust it with `ca: cert`). @defaultValue false */
  https?: boolean;
  /** Listen on this port (e.g. one an endpoint already points at). @defaultValue a free port */
  port?: number;
}

const DEFAULT_HANDLER: ReceiverHandler = () => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"ok":true}',
});

/**
 * A body that writes `chunk` `count` times, `intervalMs` apart: a slow-drip response.
 *
 * @example
 * setHandler(() => ({ status: 200, body: drip('x', 100, 50) }));
 */
export async function* drip(chunk: string | Buffer, count: number, intervalMs: number): AsyncIterable<string | Buffer> {
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(intervalMs, undefined, { ref: false });
    yield chunk;
  }
}

/**
 * Starts a receiver on 127.0.0.1 on a free port.
 *
 * @example
 * const receiver = await startReceiver((req, body) => ({ status: 410 }), { https: true });
 * // … send to receiver.url …
 * expect(receiver.requests).toHaveLength(1);
 * await receiver.close();
 */
export async function startReceiver(handler: ReceiverHandler = DEFAULT_HANDLER, options: ReceiverOptions = {}): Promise<Receiver> {
  let current = handler;
  let closed = false;
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, receivedAt: Date.now() });
    let reply: ReceiverReply;
    try {
      reply = await current(req, body);
    } catch (error) {
      reply = { status: 500, body: String(error) };
    }
    const delayMs = reply.delayMs ?? 0;
    if (delayMs === Infinity) return;
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.add(timer);
      });
    }
    if (closed || res.destroyed) return;
    res.writeHead(reply.status, reply.headers);
    const out = reply.body;
    if (out === undefined || typeof out === 'string' || Buffer.isBuffer(out)) {
      res.end(out);
      return;
    }
    for await (const chunk of out) {
      if (closed || res.destroyed) return;
      res.write(chunk);
    }
    res.end();
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    answer(req, res).catch(() => res.destroy());
  };
  const server = options.https ? https.createServer(await testCertificate(), listener) : http.createServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.https ? 'https' : 'http'}://127.0.0.1:${port}/`,
    port,
    requests,
    setHandler(next) {
      current = next;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
