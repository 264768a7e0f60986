import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPostgresServer {
  /** Server URL for DATABASE_URL, e.g. postgres://postgres@127.0.0.1:54321/postgres. */
  url: string;
  port: number;
  /**
   * Stops the server. `immediate` is a crash as far as clients can tell: every connection is cut
   * at once, and the next start runs crash recovery ("the database system is starting up").
   */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port with the same data; `wait: false` returns before it accepts connections. */
  start(options?: { wait?: boolean }): Promise<void>;
  /** Resolves once a connection is accepted (crash recovery done). */
  waitUntilAccepting(timeoutMs?: number): Promise<void>;
  /**
   * Freezes every process of the server (SIGSTOP): connections stay open and nothing answers, as
   * with a hung host or a network partition. `thaw` lets it go on (SIGCONT).
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/** Where the PostgreSQL server binaries are: PG_BIN, or Debian's location of version 15. */
const binDir = (): string => process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of a test's own, in a temporary directory on a free port: for tests that stop
 * or crash the database, which must never touch the machine's server. PostgreSQL refuses to run as
 * root, so as root it runs as the `postgres` OS user.
 */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  const bin = binDir();
  if (!existsSync(join(bin, 'pg_ctl'))) throw new Error(`pg_ctl not found in ${bin} (set PG_BIN)`);
  const dir = await mkdtemp(join(tmpdir(), 'pg-test-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
    await chown(dir, await ids('-u'), await ids('-g'));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = false;

  const waitUntilAccepting = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = await pg('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-t', '1']).then(
        () => true,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} did not accept connections`);
      await sleep(50);
    }
  };
  const start = async ({ wait = true }: { wait?: boolean } = {}) => {
    await pg('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-W', 'start']);
    running = true;
    if (wait) await waitUntilAccepting();
  };
  const stop = async (mode: 'immediate' | 'fast' = 'fast') => {
    if (!running) return;
    running = false;
    await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  };
  /** The postmaster (first line of postmaster.pid) and its children: this server's processes only. */
  const processes = async (): Promise<number[]> => {
    const postmaster = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const children = await run('pgrep', ['-P', String(postmaster)]).then(
      ({ stdout }) => stdout.split('\n').filter(Boolean).map(Number),
      () => [] as number[],
    );
    return [postmaster, ...children];
  };
  const signal = async (name: 'SIGSTOP' | 'SIGCONT') => {
    for (const pid of await processes()) process.kill(pid, name);
  };
  await start();
  return {
    url,
    port,
    start,
    stop,
    waitUntilAccepting,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async dispose() {
      await signal('SIGCONT').catch(() => undefined);
      await stop('immediate').catch(() => undefined);
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
