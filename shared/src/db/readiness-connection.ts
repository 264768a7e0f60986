import { deadline } from '../time.js';

/** The parts of `pg`'s client the probe uses (the package ships no types of its own). */
interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connection?: { stream?: { destroy(error?: Error): void } };
}

/** A `pg` pool as MikroORM hands it out: its client class and the options it opens clients with. */
export interface PgPoolLike {
  Client: new (options: unknown) => PgClient;
  options: Record<string, unknown>;
}

/**
 * One connection of its own, outside the pool, for `/ready`: its `select 1` never waits behind the
 * requests and messages holding every pooled connection, so a busy service still answers at once
 * and truthfully whether PostgreSQL is there. Opened on first use; after any failure it is cut and
 * opened again on the next probe (so a restarted server is seen as soon as it accepts connections).
 */
export class ReadinessConnection {
  private client: PgClient | undefined;
  private opening: Promise<PgClient> | undefined;
  /** The client being connected, so a probe that gives up can cut it too. */
  private pending: PgClient | undefined;
  /** Bumped by every discard: a connect that finishes after one is not kept. */
  private epoch = 0;

  constructor(
    private readonly pool: PgPoolLike,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves when PostgreSQL answered within the timeout (connecting included); rejects with the reason. */
  async probe(): Promise<void> {
    const work = (async () => {
      const client = await this.connection();
      await client.query('select 1');
    })();
    try {
      await deadline(work, this.timeoutMs, 'database check');
    } catch (error) {
      // Whatever state it is in (hung, half-open, broken), it is replaced.
      work.catch(() => undefined);
      this.discard();
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.discard(false);
    if (client) await deadline(client.end(), 1_000, 'closing the readiness connection').catch(() => this.cut(client));
  }

  private connection(): Promise<PgClient> {
    if (this.client) return Promise.resolve(this.client);
    if (this.opening) return this.opening;
    const epoch = this.epoch;
    // The pool's own client class and options: same server, credentials and timeouts as the service's work.
    // pg-pool keeps the password as a non-enumerable property (out of stack traces), so a spread
    // alone would drop it and a server that asks for one would refuse every probe.
    const client = new this.pool.Client({
      ...this.pool.options,
      password: this.pool.options.password,
      application_name: 'readiness',
    });
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    this.pending = client;
    this.opening = client.connect().then(
      () => {
        if (epoch !== this.epoch) throw new Error('readiness connection discarded while it was opened');
        this.client = client;
        this.pending = undefined;
        this.opening = undefined;
        return client;
      },
      (error: unknown) => {
        if (epoch === this.epoch) {
          this.pending = undefined;
          this.opening = undefined;
        }
        this.cut(client);
        throw error;
      },
    );
    return this.opening;
  }

  private discard(cut = true): void {
    const clients = [this.pending, cut ? this.client : undefined];
    this.epoch += 1;
    this.client = undefined;
    this.pending = undefined;
    this.opening = undefined;
    for (const client of clients) if (client) this.cut(client);
  }

  private cut(client: PgClient): void {
    client.connection?.stream?.destroy();
    client.end().catch(() => undefined);
  }
}
