/**
 * What the dashboard's routes use: the package's own services and repositories, resolved
 * once the package is ready (the dashboard never keeps a second copy of a query).
 */
import type { RouteContext } from '../http/route-context.js';
import type { DeliveryEngine } from '../delivery/engine.js';
import type { CustomerioService } from '../integrations/customerio/service.js';
import type { DashboardConfig } from './options.js';

/** The services behind the dashboard. */
export interface DashboardDeps {
  /** The package's route context (config, accounts, ingest, store). */
  ctx: RouteContext;
  /** Resolves once ready: the delivery service. */
  delivery(): Promise<DeliveryEngine>;
  /** Resolves once ready: the Customer.io integration service. */
  customerio(): Promise<CustomerioService>;
  /** The dashboard's own configuration. */
  dashboard: DashboardConfig;
}
