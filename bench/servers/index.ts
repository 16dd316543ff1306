/**
 * The apps a server process can run, by kind. A later benchmark (e.g. delivery) adds its own
 * kind here (a receiver, a publisher…) and reuses the server process and its control channel.
 */
import type { RequestListener } from 'node:http';

/** Which app a server process runs. */
export type ServerKind = 'package' | 'bare';

/** How a server process is configured (sent as JSON on its command line). */
export interface ServerConfig {
  kind: ServerKind;
  /** MongoDB connection string (never logged). */
  uri: string;
  dbName: string;
}

/** A started app: the HTTP handler to listen with, and how to shut it down. */
export interface ServerApp {
  listener: RequestListener;
  close(): Promise<void>;
}

/** Starters by kind; imported lazily so a process loads only the app it runs. */
export const SERVER_APPS: Record<ServerKind, (config: ServerConfig) => Promise<ServerApp>> = {
  package: async (config) => (await import('./package-app.js')).startPackageApp(config),
  bare: async (config) => (await import('./bare-app.js')).startBareApp(config),
};
