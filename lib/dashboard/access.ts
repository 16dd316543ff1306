/**
 * Who is looking, and at which account: runs the host's `authorize` on every dashboard request
 * (`null` → `401`), checks the grant's shape, resolves the account being viewed (`?account=`
 * only with an `accounts: 'all'` grant) and refuses actions to viewers (`403`).
 */
import type { Request, RequestHandler, Response } from 'express';
import { ChameleonError } from '../errors.js';
import { asyncHandler } from '../http/async-handler.js';
import type { Account, AccountStore } from '../accounts/account-store.js';
import type { Logger } from '../logger.js';
import { redactFreeText } from '../redact.js';
import type { DashboardAuthorize } from './options.js';
import { grantShape, isGrantProblem, readGrant } from './grant.js';

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
 * Runs the host's `authorize`. One that throws or rejects (its session store is down, say) is
 * logged at `warn` without its secrets (name, message and stack through {@link redactFreeText})
 * and answers `503 CH_ERR_AUTHORIZE_FAILED`: never the host's message or stack, never an open door.
 */
async function grantOf(authorize: DashboardAuthorize, req: Request, logger: Logger): Promise<unknown> {
  try {
    return await authorize(req);
  } catch (error) {
    const err = error instanceof Error
      ? { type: error.name, message: redactFreeText(error.message), stack: error.stack === undefined ? undefined : redactFreeText(error.stack) }
      : { type: typeof error, message: redactFreeText(String(error)) };
    logger.warn({ err, method: req.method, path: req.path }, 'chameleon-hooks: dashboard authorize() failed');
    throw new ChameleonError('CH_ERR_AUTHORIZE_FAILED', 'The dashboard could not check who you are right now (authorize failed); try again shortly');
  }
}

/**
 * Runs `authorize`. `null`/`undefined` → `401`; throwing or rejecting, or returning anything else
 * that is not a grant (a number, a string, an unknown role: the host's bug) → `503`
 * (`CH_ERR_AUTHORIZE_FAILED`, logged at `warn`, a bad grant by its type and key names only),
 * never an open door.
 */
export function requireAccess(authorize: DashboardAuthorize, accounts: () => Promise<AccountStore>, logger: Logger): RequestHandler {
  return asyncHandler(async (req, res, next) => {
    const value = await grantOf(authorize, req, logger);
    if (value === null || value === undefined) throw new ChameleonError('CH_ERR_UNAUTHORIZED', 'Sign in to see the dashboard');
    const grant = readGrant(value);
    if (isGrantProblem(grant)) {
      logger.warn({ problem: grant.problem, got: grantShape(value), method: req.method, path: req.path }, 'chameleon-hooks: dashboard authorize() returned an invalid grant');
      throw new ChameleonError('CH_ERR_AUTHORIZE_FAILED', 'The dashboard could not check who you are (authorize returned no valid grant: the host\'s setup needs fixing)');
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
