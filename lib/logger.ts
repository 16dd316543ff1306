/**
 * The logger contract: any pino-compatible logger (`logger.info(obj, msg)`); silent by default.
 */

/** A pino-compatible logger. Only these four methods are used. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

/** The default logger: discards everything. */
export const SILENT_LOGGER: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
