/**
 * A tiny pino-compatible console logger, so the package's own logs show up in the example.
 * `LOG_LEVEL=debug` also prints every delivery attempt.
 */
import type { Logger } from '../lib/index.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

function errorText(value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

/** A logger writing `[chameleon-hooks] <level> <message> {fields}` at `minLevel` and above. */
export function consoleLogger(minLevel: Level = 'info'): Logger {
  const min = LEVELS.indexOf(minLevel);
  const at = (level: Level) => (obj: object, msg?: string): void => {
    if (LEVELS.indexOf(level) < min) return;
    const fields = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, k === 'err' ? errorText(v) : v]));
    const line = `[chameleon-hooks] ${level} ${msg ?? ''} ${Object.keys(fields).length > 0 ? JSON.stringify(fields) : ''}`.trimEnd();
    (level === 'error' || level === 'warn' ? console.error : console.log)(line);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The level asked for by `LOG_LEVEL` (default `info`). */
export function levelFromEnv(): Level {
  const wanted = process.env.LOG_LEVEL as Level | undefined;
  return wanted && LEVELS.includes(wanted) ? wanted : 'info';
}
