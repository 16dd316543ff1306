/**
 * Who is looking, and at which account: runs the host's `authorize` on every dashboard request
 * (`null` → `401`), checks the grant's shape, resolves the account being viewed (`?account=`
 * only with an `accounts: 'all'` grant) and refuses actions to viewers (`403`).
 */
import type { Request, RequestHandler, Response } from 'express';
import { ChameleonError } from '../errors.js';
import { asyncHandler } from '../http/async-handler.js';
import type { Account, AccountStore } from '../accounts/account-store.js';
import type { DashboardAuthorize } from './options.js';

/** What the dashboard routes know about the request once access is checked. */
export interface DashboardAccess {
  /** The account being viewed. */
  account: Account;
  role: 'admin' | 'viewer';
  /** Whether the person may switch accounts. */
  allAccounts: boolean;
}

/** The access that {@link requireAccess} left on the response. */
export function accessOf(res: Response): DashboardAccess {
  const access = res.locals.chameleonDashboard as DashboardAccess | undefined;
  if (!access) throw new ChameleonError('CH_ERR_UNAUTHORIZED', 'Not signed in to the dashboard');
  return access;
}

function requestedAccount(req: Request): string | undefined {
  const value = (req.query as Record<string, unknown>).account;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Runs `authorize`. `null`/`undefined` → `401`; a malformed grant is the host's bug → `500`
 * (logged by the error middleware), never an open door.
 */
export function requireAccess(authorize: DashboardAuthorize, accounts: () => Promise<AccountStore>): RequestHandler {
  return asyncHandler(async (req, res, next) => {
    const grant = await authorize(req);
    if (grant === null || grant === undefined) throw new ChameleonError('CH_ERR_UNAUTHORIZED', 'Sign in to see the dashboard');
    if (typeof grant !== 'object' || typeof grant.accountId !== 'string' || (grant.role !== 'admin' && grant.role !== 'viewer')) {
      throw new Error('dashboard authorize() returned something other than { accountId, role: "admin" | "viewer" } or null');
    }
    const allAccounts = grant.accounts === 'all';
    const wanted = requestedAccount(req) ?? grant.accountId;
    if (wanted !== grant.accountId && !allAccounts) throw new ChameleonError('CH_ERR_FORBIDDEN', 'You may not see that account');
    const account = await (await accounts()).findById(wanted);
    if (!account) throw new ChameleonError('CH_ERR_NOT_FOUND', 'No such account');
    const access: DashboardAccess = { account, role: grant.role, allAccounts };
    res.locals.chameleonDashboard = access;
    next();
  });
}

/** Refuses (`403`) anything but a read to a `viewer`. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (accessOf(res).role !== 'admin') {
    next(new ChameleonError('CH_ERR_FORBIDDEN', 'Viewers can see everything and change nothing'));
    return;
  }
  next();
};
