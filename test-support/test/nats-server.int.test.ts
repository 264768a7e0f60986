import { afterEach, expect, it } from 'vitest';
import { startNatsServer, type TestNatsServer } from '../src/nats-server.js';

let server: TestNatsServer | undefined;
afterEach(async () => {
  await server?.dispose();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('leaves no server behind when start() is called on a running one (a clean-up that restarts it anyway)', async () => {
  server = await startNatsServer();
  const pid = server.pid() as number;
  await server.start();
  expect(server.pid()).toBe(pid);
  await server.dispose();
  server = undefined;
  expect(alive(pid)).toBe(false);
});

it('starts again after a stop, and dispose stops the new process', async () => {
  server = await startNatsServer();
  const first = server.pid() as number;
  await server.stop();
  expect(alive(first)).toBe(false);
  await server.start();
  const second = server.pid() as number;
  expect(second).not.toBe(first);
  await server.dispose();
  server = undefined;
  expect(alive(second)).toBe(false);
});
