// A round-robin TCP balancer on loopback: what a Kubernetes Service or a load balancer does in front
// of a subgraph's replicas, for the scale-out on one machine (`npm run start:cluster`, the cluster
// test). Each new connection goes to the next instance; one that refuses (killed, still starting)
// is skipped for the next, so a gateway only sees the instance it was talking to go away.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Balancer {
  port: number;
  /** Connections handed to each target port so far. */
  readonly handed: Map<number, number>;
  close(): Promise<void>;
}

export async function startBalancer(targets: number[], port = 0): Promise<Balancer> {
  if (targets.length === 0) throw new Error('a balancer needs at least one target');
  const sockets = new Set<Socket>();
  const handed = new Map(targets.map((target) => [target, 0]));
  let next = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    // Held until an instance takes the connection: the request bytes wait in the socket.
    client.pause();
    const tryTarget = (tries: number) => {
      const target = targets[next++ % targets.length] as number;
      const upstream = createConnection({ port: target, host: '127.0.0.1' });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        handed.set(target, (handed.get(target) ?? 0) + 1);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.resume();
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      upstream.once('error', () => {
        if (connected) return;
        upstream.destroy();
        if (tries + 1 < targets.length && !client.destroyed) tryTarget(tries + 1);
        else client.destroy();
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as { port: number };
  return {
    port: bound,
    handed,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
