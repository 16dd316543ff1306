/**
 * Authenticates a request by its account secret: from the `:account_secret` path segment,
 * the `X-Account-Secret` header, or an `account_secret` query (or body) parameter.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ChameleonError } from '../errors.js';
import type { Account, AccountStore } from '../accounts/account-store.js';

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

/** Where `requireAccount` finds the account store. */
export interface AccountSource {
  /** Resolves once the package is ready. */
  accounts(): Promise<AccountStore>;
  /** The store once ready, else `undefined`: lets a known secret be accepted without a promise. */
  readyAccounts?(): AccountStore | undefined;
}

/**
 * A middleware that answers `403` unless the request carries a known account secret.
 * With `beforeBody`, a request whose secret can only be in its body is let through, to be
 * checked again (without `beforeBody`) once the body is parsed; a secret in the URL or a
 * header is checked before any body byte is read.
 *
 * Hot path: once the package is ready, a static account's secret (or a stored one read in the
 * last minute) is accepted synchronously; only an unknown secret waits for the database.
 */
export function requireAccount(source: AccountSource, options: { beforeBody?: boolean } = {}): RequestHandler {
  const lookUp = (res: Response, next: NextFunction, secret: string): void => {
    source
      .accounts()
      .then((store) => store.findBySecret(secret))
      .then((account) => {
        if (!account) throw new ChameleonError('CH_ERR_FORBIDDEN', 'Unknown account secret');
        res.locals.chameleonAccount = account;
        next();
      })
      .catch(next);
  };
  return (req, res, next) => {
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
      next(new ChameleonError('CH_ERR_FORBIDDEN', 'Missing account secret: pass it in the URL, the X-Account-Secret header or the account_secret parameter'));
      return;
    }
    const known = source.readyAccounts?.()?.knownBySecret(secret);
    if (!known) {
      lookUp(res, next, secret);
      return;
    }
    if (!known.account) {
      next(new ChameleonError('CH_ERR_FORBIDDEN', 'Unknown account secret'));
      return;
    }
    res.locals.chameleonAccount = known.account;
    next();
  };
}
