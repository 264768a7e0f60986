// A NATS server of `npm start`'s own, when none answers and `nats-server` is installed: JetStream on,
// its streams in `<data>/nats`, so a restart keeps the events as the embedded PostgreSQL keeps the rows.
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { LocalServer } from './embedded-postgres.ts';
import { pidFiles, shown } from './local-data.ts';
import { reachable, stopProcess } from './processes.ts';

/** One line, with the command for each usual way to get NATS (the server is one Go binary). */
export const NATS_INSTALL_HINT =
  'install nats-server (Debian/Ubuntu: apt-get install nats-server, then make sure /usr/sbin is on PATH; macOS: brew install nats-server) or run NATS with Docker (docker run -p 4222:4222 nats -js), or set NATS_URL';

/**
 * The executable named `name` in a PATH directory, as a shell would find it. Only PATH is searched,
 * not the sbin folders a distribution may put it in: what runs is what `command -v nats-server`
 * shows, and the hint above tells a Debian user where theirs went.
 */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export async function startLocalNats(binary: string, dataDir: string, port: number): Promise<LocalServer> {
  const storeDir = join(dataDir, 'nats');
  const logFile = join(dataDir, 'nats.log');
  await mkdir(storeDir, { recursive: true });
  const pidFile = pidFiles(dataDir).NATS;
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '-l', logFile, '-P', pidFile];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await reachable(url, port, 500))) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited || spawnError || Date.now() > deadline) {
      await stopProcess(child);
      const reason = spawnError?.message ?? lastLine(`${readLog(logFile)}\n${output}`) ?? 'it did not listen in time';
      throw new Error(`nats-server did not start: ${reason} (log: ${shown(logFile)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // SIGTERM: nats-server flushes JetStream to disk and exits.
  return { what: `${binary} -js`, url, data: storeDir, stop: () => stopProcess(child) };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2_000);
  } catch {
    return '';
  }
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
}
