import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOperationTypes } from '../lib/codegen.ts';
import { apiSchemaOf } from '../lib/schema-breaking.ts';
import { CUSTOMER, composed, manifestOf, OPERATIONS, ORDER } from './schema-fixtures.ts';

/**
 * `node scripts/schema-check.ts` for real, in a throw-away git repository: a copy of the scripts, a
 * main branch with a committed supergraph.graphql as the base, then a branch that changes it. The
 * subgraphs' "built code" is a stub that prints code.graphql, so no build is needed.
 */

const REAL_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WITHOUT_LEGACY = CUSTOMER.replace('  legacyField: String\n', '');
const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const YAML = `federation_version: =2.14.4
subgraphs:
${['customer', 'order'].map((name) => `  ${name}:\n    routing_url: http://${name}/graphql\n    schema:\n      file: ./subgraphs/${name}/schema.graphql\n`).join('')}`;

let repo: string;
const write = async (path: string, text: string) => {
  await mkdir(dirname(join(repo, path)), { recursive: true });
  await writeFile(join(repo, path), text);
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: ENV, encoding: 'utf8' });
const run = (...args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(repo, 'scripts/schema-check.ts'), ...args],
      { cwd: repo, env: ENV },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` }),
    );
  });

/** The committed schema and what the code prints: equal unless a test wants drift. */
async function writeSubgraph(name: string, sdl: string, code = sdl) {
  await write(`subgraphs/${name}/schema.graphql`, sdl);
  await write(`subgraphs/${name}/code.graphql`, code);
  await write(
    `subgraphs/${name}/dist/schema/index.js`,
    `import { readFile } from 'node:fs/promises';\nexport const createSchema = () => readFile(new URL('../../code.graphql', import.meta.url), 'utf8');\n`,
  );
}

/** The real packages, except the workspace one: its SDL printer is replaced by "the stub's SDL as is". */
async function linkNodeModules() {
  const source = join(REAL_ROOT, 'node_modules');
  await mkdir(join(repo, 'node_modules'));
  for (const entry of await readdir(source)) {
    if (entry !== '@commerce-supergraph') await symlink(join(source, entry), join(repo, 'node_modules', entry));
  }
  const shared = 'node_modules/@commerce-supergraph/shared';
  await write(`${shared}/package.json`, JSON.stringify({ type: 'module', exports: { './*': './*.js' } }));
  await write(`${shared}/graphql/federation.js`, 'export const printFederatedSchema = (sdl) => sdl;\n');
  // The gateway's manifest builder is the real one, from its source (it imports only graphql and node:crypto).
  const gateway = 'node_modules/@commerce-supergraph/gateway';
  await write(`${gateway}/package.json`, JSON.stringify({ type: 'module', exports: { './*': './*.js' } }));
  const builder = pathToFileURL(join(REAL_ROOT, 'gateway/src/persisted-documents.ts')).href;
  await write(`${gateway}/persisted-documents.js`, `export * from '${builder}';\n`);
  // The gateway's subscriptions need the real API's types; these fixtures' API is used as it is.
  await write(`${gateway}/live/sdl.js`, 'export const withSubscriptions = (api) => api;\n');
}

// Generating the types loads GraphQL Code Generator (each run of the CLI does too): seconds, tens of
// seconds on a machine under heavy load.
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'schema-check-cli-'));
  await cp(join(REAL_ROOT, 'scripts/schema-check.ts'), join(repo, 'scripts/schema-check.ts'));
  await cp(join(REAL_ROOT, 'scripts/lib'), join(repo, 'scripts/lib'), { recursive: true });
  await linkNodeModules();
  git('init', '--quiet', '--initial-branch=main');
  await write('.gitignore', 'node_modules/\ndist/\n');
  git('add', '.gitignore');
  git('commit', '--quiet', '-m', 'before the supergraph');
  await write('supergraph.yaml', YAML);
  await writeSubgraph('customer', CUSTOMER);
  await writeSubgraph('order', ORDER);
  await write('supergraph.graphql', composed({ customer: CUSTOMER, order: ORDER }));
  await write('gateway/operations/customer.graphql', OPERATIONS);
  const manifest = manifestOf([{ file: 'gateway/operations/customer.graphql', source: OPERATIONS }]);
  await write('gateway/operations/persisted-query-manifest.json', manifest as string);
  // The generated types, committed as `npm run codegen` would write them, so that main passes.
  const api = apiSchemaOf(composed({ customer: CUSTOMER, order: ORDER }));
  for (const [file, text] of await generateOperationTypes(api, repo)) await write(file, text);
  git('add', '-A');
  git('commit', '--quiet', '-m', 'supergraph with Query.legacyField');
}, 120_000);
afterAll(() => rm(repo, { recursive: true, force: true }));

describe('npm run schema:check', { timeout: 120_000 }, () => {
  it('passes on main against the merge base with main, and skips a base without supergraph.graphql', async () => {
    const onMain = await run();
    expect(onMain.code).toBe(0);
    expect(onMain.output).toMatch(
      /^PASS {2}breaking changes {6}none against the merge base with main \([0-9a-f]{12}\)$/m,
    );
    expect(onMain.output).toContain('schema:check passed\n');

    const early = await run('--base', 'HEAD~1');
    expect(early.code).toBe(0);
    expect(early.output).toMatch(/^SKIP {2}breaking changes {6}HEAD~1 \([0-9a-f]{12}\) has no supergraph\.graphql/m);
  });

  it('fails on a schema.graphql that drifted from what the built code prints', async () => {
    await writeSubgraph(
      'customer',
      CUSTOMER,
      CUSTOMER.replace('  name: String!\n', '  name: String!\n  email: String\n'),
    );
    const drifted = await run();
    await writeSubgraph('customer', CUSTOMER);
    expect(drifted.code).toBe(1);
    expect(drifted.output).toContain('subgraphs/customer/schema.graphql differs from what its code emits');
    expect(drifted.output).toContain('\n        +  email: String\n');
    expect(drifted.output).toContain('schema:check failed: drift\n');
  });

  it('fails on a field removed from the API against the base, and passes once it is acknowledged', async () => {
    git('checkout', '--quiet', '-b', 'remove-legacy-field');
    await writeSubgraph('customer', WITHOUT_LEGACY);
    await write('supergraph.graphql', composed({ customer: WITHOUT_LEGACY, order: ORDER }));
    git('commit', '--quiet', '-am', 'remove Query.legacyField');

    for (const args of [[], ['--base', 'main']]) {
      const removed = await run(...args);
      expect(removed.code).toBe(1);
      expect(removed.output).toContain('      breaking: FIELD_REMOVED: Query.legacyField was removed\n');
      expect(removed.output).toContain('schema:check failed: breaking changes\n');
    }

    const reason = 'No frontend sends it since storefront 3.2.';
    const change = 'FIELD_REMOVED: Query.legacyField was removed';
    await write('schema-changes.acknowledged.yaml', `acknowledged:\n  - change: "${change}"\n    reason: ${reason}\n`);
    const acknowledged = await run('--base', 'main');
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.output).toContain(`acknowledged: ${change} (reason: ${reason})`);
  });

  it('fails on an operation in gateway/operations that no longer validates', async () => {
    await write('gateway/operations/legacy.graphql', 'query Legacy {\n  legacyField\n}\n');
    const invalid = await run('--base', 'main');
    await rm(join(repo, 'gateway/operations/legacy.graphql'));
    expect(invalid.code).toBe(1);
    expect(invalid.output).toContain(
      'gateway/operations/legacy.graphql:2:3: query Legacy: Cannot query field "legacyField" on type "Query".',
    );
    // A new operation also makes the committed persisted operations manifest stale.
    expect(invalid.output).toMatch(
      /^FAIL {2}persisted operations {2}gateway\/operations\/persisted-query-manifest\.json is stale/m,
    );
    expect(invalid.output).toContain('      added: Legacy\n');
  });

  it('rejects a --base that is not a commit', async () => {
    expect(await run('--base', 'no-such-ref')).toEqual({
      code: 1,
      output: 'schema:check: --base no-such-ref: not a commit in this repository\n',
    });
  });
});
