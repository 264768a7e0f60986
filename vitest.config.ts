import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests run on the TypeScript sources: workspace packages resolve to `src/` (not the built
 * `dist/`), so `npm test` needs no build. Tiers are told apart by file name.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
const alias = [
  // graphql ships CJS and ESM builds; Node loads the CJS one for type-graphql and Apollo, so our
  // sources must get the same instance or `instanceof GraphQLScalarType` checks fail.
  { find: /^graphql$/, replacement: require.resolve('graphql') },
  { find: /^@commerce-supergraph\/shared\/(.*)$/, replacement: `${root}shared/src/$1.ts` },
  { find: /^@commerce-supergraph\/gateway\/(.*)$/, replacement: `${root}gateway/src/$1.ts` },
  { find: /^@commerce-supergraph\/test-support\/(.*)$/, replacement: `${root}test-support/src/$1.ts` },
  {
    find: /^@commerce-supergraph\/(customer|order|product|credit-status)\/(.*)$/,
    replacement: `${root}subgraphs/$1/src/$2.ts`,
  },
];
const exclude = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  resolve: { alias },
  // type-graphql and MikroORM read design-time types from legacy decorator metadata.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    env: { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts', '**/*.e2e.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['**/*.int.test.ts'], exclude, testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['**/*.e2e.test.ts'], exclude, testTimeout: 30_000, hookTimeout: 120_000 },
      },
    ],
  },
});
