import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import root from '../../vitest.config.js';

/** `npm run bench:jwt`: token verification and signing on this machine, node:crypto against jose. */
export default defineConfig({
  resolve: root.resolve,
  oxc: root.oxc,
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['shared/test/jwt.bench.ts'],
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    testTimeout: 300_000,
    disableConsoleIntercept: true,
  },
});
