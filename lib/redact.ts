/**
 * Keeps secrets out of log lines: every object the package logs goes through {@link redact}
 * before it reaches the host's logger. Values under secret-looking keys (`secret`, `api_key`,
 * `authorization`, `x-account-secret`, `webhook_signing_key`, `cookie`…) become `[redacted]`,
 * and strings (paths, URLs, error messages) lose the account secret of a data-in path
 * (`/v3/observe/hooks/<secret>/…`) and of an `account_secret=` parameter.
 */
import type { Logger } from './logger.js';

/** What replaces a secret. */
export const REDACTED = '[redacted]';

/** Keys whose values are secrets, whatever their case or separators. */
const SECRET_KEY = /secret|api_?key|authorization|password|passwd|token|signing_?key|cookie|x-cio-signature|x-chameleon-signature/i;

/** The secret segment of a data-in path, and a secret query or form parameter. */
const SECRET_PATH = /(\/v3\/observe\/hooks\/)(?!(?:profiles|companies|events|customerio|batch)(?:[/?#]|$))[^/?#\s"']+/g;
const SECRET_PARAM = /(account_secret=)[^&\s"']+/gi;

/** How deep objects are walked; deeper values (and cycles) are replaced by `'[…]'`, never passed unredacted. */
const MAX_DEPTH = 6;

/**
 * A string without the secrets of data-in paths and `account_secret=` parameters.
 *
 * @example
 * redactString('POST /v3/observe/hooks/acct_s3cr3t/profiles') // 'POST /v3/observe/hooks/:account_secret/profiles'
 * redactString('/v3/edit/webhooks?account_secret=acct_s3cr3t') // '/v3/edit/webhooks?account_secret=[redacted]'
 */
export function redactString(text: string): string {
  if (!text.includes('/v3/observe/hooks/') && !/account_secret=/i.test(text)) return text;
  return text.replace(SECRET_PATH, '$1:account_secret').replace(SECRET_PARAM, `$1${REDACTED}`);
}

/** `name=value` or `name: value` pairs whose name looks secret (`password=…`, `token: …`, `Authorization: Bearer …`, `"secret":"…"`). */
const SECRET_PAIR = /\b([\w-]*(?:secret|api_?key|authorization|password|passwd|token|signing_?key|cookie)[\w-]*)(["']?\s*[=:]\s*)(?:bearer\s+|basic\s+)?(?:"[^"]*"|'[^']*'|[^\s&,;"']+)/gi;

/**
 * A free-form text (a host's error message or stack) without the values of secret-looking
 * `name=value` / `name: value` pairs, on top of {@link redactString}: for errors the package did
 * not write, whose messages may carry anything.
 *
 * @example
 * redactFreeText('session store down: password=hunter2') // 'session store down: password=[redacted]'
 */
export function redactFreeText(text: string): string {
  return redactString(text).replace(SECRET_PAIR, `$1$2${REDACTED}`);
}

function redactError(error: Error, depth: number): unknown {
  const message = redactString(error.message);
  const stack = error.stack === undefined ? undefined : redactString(error.stack);
  if (message === error.message && stack === error.stack) return error;
  // A plain copy with the same shape pino's error serializer reads (type, message, stack, code).
  const copy: Record<string, unknown> = { type: error.name, message, stack };
  for (const key of Object.keys(error)) copy[key] = redactValue(key, (error as unknown as Record<string, unknown>)[key], depth + 1);
  return copy;
}

function redactValue(key: string, value: unknown, depth: number): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactError(value, depth);
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((item) => redactValue('', item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = redactValue(k, (value as Record<string, unknown>)[k], depth + 1);
  return out;
}

/**
 * A copy of a log object without secrets (see the module comment); the object itself is never changed.
 *
 * @example
 * redact({ path: '/v3/observe/hooks/acct_s3cr3t/profilez', headers: { 'x-account-secret': 'acct_s3cr3t' } })
 * // { path: '/v3/observe/hooks/:account_secret/profilez', headers: { 'x-account-secret': '[redacted]' } }
 */
export function redact(obj: object): object {
  return redactValue('', obj, 0) as object;
}

/** The host's logger behind redaction: every object and message is redacted first. */
export function redactingLogger(logger: Logger): Logger {
  const wrap = (method: keyof Logger) => (obj: object, msg?: string): void => {
    logger[method](redact(obj), msg === undefined ? undefined : redactString(msg));
  };
  return Object.freeze({ debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') });
}
