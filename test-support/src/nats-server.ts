import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The machine's NATS, for tests that only need a server (they use unique stream names). */
export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestNatsServer {
  url: string;
  port: number;
  /** Stops the process (SIGTERM, like an operator or an orchestrator would). */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL, a crash: nothing is flushed or said goodbye to). */
  kill(): Promise<void>;
  /** The server's pid while it runs. */
  pid(): number | undefined;
  /** Starts it again on the same port with the same store, so streams and consumers survive. */
  start(): Promise<void>;
  /** Stops it and deletes its store. */
  dispose(): Promise<void>;
}

const binary = (): string =>
  process.env.NATS_SERVER_BIN ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

export interface NatsServerOptions {
  /**
   * Configuration file text added to the server's own (listen address and JetStream store), e.g.
   * an `authorization { ... }` or `tls { ... }` block, or an `include` of a committed file.
   */
  config?: string;
  /** Environment of the server process: what `$VARIABLE` references in the configuration read. */
  env?: Record<string, string>;
}

/**
 * A nats-server with JetStream of a test's own, on a free port with a temporary store: for tests
 * that stop NATS, or that need authorization or TLS, which must never touch the machine's server.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<TestNatsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'nats-test-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let disposed = false;
  const configFile = join(dir, 'nats-server.conf');
  if (options.config !== undefined) {
    const own = `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(join(dir, 'store'))} }\n`;
    await writeFile(configFile, `${own}${options.config}\n`);
  }

  const start = async () => {
    // A test still restarting it while it ends must not bring back a disposed server.
    if (disposed) throw new Error(`nats-server on port ${port} was disposed`);
    // Already running (a test's clean-up brings it back whatever state the test left): a second
    // process would find the port taken and exit, and the first one, no longer tracked, would outlive
    // dispose().
    if (child && child.exitCode === null && child.signalCode === null) return;
    const args =
      options.config === undefined ? ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir] : ['-c', configFile];
    const process = spawn(binary(), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...globalThis.process.env, ...options.env },
    });
    let output = '';
    process.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2_000);
    });
    child = process;
    await waitForPort(port, () => (process.exitCode === null ? undefined : output));
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    stop: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
    pid: () => child?.pid,
    async dispose() {
      disposed = true;
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until the port accepts connections; fails fast with the server's output if it exited. */
async function waitForPort(port: number, exitedWith: () => string | undefined): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const output = exitedWith();
    if (output !== undefined) throw new Error(`nats-server exited during start-up:\n${output}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.once('close', () => socket.destroy());
      setTimeout(() => socket.end(), 0);
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nats-server did not listen on port ${port}`);
}
