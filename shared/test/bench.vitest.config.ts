import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import root from '../../vitest.config.js';

/**
 * The shared benchmarks (`npm run bench:events`, `bench:jwt`, `bench:db`: each names its file).
 * They run under vitest so they get the same TypeScript set-up as the tests (legacy decorators,
 * workspace aliases), which plain Node cannot run; `npm test` never includes a `*.bench.ts`.
 */
export default defineConfig({
  resolve: root.resolve,
  oxc: root.oxc,
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['shared/test/**/*.bench.ts'],
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    testTimeout: 600_000,
    hookTimeout: 60_000,
    disableConsoleIntercept: true,
  },
});
