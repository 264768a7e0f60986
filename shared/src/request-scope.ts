import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request being served, for code that has no context object to hand: SQL logs and query
 * counts (MikroORM's raw execute and DataLoader batches carry no request of their own). The HTTP
 * server runs each request inside it; background work a request merely starts leaves it.
 */
const scope = new AsyncLocalStorage<{ requestId: string }>();

export const runInRequestScope = <T>(requestId: string, work: () => T): T => scope.run({ requestId }, work);

export const currentRequestId = (): string | undefined => scope.getStore()?.requestId;

/** Runs background work (a relay round a commit kicked) outside whatever request started it. */
export const outsideRequestScope = <T>(work: () => T): T => scope.exit(work);
