// Test configuration: one real MongoDB-wire server for the whole run (test/global-setup.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every response and log line of the run is checked for the test secrets.
    setupFiles: ['test/setup/secret-watch.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: a few files at a time keep the shared test server responsive.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
