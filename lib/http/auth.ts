/**
 * Authenticates a request by its account secret: from the `:account_secret` path segment,
 * the `X-Account-Secret` header, or an `account_secret` query (or body) parameter.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ChameleonError } from '../errors.js';
import type { Account, AccountStore } from '../accounts/account-store.js';
import { asyncHandler } from './async-handler.js';

/** Where `requireAccount` leaves the authenticated account. */
export function accountOf(res: Response): Account {
  const account = res.locals.chameleonAccount as Account | undefined;
  if (!account) throw new ChameleonError('CH_ERR_FORBIDDEN', 'Missing account secret');
  return account;
}

function secretFrom(req: Request, fromBody: boolean): unknown {
  return (
    req.params?.account_secret ??
    req.headers['x-account-secret'] ??
    (req.query as Record<string, unknown> | undefined)?.account_secret ??
    (fromBody ? (req.body as Record<string, unknown> | undefined)?.account_secret : undefined)
  );
}

/**
 * A middleware that answers `403` unless the request carries a known account secret.
 * With `beforeBody`, a request whose secret can only be in its body is let through, to be
 * checked again (without `beforeBody`) once the body is parsed; a secret in the URL or a
 * header is checked before any body byte is read.
 */
export function requireAccount(accounts: () => Promise<AccountStore>, options: { beforeBody?: boolean } = {}): RequestHandler {
  return asyncHandler(async (req, res, next) => {
    if (res.locals.chameleonAccount) {
      next();
      return;
    }
    const secret = secretFrom(req, !options.beforeBody);
    if (options.beforeBody && secret === undefined) {
      next();
      return;
    }
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new ChameleonError('CH_ERR_FORBIDDEN', 'Missing account secret: pass it in the URL, the X-Account-Secret header or the account_secret parameter');
    }
    const account = await (await accounts()).findBySecret(secret);
    if (!account) throw new ChameleonError('CH_ERR_FORBIDDEN', 'Unknown account secret');
    res.locals.chameleonAccount = account;
    next();
  });
}
