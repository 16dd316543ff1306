/**
 * Customer.io integration management, shared by the API routes and the `hooks.integrations.customerio`
 * methods: set (validate, then store), get, and delete (which also cancels the integration's
 * pending deliveries).
 */
import { ChameleonError } from '../../errors.js';
import type { EndpointUrlPolicy } from '../../delivery/transport/ssrf-guard.js';
import { parseCustomerioInput } from './config.js';
import type { CustomerioDoc } from './documents.js';
import type { CustomerioRepo } from './repo.js';

/** Called once an integration is deleted (cancels its pending deliveries). */
export type OnIntegrationDeleted = (doc: CustomerioDoc) => Promise<void>;

/** Sets, reads and deletes accounts' Customer.io integrations. */
export class CustomerioService {
  private onDeleted: OnIntegrationDeleted | undefined;

  constructor(
    readonly repo: CustomerioRepo,
    private readonly policy: EndpointUrlPolicy,
  ) {}

  /** Registers what deletion also does (the delivery engine cancels pending deliveries). */
  whenDeleted(handler: OnIntegrationDeleted): void {
    this.onDeleted = handler;
  }

  /**
   * Validates `input` and creates or replaces the account's integration.
   * @throws ChameleonError `422` naming the bad field.
   */
  set(account: string, input: unknown): Promise<CustomerioDoc> {
    return this.repo.set(account, parseCustomerioInput(input, this.policy));
  }

  /** The account's integration, or `null`. */
  get(account: string): Promise<CustomerioDoc | null> {
    return this.repo.get(account);
  }

  /**
   * Deletes the account's integration and cancels its pending deliveries.
   * @throws ChameleonError `404` when the account has none.
   */
  async delete(account: string): Promise<CustomerioDoc> {
    const doc = await this.repo.delete(account);
    if (!doc) throw notConnected();
    await this.onDeleted?.(doc);
    return doc;
  }
}

/** The `404` of an account without a Customer.io integration. */
export function notConnected(): ChameleonError {
  return new ChameleonError('CH_ERR_NOT_FOUND', 'Customer.io is not connected for this account: PUT /v3/edit/integrations/customerio first');
}
