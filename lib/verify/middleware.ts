/**
 * The receiver's Express middleware `verifyChameleonWebhook()`: raw body → signature → JSON → `sent_at`, else `{code, messages}`.
 */
import type { RequestHandler, Response } from 'express';
import { parseVerifyOptions } from './options.js';
import { RawBodyError } from './raw-body-error.js';
import { obtainRawBody } from './read-raw-body.js';
import type { VerifyChameleonWebhookOptions } from './types.js';
import { verifyWithConfig } from './verify-webhook.js';
import { WebhookVerificationError } from './webhook-verification-error.js';

function sendError(res: Response, error: WebhookVerificationError | RawBodyError): void {
  if (res.headersSent) return;
  res.statusCode = error.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // An oversized body is not read to its end: do not keep the connection for another request.
  if (error instanceof RawBodyError && error.reason === 'too_large') res.setHeader('Connection', 'close');
  res.end(JSON.stringify(error.toBody()));
}

/**
 * An Express middleware that verifies Chameleon's outgoing webhooks before your handler runs.
 *
 * It obtains the exact raw body (a Buffer left by `express.raw()`, or the request stream, read
 * here up to `maxBodyBytes`), checks `X-Chameleon-Signature` in constant time against the
 * secret(s), parses the JSON, and checks that `sent_at` is within `toleranceSeconds` of now, in
 * either direction. On success it sets `req.body` and `req.chameleonWebhook` to the typed payload,
 * `req.rawBody` to the raw bytes, and calls `next()`. Otherwise it answers
 * `{"code": 400, "messages": ["…"]}` (`413` for a body over `maxBodyBytes`) and `next()` is not called.
 *
 * Mount it before `express.json()` for the webhook route: a body already parsed as JSON has lost
 * the signed bytes, and is answered `400` with an explanation.
 *
 * @param options - the secret(s) (a list while rotating: `[current, previous]`), the tolerance,
 * the body limit and, for tests, the clock.
 * @throws InvalidVerifyOptionError at construction, when an option is invalid.
 * @example
 * app.post('/webhooks/chameleon', verifyChameleonWebhook({ secret: process.env.CHAMELEON_VERIFICATION_SECRET! }), (req, res) => {
 *   const { kind, data } = req.chameleonWebhook!;
 *   res.sendStatus(204);
 * });
 * app.use(express.json()); // other routes
 */
export function verifyChameleonWebhook(options: VerifyChameleonWebhookOptions): RequestHandler {
  const config = parseVerifyOptions(options);

  return (req, res, next) => {
    const verify = async (): Promise<boolean> => {
      try {
        const raw = await obtainRawBody(req, config.maxBodyBytes);
        const webhook = verifyWithConfig(raw, req.headers, config);
        req.rawBody = raw;
        req.body = webhook;
        req.chameleonWebhook = webhook;
        return true;
      } catch (error) {
        if (error instanceof WebhookVerificationError || error instanceof RawBodyError) {
          sendError(res, error);
          return false;
        }
        throw error;
      }
    };
    verify().then(
      (verified) => {
        if (verified) next();
      },
      (error: unknown) => next(error),
    );
  };
}
