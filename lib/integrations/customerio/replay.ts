/**
 * Replaying activity to Customer.io: every activity since a time resent as new deliveries to the
 * account's connection (Customer.io deduplicates events by id). The one implementation behind
 * `POST /v3/edit/integrations/customerio/replay` and the dashboard's replay.
 */
import type { Account } from '../../accounts/account-store.js';
import type { DeliveryEngine } from '../../delivery/engine.js';
import { customerioDestination } from './destination.js';
import { notConnected, type CustomerioService } from './service.js';

/** Resends every activity since `since` to the account's Customer.io connection (`404` when not connected). */
export async function replayToCustomerio(service: CustomerioService, engine: DeliveryEngine, account: Account, since: Date): Promise<{ deliveries: number }> {
  const doc = await service.get(account.id);
  if (!doc) throw notConnected();
  return engine.replayTo(account, customerioDestination(doc), since);
}
