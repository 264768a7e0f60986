import { describe, expect, it } from 'vitest';
import { isShippedWorkspace, isTestPath, type PackedPackage, packageProblems } from '../lib/package-check.ts';

describe('isTestPath', () => {
  it.each([
    'test/config.test.ts',
    'test/events/helpers.ts',
    'src/testing/database.ts',
    'dist/testing/database.js',
    'dist/testing/names.d.ts.map',
    'dist/events/memory-bus.js',
    'dist/events/memory-bus.d.ts',
    'dist/events/in-memory-bus.js',
    'dist/schema/order.test.js',
    'dist/schema/order.test.d.ts',
    'src/order.int.test.ts',
    'src/orders.bench.ts',
    'src/money.spec.ts',
    'dist/a/b/test/c.js',
    'dist/__tests__/c.js',
    'tests/c.js',
    'test-support/src/names.ts',
    'dist/test-support/names.js',
    'dist/test-support.js',
    'e2e/order.e2e.test.ts',
    'vitest.config.ts',
    'vitest.config.js',
  ])('flags %s', (path) => {
    expect(isTestPath(path)).toBe(true);
  });

  it.each([
    'package.json',
    'README.md',
    'dist/index.js',
    'dist/index.d.ts.map',
    'dist/events/bus.js',
    'dist/events/jetstream/bus.d.ts',
    'dist/graphql/pagination.js',
    // "test" inside a word is not a test.
    'dist/latest/prices.js',
    'dist/attestation.js',
    'dist/contest/entry.js',
    'dist/testimonials.js',
    'dist/migrations/Migration20250101000000.js',
  ])('lets %s through', (path) => {
    expect(isTestPath(path)).toBe(false);
  });
});

describe('isShippedWorkspace', () => {
  it('ships shared, the gateway and every subgraph, not the test-only workspaces', () => {
    expect(['shared', 'gateway', 'subgraphs/order', 'subgraphs/new-one'].every(isShippedWorkspace)).toBe(true);
    expect(isShippedWorkspace('e2e')).toBe(false);
    expect(isShippedWorkspace('test-support')).toBe(false);
  });
});

describe('packageProblems', () => {
  const pack = (files: string[], manifest: PackedPackage['manifest'] = {}): PackedPackage => ({
    workspace: 'shared',
    files,
    manifest,
  });

  it('accepts build output and package.json', () => {
    expect(packageProblems(pack(['package.json', 'dist/index.js', 'dist/index.d.ts']))).toEqual([]);
  });

  it('names every test file a package would ship', () => {
    const problems = packageProblems(
      pack(['package.json', 'dist/index.js', 'dist/testing/sql.js', 'test/jwt.test.ts', 'dist/events/memory-bus.js']),
    );
    expect(problems).toEqual([
      'ships test code: dist/testing/sql.js',
      'ships test code: test/jwt.test.ts',
      'ships test code: dist/events/memory-bus.js',
    ]);
  });

  it('fails a package with no build output, so an unbuilt tree cannot pass by shipping nothing', () => {
    expect(packageProblems(pack(['package.json', 'src/index.ts']))).toEqual([
      'ships no dist/ files: build first (npm run build), or a files field lost dist',
    ]);
  });

  it('fails a package that depends on a test-only workspace', () => {
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      const problems = packageProblems(
        pack(['dist/index.js'], { [field]: { '@commerce-supergraph/test-support': '0.1.0' } }),
      );
      expect(problems).toEqual([
        'depends on @commerce-supergraph/test-support, which is for tests only (make it a devDependency)',
      ]);
    }
    expect(packageProblems(pack(['dist/index.js'], { dependencies: { '@commerce-supergraph/e2e': '0.1.0' } }))).toEqual(
      ['depends on @commerce-supergraph/e2e, which is for tests only (make it a devDependency)'],
    );
  });
});
