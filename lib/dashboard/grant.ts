/**
 * Reads what the host's `authorize` returned into a {@link DashboardGrant}, or says what is wrong
 * with it (a number, a string, an unknown role…), and describes it for the log without its values.
 */
import type { DashboardGrant } from './options.js';

/** Why a value returned by `authorize` is not a grant. */
export interface GrantProblem {
  problem: string;
}

/**
 * A fresh grant read once from `value` (a getter is not asked twice), or the problem with it.
 * `null`/`undefined` (not signed in) are the caller's to handle before.
 *
 * @example
 * readGrant({ accountId: 'acme', role: 'viewer' }) // { accountId: 'acme', role: 'viewer' }
 * readGrant({ accountId: 'acme', role: 'owner' })  // { problem: '`role` must be "admin" or "viewer"' }
 */
export function readGrant(value: unknown): DashboardGrant | GrantProblem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: `a grant must be an object { accountId, role }, not ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  let fields: { accountId: unknown; role: unknown; accounts: unknown };
  try {
    const grant = value as Record<string, unknown>;
    fields = { accountId: grant.accountId, role: grant.role, accounts: grant.accounts };
  } catch {
    return { problem: 'reading the grant threw' };
  }
  const { accountId, role, accounts } = fields;
  if (typeof accountId !== 'string' || accountId.length === 0) return { problem: '`accountId` must be a non-empty string' };
  if (role !== 'admin' && role !== 'viewer') return { problem: '`role` must be "admin" or "viewer"' };
  if (accounts !== undefined && accounts !== 'all') return { problem: '`accounts` must be "all" when given' };
  return { accountId, role, ...(accounts === 'all' ? { accounts } : {}) };
}

/** Whether {@link readGrant} found a problem. */
export function isGrantProblem(read: DashboardGrant | GrantProblem): read is GrantProblem {
  return 'problem' in read;
}

/** The value's type and, for an object, its first key names: what the log shows of a bad grant (never its values). */
export function grantShape(value: unknown): { type: string; keys?: string[] } {
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (type !== 'object') return { type };
  try {
    return { type, keys: Object.keys(value as object).slice(0, 20).map((k) => k.slice(0, 40)) };
  } catch {
    return { type };
  }
}
