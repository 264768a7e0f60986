import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL server of a test's own (initdb into a temporary directory, a free port), for tests
 * that stop, crash or restart PostgreSQL: the machine's server is shared and must never be touched.
 * As root, the binaries run as the `postgres` OS user (PostgreSQL refuses to run as root), which
 * owns the data directory. Self-contained (no relative imports), so a plain Node script can load it.
 */
export interface TestPostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres: a service puts its own database name in the path. */
  url: string;
  port: number;
  /** The data directory (owned by the server's OS user). */
  dataDir: string;
  /** The server's log file. */
  logFile: string;
  /**
   * Starts the server on the same port and data. `wait: false` returns as soon as pg_ctl has
   * launched the postmaster, while it may still be recovering: what a client sees during a restart.
   */
  start(options?: { wait?: boolean }): Promise<void>;
  /** `pg_ctl stop -m <mode>`: `immediate` is a crash (no checkpoint; the next start recovers from WAL). */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** `accepting`, `starting` (up but refusing connections, e.g. in recovery) or `down`. */
  state(): Promise<'accepting' | 'starting' | 'down'>;
  /** Resolves once the server accepts connections; throws after `timeoutMs`. */
  waitUntilAccepting(timeoutMs?: number): Promise<void>;
  /** The postmaster's pid while it runs. */
  pid(): number | undefined;
  /**
   * Freezes every process of the server (SIGSTOP): connections stay open and nothing answers, as
   * with a hung host or a network partition. `thaw` lets it go on (SIGCONT).
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops the server (immediately) and deletes its directory. Safe to call more than once. */
  dispose(): Promise<void>;
}

export interface PostgresServerOptions {
  /** Extra postgresql.conf settings, e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
  /** Where the binaries are; default: POSTGRES_BIN, else the newest /usr/lib/postgresql/<n>/bin. */
  binDir?: string;
}

export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<TestPostgresServer> {
  const binDir = options.binDir ?? postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? osUser('postgres') : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'pg-test-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  /** Runs a PostgreSQL binary, as the postgres user when we are root. */
  const pg = (binary: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(binDir, binary), ...args], { cwd: tmpdir() })
      : run(join(binDir, binary), args, { cwd: tmpdir() });
  let disposed = false;

  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    await chmod(dir, 0o700);
    await pg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const settings = {
      listen_addresses: "'127.0.0.1'",
      port: String(port),
      unix_socket_directories: `'${dir}'`,
      max_connections: '200',
      ...options.settings,
    };
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      `\n# test server\n${Object.entries(settings)
        .map(([key, value]) => `${key} = ${value}`)
        .join('\n')}\n`,
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const state = async (): Promise<'accepting' | 'starting' | 'down'> => {
    try {
      await pg('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '2']);
      return 'accepting';
    } catch (error) {
      // pg_isready: 1 = rejecting connections (starting up, shutting down), 2 = no response.
      return (error as { code?: number }).code === 1 ? 'starting' : 'down';
    }
  };
  const waitUntilAccepting = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while ((await state()) !== 'accepting') {
      if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} did not accept connections in time`);
      await sleep(50);
    }
  };
  const pid = () => {
    try {
      const value = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(value) && value > 0 ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const start = async ({ wait = true }: { wait?: boolean } = {}) => {
    // A fault schedule still running while the test ends must not bring back a disposed server.
    if (disposed) throw new Error(`PostgreSQL on port ${port} was disposed`);
    // -W: pg_ctl returns once the postmaster is launched; we wait (or not) ourselves.
    await pg('pg_ctl', ['-D', dataDir, '-l', logFile, '-W', 'start']);
    if (wait) await waitUntilAccepting();
  };
  const stop = async (mode: 'smart' | 'fast' | 'immediate' = 'fast') => {
    if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
    await pg('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']).catch((error: unknown) => {
      // Already stopped between the look and the stop.
      if (existsSync(join(dataDir, 'postmaster.pid'))) throw error;
    });
  };

  /** The postmaster and its children: this server's processes only. */
  const children = (postmaster: number) =>
    run('pgrep', ['-P', String(postmaster)]).then(
      ({ stdout }) => stdout.split('\n').filter(Boolean).map(Number),
      () => [] as number[],
    );
  const signal = async (name: 'SIGSTOP' | 'SIGCONT') => {
    const postmaster = pid();
    if (postmaster === undefined) return;
    // The postmaster first: stopped, it forks no more backends, so the children listed next are all
    // there are. Listed first, a backend forked in between (a pool opening a connection) kept running
    // and answered queries through the "hang".
    process.kill(postmaster, name);
    for (const each of await children(postmaster)) {
      try {
        process.kill(each, name);
      } catch (error) {
        // A backend may end on its own after it was listed (its client hung up): nothing to stop.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  };

  try {
    await start();
  } catch (error) {
    await stop('immediate').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${tail(logFile)}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    logFile,
    start,
    stop,
    state,
    waitUntilAccepting,
    pid,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await signal('SIGCONT').catch(() => undefined);
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** POSTGRES_BIN, else the newest version installed the Debian way. */
export function postgresBinDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('No PostgreSQL binaries found: set POSTGRES_BIN to the directory holding initdb');
  return join(root, versions[0], 'bin');
}

function osUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new Error(`Running as root needs a "${name}" OS user to run PostgreSQL`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
