/**
 * `GET session`: who is looking at which account, with which role, and (for an operator with
 * an `accounts: 'all'` grant) the accounts they may switch to.
 */
import type { Router } from 'express';
import { asyncHandler } from '../../http/async-handler.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';

/** Adds `GET session`. */
export function mountSessionRoutes(api: Router, deps: DashboardDeps): void {
  api.get('/session', asyncHandler(async (_req, res) => {
    const { account, role, allAccounts } = accessOf(res);
    const accounts = allAccounts ? await (await deps.ctx.accounts()).list() : [{ id: account.id, name: account.name }];
    res.json({ account: { id: account.id, name: account.name }, role, all_accounts: allAccounts, accounts });
  }));
}
