/**
 * Reads a JSON request body with a byte limit (also after gzip/deflate inflation), checks
 * the content type, and parses it. Built on Express's own `raw` body reader so a lying
 * `Content-Length`, an aborted upload or a gzip bomb is stopped at the limit.
 */
import express, { type RequestHandler } from 'express';
import { ChameleonError } from '../errors.js';
import { asyncHandler } from './async-handler.js';

/** How to read one route's body. */
export interface JsonBodyOptions {
  /** The largest body accepted, in bytes (after decompression). */
  limitBytes: number;
  /** The message of the `413` answer. */
  tooLargeMessage: string;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json$/i;

/** Whether the request's content type is JSON (`application/json`, `application/*+json`). */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const mediaType = header.split(';', 1)[0]!.trim();
  return JSON_TYPE.test(mediaType);
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Maps the body reader's errors to the package's typed errors. */
function toReadError(error: unknown, tooLargeMessage: string): ChameleonError {
  const e = error as BodyParserError;
  switch (e?.type) {
    case 'entity.too.large':
      return new ChameleonError('CH_ERR_TOO_LARGE', tooLargeMessage);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ChameleonError('CH_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported content encoding or charset: send UTF-8 JSON, optionally gzip- or deflate-encoded');
    case 'request.size.invalid':
      return new ChameleonError('CH_ERR_MALFORMED', 'The body length does not match the Content-Length header');
    case 'request.aborted':
      return new ChameleonError('CH_ERR_MALFORMED', 'The request was aborted before its body was complete');
    default:
      if (e?.status === 400 || e?.status === 413 || e?.status === 415) {
        return e.status === 413
          ? new ChameleonError('CH_ERR_TOO_LARGE', tooLargeMessage)
          : new ChameleonError(e.status === 415 ? 'CH_ERR_UNSUPPORTED_MEDIA_TYPE' : 'CH_ERR_MALFORMED', 'The request body could not be read (bad compression or encoding)');
      }
      return new ChameleonError('CH_ERR_MALFORMED', 'The request body could not be read');
  }
}

/**
 * A middleware that leaves the parsed JSON object in `req.body`, or fails with
 * 415 (not JSON), 413 (over the limit) or 400 (unreadable, malformed, not an object).
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  const readRaw = express.raw({ type: () => true, limit: options.limitBytes, inflate: true });
  return asyncHandler(async (req, res, next) => {
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new ChameleonError('CH_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with `Content-Type: application/json`');
    }
    const raw = await new Promise<Buffer>((resolve, reject) => {
      readRaw(req, res, (error?: unknown) => {
        if (error) reject(toReadError(error, options.tooLargeMessage));
        else resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      });
    });
    if (raw.length === 0) throw new ChameleonError('CH_ERR_MALFORMED', 'The request body is empty: send a JSON object');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new ChameleonError('CH_ERR_MALFORMED', `Malformed JSON: ${(error as Error).message.slice(0, 200)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ChameleonError('CH_ERR_MALFORMED', 'The request body must be a JSON object');
    }
    req.body = parsed;
    next();
  });
}
