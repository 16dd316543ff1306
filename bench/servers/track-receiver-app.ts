/**
 * A Customer.io Track API receiver for the Customer.io benchmark, in its own process: a plain
 * `node:http` handler that stamps each request on arrival, checks the Basic auth and the path,
 * answers `200 {}` as soon as the body is read (as Customer.io does), and records event
 * requests (`POST /api/v1/customers/{id}/events`) by their `X-Chameleon-Id`; identifies are
 * counted. The orchestrator fetches what arrived with the `take` command (the receiver's shape).
 */
import type { RequestListener } from 'node:http';
import { TRACK_SITE, TRACK_KEY, wallNow, type ReceiverTake } from '../lib/delivery.js';
import type { ServerApp } from './index.js';

const EVENT_PATH = /^\/api\/v1\/customers\/[^/]+\/events$/;
const PERSON_PATH = /^\/api\/v1\/customers\/[^/]+$/;

/** Starts the Track API receiver (no database). */
export async function startTrackReceiverApp(): Promise<ServerApp> {
  let ids: string[] = [];
  let times: number[] = [];
  let paths: string[] = [];
  let refused = 0;
  let total = 0;
  const auth = `Basic ${Buffer.from(`${TRACK_SITE}:${TRACK_KEY}`).toString('base64')}`;

  const listener: RequestListener = (req, res) => {
    const at = wallNow();
    req.on('data', () => undefined);
    req.on('end', () => {
      total += 1;
      const path = req.url ?? '/';
      const isEvent = req.method === 'POST' && EVENT_PATH.test(path);
      const ok = req.headers.authorization === auth && (isEvent || (req.method === 'PUT' && PERSON_PATH.test(path)));
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
      if (!ok) refused += 1;
      if (!isEvent) return;
      const id = req.headers['x-chameleon-id'];
      ids.push(typeof id === 'string' ? id : '(none)');
      times.push(at);
      paths.push('/events');
    });
  };

  return {
    listener,
    close: async () => undefined,
    commands: {
      // Hands over the events that arrived since the last take (refused requests count as bad), and forgets them.
      take: async (): Promise<ReceiverTake> => {
        const out: ReceiverTake = { ids, times, paths, badSignatures: refused, total };
        ids = [];
        times = [];
        paths = [];
        refused = 0;
        total = 0;
        return out;
      },
    },
  };
}
