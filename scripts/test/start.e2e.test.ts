import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { operation } from '../../e2e/support/operations.ts';
import { findOnPath } from '../lib/local-nats.ts';
import { reachable } from '../lib/processes.ts';

/**
 * `npm start`'s launcher for real (scripts/start.ts on a fresh build), as on a machine with only
 * Node: START_PROBE_DATABASE_URL and START_PROBE_NATS_URL point the "is one running already?" probe
 * at ports given to nothing, so the machine's own PostgreSQL and NATS keep running untouched; every
 * service gets a free port and the data a temporary folder, so a developer's supergraph can run too.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NATS_SERVER =
  process.env.NATS_SERVER_BIN ?? findOnPath('nats-server', `${process.env.PATH}${delimiter}/usr/sbin`) ?? 'nats-server';
const SERVICES = ['GATEWAY', 'CUSTOMER', 'ORDER', 'PRODUCT', 'CREDIT_STATUS'] as const;

let work: string;
let ports: Record<(typeof SERVICES)[number] | 'PROBE_PG' | 'PROBE_NATS', number>;
const running: Launch[] = [];

beforeAll(async () => {
  // The launcher runs the built services, as `npm start` does after `npm run build`.
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'],
    {
      cwd: ROOT,
    },
  );
  work = await mkdtemp(join(tmpdir(), 'start-e2e-'));
  // mkdtemp makes it private; as root, PostgreSQL runs as `postgres`, which must reach its data.
  await chmod(work, 0o755);
  await mkdir(join(work, 'empty-bin'));
  const free = await freePorts(SERVICES.length + 2);
  ports = Object.fromEntries([...SERVICES, 'PROBE_PG', 'PROBE_NATS'].map((name, i) => [name, free[i]])) as typeof ports;
});

afterAll(async () => {
  for (const launch of running) launch.child.kill('SIGINT');
  await Promise.all(running.map((launch) => launch.exited));
  if (work) await rm(work, { recursive: true, force: true });
});

/** The environment of a machine with nothing at the probed addresses and no DATABASE_URL or NATS_URL. */
function machine(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, NATS_URL: _nats, ...env } = process.env;
  return {
    ...env,
    START_DATA_DIR: join(work, 'data'),
    START_PROBE_DATABASE_URL: `postgres://postgres@127.0.0.1:${ports.PROBE_PG}/postgres`,
    START_PROBE_NATS_URL: `nats://127.0.0.1:${ports.PROBE_NATS}`,
    PATH: `${dirname(NATS_SERVER)}${delimiter}${process.env.PATH}`,
    ...Object.fromEntries(SERVICES.map((name) => [`${name}_PORT`, String(ports[name])])),
    ...overrides,
  };
}

// Each start builds five services and a database: minutes on a busy 2-core machine, not the usual 30 s.
describe('npm start with only Node', { timeout: 180_000 }, () => {
  let shopperEmail: string;

  it('runs an embedded PostgreSQL and its own nats-server, serves the operations, and Ctrl-C leaves nothing', async () => {
    const launch = startLauncher(machine());
    const began = Date.now();
    await launch.waitFor(/commerce-supergraph is ready/, 120_000);
    console.info(`ready on an embedded PostgreSQL and a started nats-server in ${Date.now() - began} ms`);
    const output = launch.output();
    expect(output).toMatch(
      new RegExp(
        `PostgreSQL: nothing answers at 127\\.0\\.0\\.1:${ports.PROBE_PG}, so npm start runs an embedded PostgreSQL`,
      ),
    );
    expect(output).toMatch(
      new RegExp(`NATS: nothing answers at 127\\.0\\.0\\.1:${ports.PROBE_NATS}, so npm start runs .*nats-server -js`),
    );
    const pgPort = Number(/embedded PostgreSQL \d+ at postgres:\/\/\S+:(\d+)\//.exec(output)?.[1]);
    const natsPort = Number(/nats-server -js at nats:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);

    const gateway = `http://localhost:${ports.GATEWAY}/graphql`;
    shopperEmail = `zero-${Date.now()}@example.com`;
    const registered = await send(gateway, 'RegisterCustomer', {
      input: { name: 'Zero Setup', email: shopperEmail, password: 'only-node-here' },
    });
    expect(registered.data?.registerCustomer.userErrors).toEqual([]);
    const token = registered.data?.registerCustomer.token as string;
    const products = await send(gateway, 'Products', { first: 5, filter: { inStock: true } });
    const productId = products.data?.products.edges[0]?.node.id as string;
    expect(productId).toBeTruthy();
    // The order subgraph learns prices from the catalog's events: NATS at work.
    const order = await vi.waitFor(
      async () => {
        const placed = await send(gateway, 'PlaceOrder', { input: { items: [{ productId, quantity: 1 }] } }, token);
        expect(placed.data?.placeOrder.userErrors).toEqual([]);
        return placed.data?.placeOrder.order as { id: string };
      },
      { timeout: 25_000, interval: 250 },
    );
    await vi.waitFor(
      async () => expect((await send(gateway, 'Order', { id: order.id }, token)).data?.order.status).toBe('CONFIRMED'),
      { timeout: 25_000, interval: 250 },
    );

    const processes = descendants(launch.child.pid as number);
    expect(processes.length).toBeGreaterThanOrEqual(7); // five services, postgres, nats-server
    launch.child.kill('SIGINT');
    expect(await launch.exited).toBe(0);
    expect(processes.filter(isAlive)).toEqual([]);
    for (const port of [pgPort, natsPort, ...SERVICES.map((name) => ports[name])]) {
      expect(await reachable(`tcp://127.0.0.1:${port}`, port), `port ${port}`).toBe(false);
    }
  });

  it('keeps the data across a restart', async () => {
    const launch = startLauncher(machine());
    await launch.waitFor(/commerce-supergraph is ready/, 120_000);
    const login = await send(`http://localhost:${ports.GATEWAY}/graphql`, 'Login', {
      input: { email: shopperEmail, password: 'only-node-here' },
    });
    expect(login.data?.login.userErrors).toEqual([]);
    launch.child.kill('SIGINT');
    expect(await launch.exited).toBe(0);
  });

  it('stops within seconds with the install line when nats-server is not on PATH', async () => {
    const began = Date.now();
    const launch = startLauncher(machine({ PATH: join(work, 'empty-bin'), START_DATA_DIR: join(work, 'never') }));
    expect(await launch.exited).toBe(1);
    console.info(`failed without nats-server in ${Date.now() - began} ms`);
    expect(Date.now() - began).toBeLessThan(10_000);
    const line = launch.output().trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(
      `NATS is not reachable at nats://127.0.0.1:${ports.PROBE_NATS} and nats-server is not on PATH`,
    );
    for (const command of [
      'apt-get install nats-server',
      'brew install nats-server',
      'docker run -p 4222:4222 nats -js',
    ]) {
      expect(line).toContain(command);
    }
    expect(existsSync(join(work, 'never'))).toBe(false); // nothing was started
  });

  it('never runs its own servers when DATABASE_URL is set, nor in production', async () => {
    const given = `postgres://postgres@127.0.0.1:${ports.PROBE_PG}/given`;
    const withUrl = startLauncher(machine({ DATABASE_URL: given, START_DATA_DIR: join(work, 'never') }));
    expect(await withUrl.exited).toBe(1);
    expect(withUrl.output()).toContain(`PostgreSQL is not reachable at ${given} (DATABASE_URL)`);
    const production = startLauncher(machine({ NODE_ENV: 'production', START_DATA_DIR: join(work, 'never') }));
    expect(await production.exited).toBe(1);
    expect(production.output()).toContain('NODE_ENV=production never runs one of its own: set DATABASE_URL');
    expect(production.output()).toContain('NODE_ENV=production never runs one of its own: set NATS_URL');
    expect(existsSync(join(work, 'never'))).toBe(false);
  });
});

interface Launch {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited: Promise<number | null>;
}

function startLauncher(env: NodeJS.ProcessEnv): Launch {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/start.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const append = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const launch: Launch = {
    child,
    output: () => text,
    exited,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (child.exitCode !== null) throw new Error(`the launcher exited (${child.exitCode}):\n${text}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} in time:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
  running.push(launch);
  void exited.then(() => running.splice(running.indexOf(launch), 1));
  return launch;
}

async function send(url: string, name: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: operation(name), variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body;
}

/** Every process under `pid`, however deep (PostgreSQL's backends are children of its postmaster). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Distinct ports free right now: all are held open together, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
