/**
 * Reads one header from Node's header record (any letter case) or from a fetch `Headers`.
 */
import type { WebhookHeaders } from './types.js';

/**
 * The value of header `name`, or `undefined`. Repeated values are joined with `, ` (as Node does),
 * which makes a duplicated signature header fail verification rather than pick one silently.
 *
 * @internal
 */
export function getHeader(headers: WebhookHeaders | undefined | null, name: string): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const wanted = name.toLowerCase();
  const key = wanted in record ? wanted : Object.keys(record).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : record[key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}
