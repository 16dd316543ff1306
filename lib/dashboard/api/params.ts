/**
 * Small, strict readers of the dashboard API's query parameters (anything else is a `422`,
 * never an operator or a 500).
 */
import { ChameleonError } from '../../errors.js';
import type { DashboardDeps } from '../deps.js';

/** A string parameter (≤ 512 characters), or `undefined` when absent or empty. */
export function stringParam(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 512) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`${name}\` must be one string of at most 512 characters`);
  return value;
}

/** `?limit=` (1–500), or the dashboard's page size. */
export function pageSize(query: Record<string, unknown>, deps: DashboardDeps): number {
  const raw = query.limit;
  if (raw === undefined) return deps.dashboard.pageSize;
  const limit = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 500) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`limit` must be an integer from 1 to 500');
  return limit;
}

/** A stored date as ISO-8601, or `null`. */
export function iso(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}
