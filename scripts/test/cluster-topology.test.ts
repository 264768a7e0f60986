import { createConnection, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer } from '../lib/balancer.ts';
import { planCluster, startWaves } from '../lib/cluster-topology.ts';
import { distinctPorts, pickPort } from '../lib/processes.ts';

const servers: Server[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A TCP server that answers every connection with its name. */
async function namedServer(name: string): Promise<number> {
  const server = createServer((socket) => socket.end(name));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('ports of a plan', () => {
  it('never hands out one port twice, even when the kernel offers it again', async () => {
    const offered = [4100, 4100, 4101, 4100, 4102];
    const asked: number[] = [];
    const pick = distinctPorts(async (preferred) => {
      asked.push(preferred);
      return offered.shift() as number;
    });
    expect([await pick(4100), await pick(0), await pick(4100)]).toEqual([4100, 4101, 4102]);
    // A preferred port that was taken is asked for once; the retries take any free one.
    expect(asked).toEqual([4100, 0, 0, 4100, 0]);
  });
});

describe('balancer', () => {
  it('hands connections to its targets in turn and skips one that refuses', async () => {
    const a = await namedServer('a');
    const b = await namedServer('b');
    const refusing = await pickPort(0); // nothing listens there
    const balancer = await startBalancer([a, refusing, b]);
    closers.push(() => balancer.close());
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await rawAnswer(balancer.port));
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
    expect(balancer.handed.get(a)).toBe(2);
    expect(balancer.handed.get(b)).toBe(2);
    expect(balancer.handed.get(refusing)).toBe(0);
  });

  it('closes the connection when no target takes it', async () => {
    const balancer = await startBalancer([await pickPort(0)]);
    closers.push(() => balancer.close());
    expect(await rawAnswer(balancer.port)).toBe('');
  });
});

describe('cluster topology', () => {
  it('plans two instances of every subgraph behind balancers and gateways that route to them, in start order', async () => {
    const plan = await planCluster({
      repo: '/repo',
      instances: 2,
      gateways: 2,
      envFor: (service, instance) => ({ WHO: `${service}#${instance}` }),
    });
    closers.push(() => plan.close());
    expect(plan.instances.map((i) => i.label).sort()).toEqual(
      [
        'credit-status-1',
        'credit-status-2',
        'customer-1',
        'customer-2',
        'gateway-1',
        'gateway-2',
        'order-1',
        'order-2',
        'product-1',
        'product-2',
      ].sort(),
    );
    const product2 = plan.instances.find((i) => i.label === 'product-2');
    expect(product2?.script).toBe('/repo/subgraphs/product/dist/index.js');
    expect(product2?.env).toEqual({ WHO: 'product#2', PRODUCT_PORT: String(product2?.port) });
    const gateway = plan.instances.find((i) => i.label === 'gateway-1');
    expect(gateway?.env.CREDIT_STATUS_URL).toBe(`http://127.0.0.1:${plan.balancers['credit-status']?.port}/graphql`);
    expect(plan.gatewayUrls).toHaveLength(2);
    expect(new Set(plan.instances.map((i) => i.port)).size).toBe(10);
    // The first of order and customer (they own the streams others read), then the first of the
    // others, then the second instances (their databases migrated by then), then the gateways.
    expect(startWaves(plan.instances).map((wave) => wave.map((i) => i.label).sort())).toEqual([
      ['customer-1', 'order-1'],
      ['credit-status-1', 'product-1'],
      ['credit-status-2', 'customer-2', 'order-2', 'product-2'],
      ['gateway-1', 'gateway-2'],
    ]);
  });

  it('plans one process of each, the gateway routing to them directly, when direct', async () => {
    const plan = await planCluster({ repo: '/repo', instances: 1, gateways: 1, direct: true, envFor: () => ({}) });
    closers.push(() => plan.close());
    expect(plan.balancers).toEqual({});
    const order = plan.instances.find((i) => i.label === 'order-1');
    const gateway = plan.instances.find((i) => i.label === 'gateway-1');
    expect(gateway?.env.ORDER_URL).toBe(`http://127.0.0.1:${order?.port}/graphql`);
    expect(plan.instances).toHaveLength(5);
    await expect(
      planCluster({ repo: '/repo', instances: 2, gateways: 1, direct: true, envFor: () => ({}) }),
    ).rejects.toThrow(/one instance/);
  });
});

/** Connects with a plain socket and returns everything the far end sends before closing. */
function rawAnswer(port: number): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('close', () => resolve(data));
    socket.on('error', () => undefined);
  });
}
