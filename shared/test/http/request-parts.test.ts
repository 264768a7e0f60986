import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { readBody, requestTarget } from '../../src/http/request-parts.js';

it('reads the path and query of a request target, the plain /graphql without a URL parse', () => {
  expect(requestTarget('/graphql')).toEqual({ pathname: '/graphql', search: '' });
  expect(requestTarget('/graphql?query=%7Ba%7D')).toMatchObject({ pathname: '/graphql', search: '?query=%7Ba%7D' });
  // Any other spelling goes through URL, normalized as before.
  expect(requestTarget('/x/../graphql')).toMatchObject({ pathname: '/graphql', search: '' });
  expect(requestTarget('/ready')).toMatchObject({ pathname: '/ready' });
  expect(requestTarget(undefined)).toMatchObject({ pathname: '/' });
});

/**
 * A request as readBody sees it: a readable body and its headers. Not destroyed at its end: a
 * server's request closes later, once its response is sent.
 */
function request(headers: Record<string, string> = {}) {
  const req = Object.assign(new Readable({ read() {}, autoDestroy: false }), { headers });
  return { req, asRequest: req as unknown as IncomingMessage };
}

/** How many Errors are built (subclasses too) while `work` runs. */
async function errorsBuilt(work: () => Promise<unknown>): Promise<number> {
  const original = globalThis.Error;
  let built = 0;
  globalThis.Error = new Proxy(original, {
    construct(target, args, newTarget) {
      built += 1;
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    await work();
  } finally {
    globalThis.Error = original;
  }
  return built;
}

it('reads the whole body, and the close that ends the request builds no error for it', async () => {
  const { req, asRequest } = request();
  const before = req.listenerCount('close');
  const body = readBody(asRequest, 100);
  req.push('{"query":');
  req.push('"{ a }"}');
  req.push(null);
  await expect(body).resolves.toEqual(Buffer.from('{"query":"{ a }"}'));
  expect(req.listenerCount('close')).toBe(before);
  const closed = () => {
    const done = new Promise((resolve) => req.once('close', resolve));
    req.destroy();
    return done;
  };
  expect(await errorsBuilt(closed)).toBe(0);
});

it('refuses a body over the limit, drops the rest, and leaves no close listener behind', async () => {
  const { req, asRequest } = request();
  const before = req.listenerCount('close');
  const body = readBody(asRequest, 4);
  req.push('12345678');
  await expect(body).resolves.toBe('too-large');
  expect(req.listenerCount('close')).toBe(before);
  expect(req.listenerCount('data')).toBe(0);
});

it('refuses a declared length over the limit without reading', async () => {
  const { asRequest } = request({ 'content-length': '5' });
  await expect(readBody(asRequest, 4)).resolves.toBe('too-large');
});

it('rejects a request closed before its body ended', async () => {
  const { req, asRequest } = request();
  const body = readBody(asRequest, 100);
  req.push('{"query":');
  req.destroy();
  await expect(body).rejects.toThrow('the request closed before its body was read');
});
