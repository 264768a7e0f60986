import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import root from '../vitest.config.js';

/**
 * `npm run bench:orders`: the benchmark runs as one vitest file so it gets the same TypeScript
 * set-up as the tests (legacy decorators, workspace aliases); plain Node cannot run decorators.
 */
export default defineConfig({
  resolve: root.resolve,
  oxc: root.oxc,
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['e2e/orders.bench.ts'],
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    testTimeout: 300_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
  },
});
