import type { IncomingMessage } from 'node:http';

/** What the HTTP server reads of each request, in the ways a profile showed cheapest. */

export interface RequestTarget {
  pathname: string;
  search: string;
}

/** What nearly every request asks for: answered without parsing a URL. */
const GRAPHQL_TARGET: RequestTarget = Object.freeze({ pathname: '/graphql', search: '' });

/** The path and query of a request; any target other than exactly `/graphql` is parsed as a URL is. */
export const requestTarget = (target: string | undefined): RequestTarget =>
  target === '/graphql' ? GRAPHQL_TARGET : new URL(target ?? '/', 'http://localhost');

/**
 * The body, read with plain listeners: an async iterator over the request costs more than the read.
 * Once the body is read (or refused) the close listener goes: left in place, the close that ends
 * every request built an Error (a stack capture) for a promise already settled: 4 % of a gateway
 * worker's busy time in bench:orders' steady phase, some 85 µs a request.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Closed before its end (the client went away): refused, as the async iterator refused it.
    const onClose = () => reject(new Error('the request closed before its body was read'));
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // The rest is discarded, not kept: the connection stays usable for the 413 and after it.
      req.off('data', onData);
      req.off('close', onClose);
      req.resume();
      resolve('too-large');
    };
    req.on('data', onData);
    req.once('end', () => {
      req.off('close', onClose);
      resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
    req.once('close', onClose);
  });
}
