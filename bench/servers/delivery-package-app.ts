/**
 * The package as a publishing host: `express()` + `app.use(chameleonHooks({…, delivery:
 * {allowHttp: true, allowPrivateNetworks: true}}))` (the receiver is on loopback), with the
 * static account `acme`. With `options.endpointUrl` it creates one endpoint subscribed to
 * `tour.started` (through `hooks.endpoints.create`, as a host would); with `options.customerioUrl`
 * it connects Customer.io instead (`hooks.integrations.customerio.set`, `track_url` the local Track
 * API receiver, `rate_limit` from `options.rateLimit`). Commands: `round`
 * (closed-loop publishers), `paced` (publishes at a steady rate), each
 * `hooks.publish('acme', 'tour.started', fixtureData)`, and `reset` (closes the instance and
 * opens a fresh one on new collections — `collectionPrefix` — in the same, warm, process, so
 * whatever a round left undelivered cannot spill into the next one). With `options.ordering` the
 * endpoint is created with that `ordering`, and with `options.profiles` (n) each publish is about
 * the next of n profiles in turn (`data.profile.id`), as in the ordered-delivery benchmark (l).
 */
import express from 'express';
import type { ChameleonHooks } from '../../lib/index.js';
import { shipped } from '../lib/shipped.js';
import type * as IndexModule from '../../lib/index.js';
import { closedLoopRun, DELIVERY_ACCOUNT, pacedRun, PUBLISH_TOPIC, topicData, TRACK_KEY, TRACK_SITE, type PublishOne } from '../lib/delivery.js';
import type { ServerApp, ServerConfig } from './index.js';

/** Starts the package host and waits until it is ready (connected, indexes built, sweep started). */
export async function startDeliveryPackageApp(config: ServerConfig): Promise<ServerApp> {
  const endpointUrl = config.options?.endpointUrl;
  const customerioUrl = config.options?.customerioUrl;
  const rateLimit = typeof config.options?.rateLimit === 'number' ? config.options.rateLimit : undefined;
  const ordering = typeof config.options?.ordering === 'string' ? config.options.ordering : undefined;
  const profiles = typeof config.options?.profiles === 'number' ? config.options.profiles : 0;
  const { chameleonHooks } = await shipped<typeof IndexModule>('index.js');
  const open = async (collectionPrefix: string): Promise<ChameleonHooks> => {
    const hooks = chameleonHooks({
      mongo: { uri: config.uri, dbName: config.dbName },
      collectionPrefix,
      accounts: [{ ...DELIVERY_ACCOUNT }],
      delivery: { allowHttp: true, allowPrivateNetworks: true },
    });
    await hooks.ready();
    if (typeof endpointUrl === 'string') await hooks.endpoints.create(DELIVERY_ACCOUNT.id, { url: endpointUrl, topics: [PUBLISH_TOPIC], ...(ordering ? { ordering } : {}) });
    if (typeof customerioUrl === 'string') {
      await hooks.integrations.customerio.set(DELIVERY_ACCOUNT.id, { site_id: TRACK_SITE, api_key: TRACK_KEY, track_url: customerioUrl, ...(rateLimit ? { rate_limit: rateLimit } : {}) });
    }
    return hooks;
  };
  let hooks = await open(typeof config.options?.prefix === 'string' ? config.options.prefix : 'chameleon_');
  const app = express();
  app.use((req, res, next) => hooks(req, res, next));
  const data = topicData(PUBLISH_TOPIC);
  // With `profiles`, one payload per profile (made once): publish n is about profile n mod `profiles`.
  const perProfile = Array.from({ length: profiles }, (_, i) => ({ ...data, profile: { ...(data.profile as object), id: (i + 1).toString(16).padStart(24, '0') } }));
  let next = 0;
  const payload = (): Record<string, unknown> => (profiles > 0 ? perProfile[next++ % profiles]! : data);
  const publishOne: PublishOne = async () => (await hooks.publish(DELIVERY_ACCOUNT.id, PUBLISH_TOPIC, payload() as never)).id;
  return {
    listener: app,
    close: () => hooks.close(),
    commands: {
      round: (args) => closedLoopRun(publishOne, args as { durationMs: number; concurrency: number }),
      paced: (args) => pacedRun(publishOne, args as { count: number; ratePerSec: number }),
      reset: async (args) => {
        const started = performance.now();
        await hooks.close();
        const closeMs = performance.now() - started;
        hooks = await open((args as { prefix: string }).prefix);
        return { closeMs };
      },
    },
  };
}
