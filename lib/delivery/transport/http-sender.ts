/**
 * Sends one HTTP attempt over a pooled undici Agent: SSRF-guarded connect, a hard total timeout, no redirects, a capped response body, never throws.
 */
import type dns from 'node:dns';
import { rootCertificates } from 'node:tls';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { guardedLookup, ipLiteralHost, isPublicAddress, FORBIDDEN_ADDRESS_CODE } from './ssrf-guard.js';
import { parseRetryAfter } from './retry-after.js';
import type { AttemptErrorKind } from '../destinations/transport.js';

/** The outcome of one HTTP request. */
export interface HttpResult {
  /** A `2xx` status arrived and the response completed within the timeout. */
  ok: boolean;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** Wall time of the attempt, in ms. */
  durationMs: number;
  /** The first `responseBodyBytes` bytes of the response body, as UTF-8 cut on a character boundary. */
  responseBody?: string;
  /** A human-readable reason, on failure. */
  error?: string;
  /** The kind of failure. */
  errorKind?: AttemptErrorKind;
  /** The receiver's `Retry-After` on `429`/`503`, in ms, capped at 24 h. */
  retryAfterMs?: number;
}

/** One attempt to send. */
export interface SendRequest {
  /** The HTTP method. @defaultValue `'POST'` */
  method?: 'POST' | 'PUT';
  /** The endpoint URL (already checked with `checkEndpointUrl`). */
  url: string;
  /** The exact body bytes, as a string. */
  body: string;
  /** Request headers; `User-Agent` is set by the sender. */
  headers: Record<string, string>;
}

/** Options of {@link createHttpSender}. */
export interface HttpSenderOptions {
  /** Total time of one attempt (connect, headers and body), in ms. */
  timeoutMs: number;
  /** The `User-Agent` header of every attempt. */
  userAgent: string;
  /** Extra CA certificates (PEM) trusted in addition to Node's root certificates. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Allow loopback, private and other non-public target addresses. */
  allowPrivateNetworks: boolean;
  /**
   * Send to plain `http://` URLs. Off, an endpoint stored while `delivery.allowHttp` was on is
   * refused at send time. Required: no default, so no caller gets plaintext by accident.
   */
  allowHttp: boolean;
  /** Bytes of each response body kept (the rest is never read). */
  responseBodyBytes: number;
  /** The DNS resolver under the SSRF check. @defaultValue `dns.lookup` */
  lookup?: typeof dns.lookup;
  /** Connections kept per origin. @defaultValue unlimited (undici's default) */
  connections?: number;
}

/** Sends attempts; `close()` ends the pooled connections. */
export interface HttpSender {
  /** POSTs one attempt; always resolves, never rejects. */
  send(request: SendRequest): Promise<HttpResult>;
  /** Closes the connection pool once in-flight attempts finish. */
  close(): Promise<void>;
}

const MAX_LOCATION_CHARS = 512;

function errorChain(error: unknown): Array<{ code?: unknown; message?: unknown }> {
  const chain: Array<{ code?: unknown; message?: unknown }> = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as { code?: unknown; message?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function messageOf(error: unknown): string {
  const chain = errorChain(error);
  const best = chain.find((e) => typeof e.code === 'string' && e.code.length > 0 && !String(e.code).startsWith('UND_ERR')) ?? chain[0];
  const message = best && typeof best.message === 'string' && best.message ? best.message : String(error);
  const code = best && typeof best.code === 'string' ? best.code : undefined;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps a thrown error to a failed-attempt kind and message. */
function describeError(error: unknown, timeoutMs: number): { errorKind: AttemptErrorKind; error: string } {
  const chain = errorChain(error);
  const codes = chain.map((e) => (typeof e.code === 'string' ? e.code : ''));
  const forbidden = chain[codes.indexOf(FORBIDDEN_ADDRESS_CODE)];
  if (forbidden) return { errorKind: 'forbidden_address', error: String(forbidden.message) };
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return { errorKind: 'timeout', error: `Timed out after ${timeoutMs} ms` };
  if (codes.some((c) => /CERT|^ERR_TLS_|^ERR_SSL_|SSL/.test(c))) return { errorKind: 'tls', error: `TLS error: ${messageOf(error)}` };
  if (codes.includes('UND_ERR_INVALID_ARG')) return { errorKind: 'network', error: `Invalid request: ${messageOf(error)}` };
  return { errorKind: 'network', error: `Network error: ${messageOf(error)}` };
}

/** Reads at most `cap` bytes of a body, then destroys it; returns them as UTF-8 cut on a character boundary. */
async function readCapped(body: Readable, cap: number): Promise<string> {
  if (cap <= 0) {
    body.on('error', () => undefined).destroy(); // undici reports the early end as an error: expected here
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = cap - size;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(part);
    size += part.length;
    if (size >= cap) break; // leaving the loop destroys the stream: the rest is never read
  }
  // StringDecoder.write holds back an incomplete trailing character instead of mangling it.
  return new StringDecoder('utf8').write(Buffer.concat(chunks, size));
}

function withUserAgent(headers: Record<string, string>, userAgent: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'user-agent') out[name] = value;
  }
  out['User-Agent'] = userAgent;
  return out;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Refuses, before any connection, a URL the sender cannot or must not reach. */
function refuseUrl(url: string, allowPrivateNetworks: boolean, allowHttp: boolean): { errorKind: AttemptErrorKind; error: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { errorKind: 'forbidden_address', error: 'Invalid endpoint URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { errorKind: 'forbidden_address', error: `Unsupported URL scheme ${parsed.protocol}` };
  if (parsed.protocol === 'http:' && !allowHttp) return { errorKind: 'forbidden_url', error: 'The endpoint URL uses http, which is not enabled (delivery.allowHttp is off)' };
  const literal = ipLiteralHost(parsed);
  if (!allowPrivateNetworks && literal !== undefined && !isPublicAddress(literal)) {
    return { errorKind: 'forbidden_address', error: `${parsed.hostname} is not a public address (delivery.allowPrivateNetworks is off)` };
  }
  return undefined;
}

/**
 * Creates the sender of webhook attempts: one keep-alive connection pool whose connector
 * resolves names through {@link guardedLookup}, so private addresses are refused at connect time.
 * Redirects are never followed, the whole attempt is bounded by `timeoutMs`, and only
 * `responseBodyBytes` of the response are read.
 *
 * @example
 * const sender = createHttpSender({ timeoutMs: 7000, userAgent: 'Chameleon Webhooks/v3', allowPrivateNetworks: false, responseBodyBytes: 4096 });
 * const result = await sender.send({ url, body, headers: { 'Content-Type': 'application/json' } });
 * await sender.close();
 */
export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const { timeoutMs, userAgent, allowPrivateNetworks, responseBodyBytes } = options;
  const extraCa = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  const agent = new Agent({
    connect: {
      lookup: guardedLookup({ allowPrivateNetworks, lookup: options.lookup }),
      timeout: timeoutMs,
      ...(extraCa.length > 0 ? { ca: [...rootCertificates, ...extraCa] } : {}),
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
  });

  async function send(attempt: SendRequest): Promise<HttpResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const refused = refuseUrl(attempt.url, allowPrivateNetworks, options.allowHttp);
    if (refused) return { ok: false, durationMs: elapsed(), ...refused };

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`Timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    let status: number | undefined;
    try {
      const response = await request(attempt.url, {
        dispatcher: agent,
        method: attempt.method ?? 'POST',
        headers: withUserAgent(attempt.headers, userAgent),
        body: attempt.body,
        signal: controller.signal,
      });
      status = response.statusCode;
      const headers = response.headers;
      const responseBody = await readCapped(response.body, responseBodyBytes);
      const result: HttpResult = { ok: status >= 200 && status < 300, status, durationMs: elapsed(), responseBody };
      if (status === 429 || status === 503) {
        const retryAfterMs = parseRetryAfter(headers['retry-after'], new Date());
        if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
      }
      if (status >= 300 && status < 400) {
        const location = (header(headers, 'location') ?? '(none)').slice(0, MAX_LOCATION_CHARS);
        result.errorKind = 'redirect';
        result.error = `Redirect ${status} to ${location} not followed`;
      } else if (!result.ok) {
        result.errorKind = 'http';
        result.error = `HTTP ${status}`;
      }
      return result;
    } catch (error) {
      const failure = timedOut ? { errorKind: 'timeout' as const, error: `Timed out after ${timeoutMs} ms` } : describeError(error, timeoutMs);
      const durationMs = failure.errorKind === 'timeout' ? Math.max(elapsed(), timeoutMs) : elapsed();
      return { ok: false, ...(status !== undefined ? { status } : {}), durationMs, ...failure };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    send,
    close: () => agent.close(),
  };
}
