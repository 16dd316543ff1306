/**
 * The webhook receiver of the delivery benchmarks, in its own process: a plain `node:http`
 * handler that stamps each request on arrival (`performance.timeOrigin + performance.now()`),
 * answers `200` as soon as the body has been read, and then checks the signature (hex
 * HMAC-SHA256 of the raw body with the account's webhook secret) off the response path.
 * The orchestrator fetches what arrived with the `take` command.
 */
import { createHmac } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { DELIVERY_ACCOUNT, wallNow, type ReceiverTake } from '../lib/delivery.js';
import type { ServerApp } from './index.js';

/** Starts the receiver (no database). */
export async function startReceiverApp(): Promise<ServerApp> {
  let ids: string[] = [];
  let times: number[] = [];
  let paths: string[] = [];
  let badSignatures = 0;
  let total = 0;
  const secret = Buffer.from(DELIVERY_ACCOUNT.webhookSecret, 'utf8');

  const listener: RequestListener = (req, res) => {
    const at = wallNow();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
      res.end('{"ok":true}');
      total += 1;
      const id = req.headers['x-chameleon-id'];
      ids.push(typeof id === 'string' ? id : '(none)');
      times.push(at);
      paths.push(req.url ?? '/');
      const signature = req.headers['x-chameleon-signature'];
      const expected = createHmac('sha256', secret).update(Buffer.concat(chunks)).digest('hex');
      if (signature !== expected) badSignatures += 1;
    });
  };

  return {
    listener,
    close: async () => undefined,
    commands: {
      // Hands over what arrived since the last take, and forgets it.
      take: async (): Promise<ReceiverTake> => {
        const out: ReceiverTake = { ids, times, paths, badSignatures, total };
        ids = [];
        times = [];
        paths = [];
        badSignatures = 0;
        total = 0;
        return out;
      },
    },
  };
}
