import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFederationVersion, composeFromConfig, composeSupergraph } from '../lib/compose.ts';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const CUSTOMER = `${LINK}\ntype Query { me: Customer }\ntype Customer @key(fields: "id") { id: ID! name: String }`;
const ORDER_CONFLICT = `${LINK}\ntype Query { orders: [Int] }\ntype Customer @key(fields: "id") { id: ID! name: Int }`;
const yaml = (subgraphs: Record<string, string>, version = '=2.14.4') =>
  `federation_version: ${version}\nsubgraphs:\n${Object.entries(subgraphs)
    .map(
      ([name, file]) =>
        `  ${name}:\n    routing_url: http://localhost:4001/graphql\n    schema:\n      file: ${file}\n`,
    )
    .join('')}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compose-test-'));
  await mkdir(join(dir, 'schemas'));
  await writeFile(join(dir, 'schemas/customer.graphql'), CUSTOMER);
  await writeFile(join(dir, 'schemas/order.graphql'), ORDER_CONFLICT);
  await writeFile(join(dir, 'schemas/broken.graphql'), `${LINK}\ntype Query {`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function composeYaml(text: string) {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, text);
  return { path, outcome: await composeFromConfig(path) };
}

describe('composition from supergraph.yaml', () => {
  it('composes the schema files named relative to the YAML, with their routing URLs', async () => {
    const { outcome } = await composeYaml(yaml({ customer: './schemas/customer.graphql' }));
    expect(outcome).toMatchObject({ ok: true, warnings: [] });
    if (!outcome.ok) return;
    expect(outcome.supergraphSdl).toContain(
      'CUSTOMER @join__graph(name: "customer", url: "http://localhost:4001/graphql")',
    );
    expect(outcome.supergraphSdl.endsWith('}\n')).toBe(true);
  });

  it('names the subgraphs of a composition error', async () => {
    const { outcome } = await composeYaml(
      yaml({ customer: './schemas/customer.graphql', order: './schemas/order.graphql' }),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors[0]).toMatch(/^\[customer, order\] FIELD_TYPE_MISMATCH: Type of field "Customer.name"/);
  });

  it('names the subgraph whose schema file is missing or does not parse', async () => {
    const missing = await composeYaml(
      yaml({ customer: './schemas/customer.graphql', product: './schemas/nope.graphql' }),
    );
    expect(missing.outcome).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^\[product\] cannot read its schema/)],
    });
    const broken = composeSupergraph([
      { name: 'broken', routingUrl: 'http://b/graphql', sdl: `${LINK}\ntype Query {` },
    ]);
    expect(broken).toMatchObject({ ok: false, errors: [expect.stringMatching(/^\[broken\] Syntax Error/)] });
  });

  it('warns when the pinned federation version is not the installed composition', async () => {
    const { outcome } = await composeYaml(yaml({ customer: './schemas/customer.graphql' }, '=2.9.0'));
    expect(outcome.ok).toBe(true);
    expect(outcome.warnings).toEqual([expect.stringMatching(/pins federation 2\.9\.0 but @apollo\/composition 2\./)]);
  });

  it('accepts only Federation 2 versions, pinned or not, and reports an unreadable config', async () => {
    expect(checkFederationVersion('2')).toEqual([]);
    expect(() => checkFederationVersion('1')).toThrow(/Federation 2 version/);
    expect(() => checkFederationVersion('')).toThrow(/Federation 2 version/);
    const missing = await composeFromConfig(join(dir, 'no-such.yaml'));
    expect(missing).toMatchObject({ ok: false, errors: [expect.stringMatching(/ENOENT/)] });
  });
});

describe('npm run compose', () => {
  const cli = fileURLToPath(new URL('../compose.ts', import.meta.url));
  const run = (config: string, output: string) =>
    promisify(execFile)(process.execPath, [cli, '--config', config, '--output', output]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('writes the supergraph, or exits 1 naming the subgraph and the reason', async () => {
    const output = join(dir, 'supergraph.graphql');
    const good = await composeYaml(yaml({ customer: './schemas/customer.graphql' }));
    expect(await run(good.path, output)).toMatchObject({ code: 0 });
    expect(await readFile(output, 'utf8')).toContain('@join__graph(name: "customer"');

    const bad = await composeYaml(yaml({ customer: './schemas/customer.graphql', order: './schemas/broken.graphql' }));
    const failed = await run(bad.path, join(dir, 'never.graphql'));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/\[order\] Syntax Error/);
  });
});
