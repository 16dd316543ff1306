/**
 * The local receiver: a second, separate Express app (its own loopback port) playing the part of
 * a customer's server. It verifies each delivery with `verifyChameleonWebhook` from
 * `chameleon-hooks/verify` — mounted BEFORE any `express.json()`, since the signature covers
 * the exact raw bytes — logs it and answers 200.
 */
import express, { type Express, type RequestHandler } from 'express';
import { verifyChameleonWebhook } from '../lib/verify/index.js';
import { RECEIVER_PATH } from './config.js';
import { summarize } from './summarize.js';

/** One verified webhook, as the receiver remembers it. */
export interface ReceivedWebhook {
  id: string;
  kind: string;
  sent_at: string;
  received_at: string;
  /** True when this webhook id had been received before (a retry, a redelivery or a replay). */
  repeat: boolean;
  summary: string;
}

/** The receiver app and what it has received (newest last, at most 100). */
export interface ReceiverApp {
  app: Express;
  received: ReceivedWebhook[];
}

const KEEP = 100;

/** Builds the receiver app; `webhookSecret` is the account's webhook secret. */
export function createReceiverApp(webhookSecret: string): ReceiverApp {
  const app = express();
  const received: ReceivedWebhook[] = [];
  const seen = new Set<string>();

  // Rejections are answered by the middleware itself (400 with {code, messages}); log them too.
  const logRejections: RequestHandler = (_req, res, next) => {
    res.on('finish', () => {
      if (res.statusCode >= 400) console.log(`[receiver] REJECTED a delivery: ${res.statusCode} (bad signature, stale sent_at or malformed body)`);
    });
    next();
  };

  app.post(RECEIVER_PATH, logRejections, verifyChameleonWebhook({ secret: webhookSecret }), (req, res) => {
    const webhook = req.chameleonWebhook!;
    const repeat = seen.has(webhook.id);
    seen.add(webhook.id);
    const entry: ReceivedWebhook = {
      id: webhook.id,
      kind: webhook.kind,
      sent_at: webhook.sent_at,
      received_at: new Date().toISOString(),
      repeat,
      summary: summarize(webhook.data),
    };
    received.push(entry);
    if (received.length > KEEP) received.shift();
    console.log(`[receiver] verified ${entry.kind} ${entry.id}${repeat ? ' (again)' : ''} — ${entry.summary}`);
    res.status(200).json({ received: true });
  });

  // Other routes of the receiver may parse JSON as usual: the webhook route above already has its raw body.
  app.use(express.json());
  app.get('/', (_req, res) => {
    res.json({ receiver: true, webhook_route: RECEIVER_PATH, received: received.length });
  });
  return { app, received };
}
