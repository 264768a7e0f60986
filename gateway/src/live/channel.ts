/**
 * A bounded queue with an async iterator: the feed pushes, one subscription pulls. A subscriber that
 * falls more than `capacity` updates behind (a stalled socket) is ended with an error instead of
 * growing the gateway's memory without bound.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onEnd: () => void,
  ) {}

  push(value: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.queue.length >= this.capacity) {
      this.fail(new Error('Too many updates waiting for this subscriber; subscribe again'));
      return;
    }
    this.queue.push(value);
  }

  /** Ends the iteration with an error (delivered after what is already queued is dropped). */
  fail(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.queue.length = 0;
    if (this.failWaiting) this.failWaiting(error);
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    this.failWaiting = undefined;
    this.onEnd();
  }
}
