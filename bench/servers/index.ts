/**
 * The apps a server process can run, by kind: the ingest apps (`package`, `package-sync`, `bare`) and the
 * delivery ones (`receiver`, `track-receiver`, `delivery-package`, `delivery-bare`). An app may expose commands
 * that the orchestrator runs in its process over the control channel (`ServerProcess.call`).
 */
import type { RequestListener } from 'node:http';

/** Which app a server process runs. */
export type ServerKind = 'package' | 'package-sync' | 'bare' | 'receiver' | 'track-receiver' | 'delivery-package' | 'delivery-bare';

/** How a server process is configured (sent as JSON on its command line). */
export interface ServerConfig {
  kind: ServerKind;
  /** MongoDB connection string (never logged). */
  uri: string;
  dbName: string;
  /** App-specific settings (JSON). */
  options?: Record<string, unknown>;
}

/** A started app: the HTTP handler to listen with, and how to shut it down. */
export interface ServerApp {
  listener: RequestListener;
  close(): Promise<void>;
  /** Commands the orchestrator may run in this process (JSON in, JSON out). */
  commands?: Record<string, (args: unknown) => Promise<unknown>>;
}

/** Starters by kind; imported lazily so a process loads only the app it runs. */
export const SERVER_APPS: Record<ServerKind, (config: ServerConfig) => Promise<ServerApp>> = {
  package: async (config) => (await import('./package-app.js')).startPackageApp(config),
  'package-sync': async (config) => (await import('./package-sync-app.js')).startPackageSyncApp(config),
  bare: async (config) => (await import('./bare-app.js')).startBareApp(config),
  receiver: async () => (await import('./receiver-app.js')).startReceiverApp(),
  'track-receiver': async () => (await import('./track-receiver-app.js')).startTrackReceiverApp(),
  'delivery-package': async (config) => (await import('./delivery-package-app.js')).startDeliveryPackageApp(config),
  'delivery-bare': async (config) => (await import('./delivery-bare-app.js')).startDeliveryBareApp(config),
};
