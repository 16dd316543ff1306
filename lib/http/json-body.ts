/**
 * Reads a JSON request body with a byte limit (also after gzip/deflate inflation), checks
 * the content type and charset, decodes strict UTF-8 and parses it. Built on Express's own
 * `raw` body reader so a lying `Content-Length`, an aborted upload or a gzip bomb is stopped
 * at the limit. A body the host already parsed (a global `express.json()`) is used as it is.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { ChameleonError } from '../errors.js';

/** How to read one route's body. */
export interface JsonBodyOptions {
  /** The largest body accepted, in bytes (after decompression). */
  limitBytes: number;
  /** The message of the `413` answer. */
  tooLargeMessage: string;
  /**
   * Accept a body that parses as JSON whatever its `Content-Type` (missing, `text/plain`, or
   * `application/x-www-form-urlencoded` as `curl -d` sends): partners such as Customer.io's
   * webhook actions send no header, and the data-in routes require none (seed 000). A declared
   * charset other than UTF-8 is still refused. @defaultValue false (`415` unless JSON)
   */
  anyContentType?: boolean;
  /**
   * Checks the exact body bytes before they are parsed (a signature), throwing to refuse the
   * request. `raw` is `undefined` when a host-level parser already consumed the body.
   */
  verifyRaw?: (raw: Buffer | undefined, req: Request, res: Response) => Promise<void> | void;
  /**
   * Keep the body's text (decoded once, as it was parsed) in `res.locals.chameleonBodyText`, for
   * a route that stores the body as received. Unset when a host-level parser read the body.
   * @defaultValue false
   */
  keepText?: boolean;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json$/i;
/** Charsets a JSON body may declare: JSON is UTF-8 (RFC 8259 §8.1); ASCII is a subset of it. */
const UTF8_CHARSETS: ReadonlySet<string> = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
/** Strict: a malformed byte throws instead of becoming U+FFFD; a leading BOM is dropped. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

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

/** The `charset` parameter of a content type, lower-cased, or `undefined` when it has none. */
function charsetOf(header: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(header);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** Decodes strict UTF-8 (a malformed byte is an error, never a silent U+FFFD), without a leading BOM. */
function decodeUtf8(raw: Buffer): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw new ChameleonError('CH_ERR_MALFORMED', 'The request body is not valid UTF-8');
  }
}

/**
 * What the body reader left in `req.body`: our raw bytes, or a body a host-level parser already
 * read. A host's `express.urlencoded()` turns `curl -d '{"uid":"1"}'` into `{'{"uid":"1"}': ''}`:
 * that one key is the JSON text, and is read as such.
 */
function readBodyValue(body: unknown): { raw: Buffer } | { parsed: unknown } {
  if (Buffer.isBuffer(body)) return { raw: body };
  if (typeof body === 'string') return { raw: Buffer.from(body, 'utf8') };
  if (typeof body === 'object' && body !== null) {
    const keys = Object.keys(body);
    const only = keys.length === 1 ? keys[0]! : undefined;
    if (only !== undefined && only.startsWith('{') && (body as Record<string, unknown>)[only] === '') return { raw: Buffer.from(only, 'utf8') };
    return { parsed: body };
  }
  return { raw: Buffer.alloc(0) };
}

/**
 * The `400` message of a body that does not parse: the position only, never an excerpt of the
 * body (V8's message quotes up to 10 characters of it, which may be part of a secret).
 */
function malformedMessage(error: unknown, contentType: string | undefined, anyContentType: boolean): string {
  const position = /at position (\d+)/.exec((error as Error).message)?.[1];
  const where = position === undefined ? '' : ` at position ${position}`;
  if (anyContentType && !isJsonContentType(contentType)) {
    const sentAs = contentType ? ` (sent as ${contentType.split(';', 1)[0]!.trim().slice(0, 80)})` : '';
    return `The request body is not JSON${sentAs}${where}: send a JSON object such as {"uid":"1"}; no Content-Type header is required`;
  }
  return `Malformed JSON${where}: the body must be a JSON object`;
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
 * 415 (not JSON, unless `anyContentType`), 413 (over the limit) or 400 (unreadable, malformed,
 * not an object).
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  const readRaw = express.raw({ type: () => true, limit: options.limitBytes, inflate: true });
  const anyType = options.anyContentType === true;
  /** The parsed object of a read body; throws the documented error when it is not one. */
  const parse = (body: { raw: Buffer } | { parsed: unknown }, contentType: string | undefined, res: Response): object => {
    let parsed: unknown;
    if ('parsed' in body) {
      parsed = body.parsed;
    } else {
      if (body.raw.length === 0) throw new ChameleonError('CH_ERR_MALFORMED', 'The request body is empty: send a JSON object');
      const text = decodeUtf8(body.raw);
      if (options.keepText) res.locals.chameleonBodyText = text;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new ChameleonError('CH_ERR_MALFORMED', malformedMessage(error, contentType, anyType));
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ChameleonError('CH_ERR_MALFORMED', 'The request body must be a JSON object');
    }
    return parsed;
  };
  // Callbacks rather than an async function: this runs on every data-in request, and a body that
  // needs no `verifyRaw` is parsed in the read's own callback, with no promise in between.
  return (req, res, next) => {
    const contentType = req.headers['content-type'];
    try {
      checkContentType(contentType, anyType);
    } catch (error) {
      next(error);
      return;
    }
    readRaw(req, res, (readError?: unknown) => {
      if (readError) {
        next(toReadError(readError, options.tooLargeMessage));
        return;
      }
      const body = readBodyValue(req.body);
      const accept = (): void => {
        let parsed: object;
        try {
          parsed = parse(body, contentType, res);
        } catch (error) {
          next(error);
          return;
        }
        req.body = parsed;
        next();
      };
      if (!options.verifyRaw) {
        accept();
        return;
      }
      Promise.resolve()
        .then(() => options.verifyRaw!('raw' in body ? body.raw : undefined, req, res))
        .then(accept, next);
    });
  };
}

/** Throws the documented `415` unless the content type may carry the JSON body. */
function checkContentType(contentType: string | undefined, anyType: boolean): void {
  if (!anyType && !isJsonContentType(contentType)) {
    throw new ChameleonError('CH_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with `Content-Type: application/json`');
  }
  const charset = contentType === undefined ? undefined : charsetOf(contentType);
  if (charset !== undefined && !UTF8_CHARSETS.has(charset)) {
    throw new ChameleonError('CH_ERR_UNSUPPORTED_MEDIA_TYPE', `Unsupported charset "${charset.slice(0, 40)}": send the JSON body as UTF-8`);
  }
}
