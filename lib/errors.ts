/**
 * The package's error registry: one code per meaning, each mapped to an HTTP status,
 * and the single place where an error becomes the documented `{code, messages}` body.
 */

/** Every error code the package throws, mapped to the HTTP status it answers with (frozen). */
export const ERROR_CODES = Object.freeze({
  /** An option passed to `chameleonHooks()` is missing or invalid. */
  CH_ERR_INVALID_OPTION: 500,
  /** The request body is not valid JSON, or the request is otherwise malformed. */
  CH_ERR_MALFORMED: 400,
  /** The dashboard's `authorize` refused the request (no grant). */
  CH_ERR_UNAUTHORIZED: 401,
  /** A signed request (a Customer.io reporting webhook) whose signature or timestamp does not verify. */
  CH_ERR_INVALID_SIGNATURE: 401,
  /** No account secret, or one that names no account; or a dashboard viewer tried to act. */
  CH_ERR_FORBIDDEN: 403,
  /** The route or the record does not exist. */
  CH_ERR_NOT_FOUND: 404,
  /** The route exists, but not with this method (the answer's `Allow` header lists those it has). */
  CH_ERR_METHOD_NOT_ALLOWED: 405,
  /** The body is larger than the configured limit. */
  CH_ERR_TOO_LARGE: 413,
  /** The body is not `application/json`. */
  CH_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  /** The body is JSON but does not satisfy the endpoint's schema or rules. */
  CH_ERR_UNPROCESSABLE: 422,
  /** A uniqueness rule was violated (e.g. an email that belongs to another profile). */
  CH_ERR_CONFLICT: 422,
  /** Too many requests; the body carries `wait` seconds. */
  CH_ERR_RATE_LIMITED: 429,
  /** `publish()` was given a topic that is not one of `TOPICS`. */
  CH_ERR_UNKNOWN_TOPIC: 422,
  /** `publish()` data does not match the topic's schema. */
  CH_ERR_INVALID_PAYLOAD: 422,
  /** An endpoint URL is not allowed (scheme, private address, malformed). */
  CH_ERR_FORBIDDEN_URL: 422,
  /** The package is closed or not ready. */
  CH_ERR_NOT_READY: 503,
  /** MongoDB cannot be reached right now; the request changed nothing and may be sent again. */
  CH_ERR_DATABASE_UNAVAILABLE: 503,
  /** The dashboard's `authorize` threw or rejected (the host's session store is down, say), or returned something that is not a grant; nothing was shown or changed. */
  CH_ERR_AUTHORIZE_FAILED: 503,
  /** Too many batch bytes are being read at once (`batches.inFlightBytes`); nothing was read or stored, retry after `Retry-After`. */
  CH_ERR_BUSY: 503,
  /** Something unexpected went wrong inside the package (never caused by input). */
  CH_ERR_INTERNAL: 500,
} as const);

/** One of the package's error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The documented error body of every endpoint. */
export interface ErrorBody {
  code: number;
  messages: string[];
  /** Seconds to wait, on `429` only. */
  wait?: number;
}

/**
 * The base class of every error the package throws on purpose.
 * `status` comes from {@link ERROR_CODES}; `messages` are safe to show to the caller.
 */
export class ChameleonError extends Error {
  /** The registry code, e.g. `CH_ERR_UNPROCESSABLE`. */
  readonly code: ErrorCode;
  /** The HTTP status this error answers with. */
  readonly status: number;
  /** Human-readable messages for the response body. */
  readonly messages: string[];
  /** Extra structured details (validator output, the option name, …). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, messages: string | string[], details?: Record<string, unknown>) {
    const list = Array.isArray(messages) ? messages : [messages];
    super(list.join('; '));
    this.name = new.target.name;
    this.code = code;
    this.status = ERROR_CODES[code];
    this.messages = list;
    this.details = details;
  }

  /** The documented `{code, messages}` body for this error. */
  toBody(): ErrorBody {
    return { code: this.status, messages: this.messages };
  }
}

/** Thrown by `chameleonHooks()` when an option is invalid; `option` names it. */
export class InvalidOptionError extends ChameleonError {
  /** The dotted path of the bad option, e.g. `delivery.timeoutMs`. */
  readonly option: string;
  constructor(option: string, message: string, details?: Record<string, unknown>) {
    super('CH_ERR_INVALID_OPTION', `Invalid option \`${option}\`: ${message}`, { option, ...details });
    this.option = option;
  }
}

/** An account made too many requests; `wait` is how many seconds until it may try again. */
export class RateLimitedError extends ChameleonError {
  /** Seconds until the window resets. */
  readonly wait: number;
  constructor(wait: number) {
    super('CH_ERR_RATE_LIMITED', `Too many requests for this account: wait ${wait} s and try again`, { wait });
    this.wait = wait;
  }

  override toBody(): ErrorBody {
    return { ...super.toBody(), wait: this.wait };
  }
}

/** The process is at its in-flight batch budget; `retryAfter` is how many seconds to wait before sending again. */
export class BusyError extends ChameleonError {
  /** Seconds to wait before trying again (the `Retry-After` header). */
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super('CH_ERR_BUSY', message, { retryAfter });
    this.retryAfter = retryAfter;
  }
}

/** Thrown by `publish()` for a topic that is not one of `TOPICS`. */
export class UnknownTopicError extends ChameleonError {
  constructor(topic: string) {
    super('CH_ERR_UNKNOWN_TOPIC', `Unknown topic "${topic}"`, { topic });
  }
}

/** Thrown by `publish()` when the data does not match the topic's JSON Schema. */
export class InvalidPayloadError extends ChameleonError {
  constructor(topic: string, problems: string[]) {
    super('CH_ERR_INVALID_PAYLOAD', problems.map((p) => `${topic}: ${p}`), { topic, problems });
  }
}

/** A MongoDB outage, as the caller sees it: nothing was stored, and the request may be sent again. */
export class DatabaseUnavailableError extends ChameleonError {
  constructor() {
    super('CH_ERR_DATABASE_UNAVAILABLE', 'The database is unavailable right now; nothing was stored. Try again shortly');
  }
}

/** Thrown when an endpoint URL or its resolved address is not allowed. */
export class ForbiddenUrlError extends ChameleonError {
  constructor(message: string) {
    super('CH_ERR_FORBIDDEN_URL', message);
  }
}

/**
 * The 4xx status of a client error raised by Express itself, or `undefined` for anything else:
 * an `http-errors` error marked safe to show (`expose`), or the `URIError` (status 400) the
 * router throws for a malformed `%` escape in the path. Other errors that merely carry a
 * `status` (e.g. from an upstream HTTP call) stay internal.
 */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return undefined;
  return expose === true || error instanceof URIError ? status : undefined;
}

/**
 * Turns anything thrown into the documented error body and status. A client error raised by
 * Express itself keeps its 4xx status (bad input is never a 500), with its message only when
 * the error marks it safe to show (`expose`); any other error becomes a bare 500 that reveals
 * nothing of it.
 */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ChameleonError) return { status: error.status, body: error.toBody() };
  if (isDatabaseUnavailable(error)) {
    const unavailable = new DatabaseUnavailableError();
    return { status: unavailable.status, body: unavailable.toBody() };
  }
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    const { expose, message } = error as { expose?: unknown; message?: unknown };
    const text = expose === true && typeof message === 'string' && message.length > 0 ? message.slice(0, 200) : (STATUS_TEXT[status] ?? 'Bad request');
    return { status, body: { code: status, messages: [text] } };
  }
  return { status: 500, body: { code: 500, messages: ['Internal error'] } };
}

/** The driver's errors for "no server reachable" (by name: the host's driver may be another copy than ours). */
const UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
]);

/** Whether `error` means MongoDB could not be reached (an outage, not a bug and not bad input). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && UNAVAILABLE_ERRORS.has(name);
}

/** Messages of the client errors Express may raise without a safe message of their own. */
const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  400: 'The request is malformed (e.g. a bad %-escape in the path)',
  404: 'Not found',
  413: 'The request is too large',
  415: 'Unsupported media type',
});
