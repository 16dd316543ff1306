/**
 * The dashboard's options: the public `DashboardOptions`, the frozen `DashboardConfig`, one
 * `DASHBOARD_DEFAULTS`, and the one function that checks them when `hooks.dashboard()` is called.
 */
import type { Request } from 'express';
import { InvalidOptionError } from '../errors.js';

/** Who may use the dashboard, and how: what `authorize` returns for an allowed request. */
export interface DashboardGrant {
  /** The account the person sees (the default one when they may switch). */
  accountId: string;
  /** `admin` may act; `viewer` sees everything and changes nothing (actions answer 403). */
  role: 'admin' | 'viewer';
  /** `'all'` lets an operator switch to any account (`?account=` on every page). @defaultValue only `accountId` */
  accounts?: 'all';
}

/** Decides, per request, who is looking: a grant, or `null` (answered with `401`). */
export type DashboardAuthorize = (req: Request) => DashboardGrant | null | undefined | Promise<DashboardGrant | null | undefined>;

/** The options of `hooks.dashboard()`. `authorize` is required: there is no open dashboard. */
export interface DashboardOptions {
  /** Required. Runs behind the host's own session middleware; return `null` to refuse. */
  authorize: DashboardAuthorize;
  /**
   * Who may frame the dashboard: the CSP `frame-ancestors` sources, e.g. `["'self'"]` or
   * `['https://admin.example.com']`. @defaultValue ["'none'"] (never framed)
   */
  frameAncestors?: readonly string[];
  /** Items per page of every list. @defaultValue 25 */
  pageSize?: number;
  /**
   * The package's public URL (where you mounted `hooks`, as the outside world reaches it), e.g.
   * `https://app.example.com/chameleon`: the Integrations page then shows complete URLs to paste
   * into Customer.io. @defaultValue none (paths relative to that mount are shown)
   */
  publicUrl?: string;
}

/** The complete, frozen dashboard configuration. */
export interface DashboardConfig {
  readonly authorize: DashboardAuthorize;
  readonly frameAncestors: readonly string[];
  readonly pageSize: number;
  readonly publicUrl: string | undefined;
}

/** Every dashboard default, in one place. */
export const DASHBOARD_DEFAULTS = Object.freeze({
  frameAncestors: Object.freeze(["'none'"]) as readonly string[],
  pageSize: 25,
});

/** A CSP source: a keyword or a scheme/host source, with nothing that could end the directive. */
const CSP_SOURCE = /^('none'|'self'|https?:\/\/[A-Za-z0-9.*-]+(:\d{1,5})?|[A-Za-z0-9.*-]+(:\d{1,5})?|https?:)$/;

/**
 * Checks the options once and fills in the defaults.
 * @throws InvalidOptionError naming the bad option (`dashboard.authorize`, …).
 */
export function parseDashboardOptions(options: DashboardOptions | undefined): DashboardConfig {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('dashboard', 'pass { authorize }: there is no open-by-default dashboard');
  }
  if (typeof options.authorize !== 'function') {
    throw new InvalidOptionError('dashboard.authorize', 'required: a function (req) => { accountId, role } | null');
  }
  const frameAncestors = options.frameAncestors ?? DASHBOARD_DEFAULTS.frameAncestors;
  if (!Array.isArray(frameAncestors) || frameAncestors.length === 0 || !frameAncestors.every((s) => typeof s === 'string' && CSP_SOURCE.test(s))) {
    throw new InvalidOptionError('dashboard.frameAncestors', `expected a non-empty list of CSP sources such as "'self'" or "https://admin.example.com"`);
  }
  if (frameAncestors.includes("'none'") && frameAncestors.length > 1) {
    throw new InvalidOptionError('dashboard.frameAncestors', `"'none'" cannot be combined with other sources`);
  }
  const pageSize = options.pageSize ?? DASHBOARD_DEFAULTS.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
    throw new InvalidOptionError('dashboard.pageSize', 'expected an integer from 1 to 500');
  }
  const publicUrl = options.publicUrl;
  if (publicUrl !== undefined && (typeof publicUrl !== 'string' || !/^https?:\/\/[^\s"'<>]+$/.test(publicUrl))) {
    throw new InvalidOptionError('dashboard.publicUrl', 'expected an http(s) URL such as https://app.example.com/chameleon');
  }
  return Object.freeze({
    authorize: options.authorize,
    frameAncestors: Object.freeze([...frameAncestors]),
    pageSize,
    publicUrl: publicUrl?.replace(/\/+$/, ''),
  });
}
