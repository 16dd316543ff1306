/**
 * A local stand-in for Customer.io's Track API (its own loopback port), so the example shows the
 * Customer.io destination without an account: it checks the Basic auth of the demo workspace,
 * logs each identify and event, and answers `200 {}` as Customer.io does.
 */
import express, { type Express } from 'express';

/** The demo workspace. DEMO VALUES for this local example only. */
export const DEMO_WORKSPACE = Object.freeze({ siteId: 'demo_site', apiKey: 'demo_track_key_local_only' });

/** One request the stand-in accepted. */
export interface TrackReceived {
  kind: 'identify' | 'event';
  customer: string;
  name?: string;
  at: string;
}

/** Builds the Track API stand-in; `received` keeps the last 100 requests. */
export function createTrackReceiverApp(): { app: Express; received: TrackReceived[] } {
  const app = express();
  const received: TrackReceived[] = [];
  const auth = `Basic ${Buffer.from(`${DEMO_WORKSPACE.siteId}:${DEMO_WORKSPACE.apiKey}`).toString('base64')}`;
  const remember = (entry: TrackReceived): void => {
    received.push(entry);
    if (received.length > 100) received.shift();
  };
  app.use((req, res, next) => {
    if (req.headers.authorization === auth) return next();
    console.log('[customer.io] REFUSED a request: wrong Site ID or API key (401)');
    res.status(401).send('Unauthorized request');
  });
  app.use(express.json({ limit: '200kb' }));
  app.put('/api/v1/customers/:id', (req, res) => {
    remember({ kind: 'identify', customer: req.params.id, at: new Date().toISOString() });
    console.log(`[customer.io] identify ${req.params.id} ${JSON.stringify(req.body)}`);
    res.json({});
  });
  app.post('/api/v1/customers/:id/events', (req, res) => {
    const body = req.body as { name?: string; id?: string; data?: Record<string, unknown> };
    remember({ kind: 'event', customer: req.params.id, name: body.name, at: new Date().toISOString() });
    console.log(`[customer.io] event "${body.name}" for ${req.params.id} (id ${body.id}) ${JSON.stringify(body.data)}`);
    res.json({});
  });
  return { app, received };
}
