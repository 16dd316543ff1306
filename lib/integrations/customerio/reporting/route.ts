/**
 * `POST /v3/observe/hooks/:account_secret/customerio` (and `/v3/observe/hooks/customerio` with
 * the secret in the `X-Account-Secret` header or the `account_secret` query parameter): takes
 * Customer.io reporting webhooks. When the account's integration has a webhook signing key, the
 * `X-CIO-Signature` is checked over the exact bytes before anything is parsed (`401`, nothing
 * stored, otherwise). The report is stored once per `event_id` and answered at once: a replay
 * answers `200` and changes nothing; the profile update or event follows in the background.
 */
import type { Router } from 'express';
import { ChameleonError } from '../../../errors.js';
import { asyncHandler } from '../../../http/async-handler.js';
import { accountOf, requireAccount } from '../../../http/auth.js';
import { jsonBody } from '../../../http/json-body.js';
import { bodyTooLargeMessage } from '../../../http/observe-routes.js';
import type { RouteContext } from '../../../http/route-context.js';
import { checkReportingSignature, SIGNATURE_PROBLEM_MESSAGES } from './signature.js';
import type { ReportProcessor } from './processor.js';
import type { NewReport, ReportDoc, ReportsRepo } from './reports-repo.js';
import type { GroupCommit } from '../../../store/group-commit.js';

/** Where an account's Customer.io webhook signing key comes from (the integration settings). */
export interface SigningKeySource {
  /** The account's webhook signing key in clear, or `null` when it has none (webhooks are then not signed). */
  signingKey(account: string): Promise<string | null>;
}

/** What the route needs once the package is ready. */
export interface ReportingDeps {
  reports: ReportsRepo;
  /** Stores each webhook, grouped with those received in the same event-loop turn (one `insertMany`). */
  inserts: GroupCommit<NewReport, ReportDoc | undefined>;
  processor: ReportProcessor;
  keys: SigningKeySource;
}

/** Longest `event_id` used as is (Customer.io's are ULIDs); longer ones dedupe by body hash. */
const MAX_EVENT_ID = 150;

function textField(value: unknown, max: number): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/** Adds the reporting-webhook routes to `router`. */
export function mountReportingRoutes(router: Router, ctx: RouteContext, reporting: () => Promise<ReportingDeps>): void {
  const { limits, customerio } = ctx.config;
  const body = jsonBody({
    limitBytes: limits.bodyBytes,
    tooLargeMessage: bodyTooLargeMessage(limits.bodyBytes),
    anyContentType: true,
    keepText: true,
    verifyRaw: async (raw, req, res) => {
      const key = await (await reporting()).keys.signingKey(accountOf(res).id);
      if (key === null) return;
      if (raw === undefined) {
        throw new ChameleonError(
          'CH_ERR_INVALID_SIGNATURE',
          'The body was already parsed by a body parser of the host app, so its signature cannot be checked: mount chameleon-hooks before express.json()',
        );
      }
      const problem = checkReportingSignature({
        signingKey: key,
        raw,
        timestamp: req.get('x-cio-timestamp'),
        signature: req.get('x-cio-signature'),
        toleranceSeconds: customerio.webhookToleranceSeconds,
        nowMs: Date.now(),
      });
      if (problem) throw new ChameleonError('CH_ERR_INVALID_SIGNATURE', SIGNATURE_PROBLEM_MESSAGES[problem], { reason: problem });
    },
  });
  const handler = asyncHandler(async (req, res) => {
    const account = accountOf(res).id;
    const report = req.body as Record<string, unknown>;
    // The text as received (decoded once, by the body reader); re-serialised only when a host parser read the body.
    const text = res.locals.chameleonBodyText as string | undefined;
    const { inserts, processor } = await reporting();
    const eventId = textField(report.event_id, MAX_EVENT_ID);
    const stored = await inserts.submit({
      account,
      eventId,
      objectType: textField(report.object_type, 64),
      metric: textField(report.metric, 64),
      body: text ?? JSON.stringify(report),
      receivedAt: new Date(),
    });
    if (stored) processor.enqueue(stored, report);
    res.status(200).json({ customerio: { id: stored ? stored._id.toHexString() : null, event_id: eventId ?? null, duplicate: !stored } });
  });
  // Hot path: a rate limit that is off adds no handler (as on the data-in routes).
  const chain = [requireAccount(ctx), body, ...(ctx.config.rateLimit === false ? [] : [ctx.rateLimit]), handler];
  router.post('/v3/observe/hooks/customerio', ...chain);
  router.post('/v3/observe/hooks/:account_secret/customerio', ...chain);
}
