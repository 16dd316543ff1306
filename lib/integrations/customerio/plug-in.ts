/**
 * Plugs Customer.io into the delivery engine as a kind of destination: its source (integrations),
 * its transport (over its own SSRF-guarded sender, each request within half the attempt timeout,
 * so identify + event fit in one attempt), and the cancellation of pending deliveries when an
 * integration is deleted.
 */
import type { Config } from '../../options.js';
import type { Collections } from '../../store/collections.js';
import type { DeliveryEngine } from '../../delivery/engine.js';
import type { Transport } from '../../delivery/destinations/transport.js';
import { createHttpSender } from '../../delivery/transport/http-sender.js';
import { CUSTOMERIO_TRANSPORT, CustomerioSource, createCustomerioTransport } from './destination.js';
import { IdentifiedPeople, type IdentifiedDoc } from './people-repo.js';
import { RateLimiter } from './rate-limiter.js';
import type { CustomerioService } from './service.js';

/** Adds Customer.io to `engine` (before `engine.start()`). */
export function plugCustomerio(engine: DeliveryEngine, service: CustomerioService, collections: Collections, config: Config): void {
  const { delivery, logger } = config;
  const sender = createHttpSender({
    timeoutMs: Math.max(10, Math.floor(delivery.timeoutMs / 2)),
    userAgent: delivery.userAgent,
    ca: delivery.ca,
    allowPrivateNetworks: delivery.allowPrivateNetworks,
    allowHttp: delivery.allowHttp,
    responseBodyBytes: delivery.responseBodyBytes,
  });
  const transport = createCustomerioTransport({
    repo: service.repo,
    sender,
    people: new IdentifiedPeople(collections.get<IdentifiedDoc>('integration_people')),
    limiter: new RateLimiter(),
    logger,
  });
  engine.addDestinationKind(new CustomerioSource(service.repo, logger), { [CUSTOMERIO_TRANSPORT]: transport as Transport });
  service.whenDeleted(async (doc) => {
    await engine.cancelFor(doc._id, 'The Customer.io integration was deleted');
  });
}
