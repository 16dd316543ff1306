/**
 * (h) Publish → Customer.io Track API receipt at 32 concurrent publishers: the package
 * (`hooks.publish` to an account with Customer.io connected, the Track API transport on the
 * delivery engine) against the bare durable loop sending the same Track API event (insert,
 * POST with Basic auth, mark done), same database, in the same run. The rounds, processes and
 * counting are those of (d) (`runThroughput`); the receiver is a local Track API.
 */
import { startServer, type ServerProcess } from './lib/server-process.js';
import { buildSection, runThroughput } from './delivery-throughput.js';
import type { Benchmark } from './lib/types.js';

/** The integration's `rate_limit` in the benchmark: above the load, so the engine is what is measured. */
const BENCH_RATE_LIMIT = 10_000;

export const customerioThroughput: Benchmark = {
  name: 'customerio-throughput',
  title: '(h) Publish → Customer.io Track API receipt at 32 concurrent publishers vs a bare durable loop',
  async run(ctx) {
    const base = (receiver: ServerProcess) => receiver.baseUrl;
    const r = await runThroughput(ctx, 'customerio_throughput', {
      receiver: (dbName) => startServer({ kind: 'track-receiver', uri: ctx.db.uri, dbName }),
      bare: (receiver, dbName) => startServer({ kind: 'delivery-bare', uri: ctx.db.uri, dbName, options: { url: `${base(receiver)}/`, mode: 'track' } }),
      package: (receiver, dbName, prefix) =>
        startServer({ kind: 'delivery-package', uri: ctx.db.uri, dbName, options: { customerioUrl: base(receiver), rateLimit: BENCH_RATE_LIMIT, prefix } }),
    });
    const section = buildSection(r.settings, r.rounds, r.bare, r.package, r.log, r.resets);
    section.method = [
      `As (d), with Customer.io as the destination. The receiver process is a local **Track API**: it checks the Basic auth (Site ID : API key) and the path, stamps each request on arrival, answers \`200 {}\` once the body is read, and records event requests (\`POST /api/v1/customers/{id}/events\`) by their \`X-Chameleon-Id\`; identifies (\`PUT /api/v1/customers/{id}\`) are answered but not counted.`,
      '',
      `- **bare**: \`insertOne\` of a delivery document into \`bare_deliveries\` → \`POST /api/v1/customers/{uid}/events\` with Basic auth and \`{name, id, timestamp, data}\` (undici \`request\`, keep-alive \`Agent\`, 7 s timeout) → \`updateOne\` marking it done, inline, ${r.settings.concurrency} loops back to back.`,
      `- **package**: \`hooks.publish('acme', 'tour.started', fixtureData)\` with Customer.io connected (\`hooks.integrations.customerio.set\`: \`track_url\` the local Track API, \`rate_limit: ${BENCH_RATE_LIMIT}\` so the integration's pacing — 100 req/s by default — is not what is measured) and no webhook endpoint. The first send identifies the fixture's person once (remembered), then each publish is one event request made by the engine's Track API transport (mapping, deterministic ULID, pacing, SSRF-guarded sender), its delivery recorded in the deliveries collection. Each measured package round runs on a fresh instance and fresh collections, as in (d).`,
      `- Counting, latency (publish call start → event receipt, joined by \`X-Chameleon-Id\`), CPU and "nothing lost" are as in (d). In the tables "bad signature" means a Track API request refused for its auth or path.`,
    ].join('\n');
    section.goals = section.goals.map((g) => ({ ...g, goal: g.goal.replace('msg/s at the receiver', 'events/s at the Track API').replace('publish→receive', 'publish → Track API receipt') }));
    section.notes[0] = `Track API totals: ${r.log.total} requests (events of the measured rounds and warm-ups, plus one identify per package instance), ${r.log.badSignatures} refused.`;
    return section;
  },
};
