/**
 * vitest setup file (every test file): watches every HTTP response the test process sends, and
 * every line the package logs through test apps, for the test secrets (account secrets, webhook
 * secrets, Customer.io keys). A file whose run let one out fails in its `afterAll`, naming the
 * request and the secret (issue 11: "no response, error message or log line carries a secret").
 *
 * Responses are caught by wrapping `http.ServerResponse` (headers and body chunks, whichever
 * server sent them: the package, a host app, a test receiver); log lines by the logger that
 * `createTestApp` gives the package ({@link watchingLogger}). Responses that hand a secret out on
 * purpose are exempt: the dashboard's `POST …/secret/reveal` and `…/secret/rotate`. So is the
 * host's own Express 404 page (`Cannot POST /…`) for paths outside the package's mount: the
 * package never saw those requests.
 */
import http from 'node:http';
import { afterAll, expect } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT } from '../helpers/accounts.js';

/** The secrets the tests use; tests may add theirs with {@link watchSecret}. */
const SECRETS = new Set<string>([
  ACCOUNT.secret,
  ACCOUNT.webhookSecret,
  OTHER_ACCOUNT.secret,
  OTHER_ACCOUNT.webhookSecret,
  // Customer.io keys of the integration tests.
  'cio_api_key_0123456789',
  'cio_whsk_test_0123456789abcdef',
  'cio_track_api_key_0123456789',
  'cio_signing_key_abcdef',
  'cio_api_key_that_must_never_show_0123',
]);

/** Requests whose answer is meant to carry a secret (an admin reveals or rotates the signing secret). */
const EXEMPT = /\/secret\/(reveal|rotate)(\?|$)/;

const leaks: string[] = [];

/** Adds a secret to watch for (e.g. one a test created). */
export function watchSecret(secret: string): void {
  if (secret.length >= 8) SECRETS.add(secret);
}

/** Takes the leaks found so far (for the watcher's own test, which leaks on purpose). */
export function takeLeaks(): string[] {
  return leaks.splice(0);
}

function check(where: string, text: string): void {
  for (const secret of SECRETS) {
    const at = text.indexOf(secret);
    if (at >= 0) leaks.push(`${where}: …${text.slice(Math.max(0, at - 60), at)}<SECRET>${text.slice(at + secret.length, at + secret.length + 20)}…`);
  }
}

/** Express's own 404 page (finalhandler), which only a host app answers. */
function isHostNotFound(text: string): boolean {
  return text.startsWith('<!DOCTYPE html>') && /<pre>Cannot [A-Z]+ [^<]*<\/pre>/.test(text);
}

function textOf(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
  return '';
}

interface WatchedResponse extends http.ServerResponse {
  chameleonWatchLabel?: string;
}

function labelOf(res: WatchedResponse): string | undefined {
  if (res.chameleonWatchLabel === undefined) {
    const req = res.req as (http.IncomingMessage & { originalUrl?: string }) | undefined;
    const url = req?.originalUrl ?? req?.url ?? '?';
    const shown = url.replace(/[^/?&=]{16,}/g, (s: string) => (SECRETS.has(s) ? '<secret in request>' : s));
    res.chameleonWatchLabel = EXEMPT.test(url.split('?')[0]!) ? '' : `${req?.method ?? '?'} ${shown}`;
  }
  return res.chameleonWatchLabel === '' ? undefined : res.chameleonWatchLabel;
}

const proto = http.ServerResponse.prototype as WatchedResponse & { chameleonWatched?: boolean };
if (!proto.chameleonWatched) {
  proto.chameleonWatched = true;
  const write = proto.write;
  const end = proto.end;
  const writeHead = proto.writeHead;
  proto.writeHead = function (this: WatchedResponse, ...args: unknown[]) {
    const label = labelOf(this);
    if (label) check(`${label} (headers)`, JSON.stringify([this.getHeaders(), args.slice(1)]));
    return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
  } as typeof proto.writeHead;
  proto.write = function (this: WatchedResponse, chunk: unknown, ...rest: unknown[]) {
    const label = labelOf(this);
    if (label && !isHostNotFound(textOf(chunk))) check(label, textOf(chunk));
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof proto.write;
  proto.end = function (this: WatchedResponse, chunk?: unknown, ...rest: unknown[]) {
    const label = labelOf(this);
    if (label && !isHostNotFound(textOf(chunk))) {
      check(label, textOf(chunk));
      if (!this.headersSent) check(`${label} (headers)`, JSON.stringify(this.getHeaders()));
    }
    return (end as (...a: unknown[]) => http.ServerResponse).call(this, chunk, ...rest);
  } as typeof proto.end;
}

/** JSON of a log object that survives cycles, BigInts and errors. */
function logText(obj: unknown, msg: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify([obj, msg], (_key, value: unknown) => {
    if (typeof value === 'bigint') return String(value);
    if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack };
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[cycle]';
      seen.add(value);
    }
    return value;
  });
}

/** A pino-compatible logger that writes nothing and checks every line for the watched secrets. */
export function watchingLogger(): { debug(o: object, m?: string): void; info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void } {
  const line = (level: string) => (obj: object, msg?: string): void => check(`log ${level} "${msg ?? ''}"`, logText(obj, msg));
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

afterAll(() => {
  const found = leaks.splice(0);
  expect(found, 'a test secret left in a response or a log line').toEqual([]);
});
