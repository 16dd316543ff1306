// Tests for lib/errors.ts: the registry of codes and statuses, error classes, and the single mapping to HTTP.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ERROR_CODES,
  ChameleonError,
  ForbiddenUrlError,
  InvalidOptionError,
  InvalidPayloadError,
  UnknownTopicError,
  type ErrorCode,
} from '../../lib/index.js';
import { toHttpError } from '../../lib/errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];
const ERRORS_SOURCE = readFileSync(fileURLToPath(new URL('../../lib/errors.ts', import.meta.url)), 'utf8');

describe('ERROR_CODES', () => {
  it.each(codes)('should map %s to a 4xx or 5xx status', (code) => {
    expect(code).toMatch(/^CH_ERR_[A-Z_]+$/);
    expect(Number.isInteger(ERROR_CODES[code])).toBe(true);
    expect(ERROR_CODES[code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_CODES[code]).toBeLessThanOrEqual(599);
  });

  it('should use the documented statuses for the HTTP errors of SPEC §3', () => {
    expect(ERROR_CODES).toMatchObject({
      CH_ERR_MALFORMED: 400,
      CH_ERR_FORBIDDEN: 403,
      CH_ERR_NOT_FOUND: 404,
      CH_ERR_TOO_LARGE: 413,
      CH_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
      CH_ERR_UNPROCESSABLE: 422,
      CH_ERR_RATE_LIMITED: 429,
      CH_ERR_INTERNAL: 500,
    });
  });

  it('should be frozen, so no status can be changed at run time', () => {
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
  });

  it.each(codes)('should document %s with a TSDoc comment in lib/errors.ts', (code) => {
    expect(ERRORS_SOURCE).toMatch(new RegExp(`/\\*\\*[^*]+\\*/\\s*${code}:`));
  });
});

describe('ChameleonError', () => {
  it.each(codes)('should carry the status of %s and answer {code, messages}', (code) => {
    const error = new ChameleonError(code, ['first', 'second'], { extra: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.status).toBe(ERROR_CODES[code]);
    expect(error.messages).toEqual(['first', 'second']);
    expect(error.message).toBe('first; second');
    expect(error.details).toEqual({ extra: 1 });
    expect(error.toBody()).toEqual({ code: ERROR_CODES[code], messages: ['first', 'second'] });
  });

  it('should accept a single message', () => {
    expect(new ChameleonError('CH_ERR_NOT_FOUND', 'gone').messages).toEqual(['gone']);
  });

  it.each<[string, () => ChameleonError, ErrorCode]>([
    ['ChameleonError', () => new ChameleonError('CH_ERR_INTERNAL', 'x'), 'CH_ERR_INTERNAL'],
    ['InvalidOptionError', () => new InvalidOptionError('delivery.timeoutMs', 'bad'), 'CH_ERR_INVALID_OPTION'],
    ['UnknownTopicError', () => new UnknownTopicError('tour.teleported'), 'CH_ERR_UNKNOWN_TOPIC'],
    ['InvalidPayloadError', () => new InvalidPayloadError('tour.started', ['missing profile']), 'CH_ERR_INVALID_PAYLOAD'],
    ['ForbiddenUrlError', () => new ForbiddenUrlError('http is not allowed'), 'CH_ERR_FORBIDDEN_URL'],
  ])('should set name to %s from the class and keep it a ChameleonError', (name, make, code) => {
    const error = make();
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(ChameleonError);
    expect(error.code).toBe(code);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
    expect(error.stack).toContain(name);
  });

  it('should take its name from a subclass the host defines', () => {
    class MyError extends ChameleonError {}
    expect(new MyError('CH_ERR_CONFLICT', 'x').name).toBe('MyError');
  });

  it('should name the bad option on InvalidOptionError', () => {
    const error = new InvalidOptionError('limits.bodyBytes', 'too small', { min: 1024 });
    expect(error.option).toBe('limits.bodyBytes');
    expect(error.details).toEqual({ option: 'limits.bodyBytes', min: 1024 });
    expect(error.message).toBe('Invalid option `limits.bodyBytes`: too small');
  });
});

describe('toHttpError', () => {
  it('should answer a ChameleonError with its status and messages', () => {
    expect(toHttpError(new ChameleonError('CH_ERR_TOO_LARGE', 'too big'))).toEqual({ status: 413, body: { code: 413, messages: ['too big'] } });
  });

  it.each<[string, unknown]>([
    ['a plain Error', new Error('connection to mongodb://admin:hunter2@db failed')],
    ['a TypeError', new TypeError('Cannot read properties of undefined (reading "secret")')],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['an object with a 5xx status', Object.assign(new Error('upstream'), { status: 503, expose: true })],
    ['an upstream response error with a 4xx status but not marked safe', Object.assign(new Error('GET https://internal/api 404'), { status: 404 })],
    ['an error with a 4xx statusCode only', Object.assign(new Error('internal detail'), { statusCode: 400 })],
  ])('should answer %s with a bare 500 that reveals nothing', (_label, error) => {
    const { status, body } = toHttpError(error);
    expect(status).toBe(500);
    expect(body).toEqual({ code: 500, messages: ['Internal error'] });
  });

  it('should keep the 4xx status of a client error raised by Express’s body reader', () => {
    const error = Object.assign(new Error('request entity too large'), { status: 413, expose: true, type: 'entity.too.large' });
    expect(toHttpError(error)).toEqual({ status: 413, body: { code: 413, messages: ['request entity too large'] } });
  });

  it('should answer the router’s URIError for a bad %-escape with 400 and a generic message', () => {
    const error = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    const { status, body } = toHttpError(error);
    expect(status).toBe(400);
    expect(body.code).toBe(400);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).not.toContain('%E0');
  });
});
