import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

/** runService with <NAME>_WORKERS (workers.ts), on the built package, as the entry points run it. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('fixtures/worker-service.ts', import.meta.url));
const started: ChildProcess[] = [];

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'shared/tsconfig.build.json'], {
    cwd: ROOT,
  });
}, 120_000);
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function start(workers: number) {
  const port = await freePort();
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      FIXTURE_PORT: String(port),
      FIXTURE_WORKERS: String(workers),
    },
    stdio: 'ignore',
  });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pids = new Set<number>();
  await vi.waitFor(
    async () => {
      // A fresh connection each time: whichever worker's loop comes round first takes it, so in a
      // few tries both have answered.
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
      pids.add(Number(await answer.text()));
      if (pids.size < workers) throw new Error(`${pids.size} of ${workers} workers answered`);
    },
    { timeout: 20_000, interval: 20 },
  );
  return { child, pids, exited, url: `http://127.0.0.1:${port}` };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('a service run as several workers', () => {
  it('serves from every worker on one port, and SIGTERM stops them all with exit code 0', async () => {
    const { child, pids, exited } = await start(2);
    expect(pids.size).toBe(2);
    expect(pids.has(child.pid as number)).toBe(false);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('stops the service with exit code 1 when a worker dies, so a supervisor restarts it', async () => {
    const { pids, exited } = await start(2);
    const [first, second] = [...pids] as [number, number];
    process.kill(first, 'SIGKILL');
    expect(await exited).toBe(1);
    await vi.waitFor(() => expect(alive(second)).toBe(false), { timeout: 10_000 });
  });

  it('leaves new connections to the worker that is free while another is busy in a long turn', async () => {
    const { child, pids, exited, url } = await start(2);
    // One worker holds its event loop for 3 s (its answer's head arrives just before); the other
    // takes every connection meanwhile. With node:cluster's round robin the primary hands every
    // other one to the busy worker, where it waits.
    const blocking = await fetch(`${url}/block?ms=3000`, { headers: { connection: 'close' } });
    const served: number[] = [];
    const startedAt = performance.now();
    for (let n = 0; n < 8; n++) {
      const answer = await fetch(`${url}/`, { headers: { connection: 'close' } });
      served.push(Number(await answer.text()));
    }
    const tookMs = performance.now() - startedAt;
    const busy = Number(await blocking.text());
    expect(pids.has(busy)).toBe(true);
    expect(served.every((pid) => pid !== busy)).toBe(true);
    expect(tookMs).toBeLessThan(2_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('runs in the one process when one worker is asked for', async () => {
    const { child, pids, exited } = await start(1);
    expect([...pids]).toEqual([child.pid]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
