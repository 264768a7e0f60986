import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** Resolves true when something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, defaultPort: number, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls a `/ready` URL until it answers 200 or the deadline passes. */
export async function waitUntilReady(url: string, deadline: number, isAlive: () => boolean): Promise<void> {
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: the process exited before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} was not ready in time`);
}

/** Starts a Node service with this same (pinned) Node binary, logs going to this terminal. */
export function startNode(script: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--enable-source-maps', script], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
}

/** Sends SIGTERM to every child still running and waits until all have exited. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => stopProcess(child)));
}

/**
 * `preferred` when it is free, else a port the OS picks: a fixed port is easy to remember (psql), but
 * a clash (a second checkout, a test) must not stop the start.
 */
export async function pickPort(preferred: number): Promise<number> {
  if (!(await reachable(`tcp://127.0.0.1:${preferred}`, preferred, 500))) {
    const port = await listenOnce(preferred);
    if (port !== undefined) return port;
  }
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/**
 * pickPort for a plan that picks several ports before anything binds them: it never answers a port
 * it answered before. Each pick binds and releases its port, so the kernel may hand the same free
 * port out twice (a cluster test once got one port for two instances; the second never started).
 */
export function distinctPorts(pick: (preferred: number) => Promise<number> = pickPort) {
  const taken = new Set<number>();
  return async (preferred: number): Promise<number> => {
    for (let wanted = preferred; ; wanted = 0) {
      const port = await pick(wanted);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
}

/** Binds the port on loopback and releases it: the port, or undefined when it is taken. */
function listenOnce(port: number): Promise<number | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** Sends `signal` unless the process has exited, and resolves once it has. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
