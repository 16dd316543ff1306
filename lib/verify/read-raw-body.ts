/**
 * Obtains the exact raw body bytes of a Node request: from `express.raw()`, or by reading the stream with a size cap.
 */
import type { IncomingMessage } from 'node:http';
import { RawBodyError } from './raw-body-error.js';

/** A Node request as seen by a middleware: `body` may have been set by a body parser mounted earlier. */
export type RequestWithBody = IncomingMessage & { body?: unknown; _body?: unknown };

const CONSUMED_MESSAGE =
  'The raw request body was already consumed by another body parser (e.g. express.json()), so the ' +
  'X-Chameleon-Signature cannot be checked against the exact bytes that were signed. Mount ' +
  'verifyChameleonWebhook() before express.json() (register the webhook route first, or apply ' +
  'express.json() only to other routes), or parse this route with express.raw({ type: "*/*" }).';

function tooLarge(limit: number): RawBodyError {
  return new RawBodyError('too_large', `The request body is larger than the limit of ${limit} bytes`);
}

/** True when nothing has read the request stream yet, so its bytes are still ours to read. */
function isUnread(req: RequestWithBody): boolean {
  return !req.readableDidRead && !req.readableEnded && req._body !== true;
}

/**
 * Reads the request stream to its end, failing as soon as more than `limit` bytes arrive
 * (or at once when `Content-Length` already says so). On failure the rest of the body is discarded.
 *
 * @throws RawBodyError `too_large` or `unreadable`.
 * @internal
 */
export function readRequestStream(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume(); // discard the body, so the client still reads our answer
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (error: RawBodyError): void => {
      cleanup();
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) fail(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (): void => fail(new RawBodyError('unreadable', 'The request body could not be read'));
    const onClose = (): void => fail(new RawBodyError('unreadable', 'The request was aborted before its body was read'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The exact raw body: `req.body` when a host's `express.raw()` left a Buffer there, otherwise
 * the request stream read here. A body already parsed (or read) by another middleware cannot be
 * verified, and fails with an explanation of how to mount the middleware.
 *
 * @throws RawBodyError `too_large`, `consumed` or `unreadable`.
 * @internal
 */
export async function obtainRawBody(req: RequestWithBody, limit: number): Promise<Buffer> {
  const { body } = req;
  if (body instanceof Uint8Array) {
    if (body.byteLength > limit) throw tooLarge(limit);
    return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  if (isUnread(req)) return readRequestStream(req, limit);
  throw new RawBodyError('consumed', CONSUMED_MESSAGE);
}
