import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { natsServers } from '../../nats-config.js';
import type { NatsConnectOptions } from './nats-auth.js';
import { answerRequestsWithoutErrors } from './request-answers.js';
import { coalesceWrites } from './write-coalescing.js';

/** The first pause before a failed set-up (streams, consumers) is tried again. */
const SETUP_RETRY_MS = 250;

export interface NatsLinkOptions {
  /** One server, or a cluster's members separated by commas (NATS_URL). */
  url: string;
  /** Shown in the server's connection list. */
  name: string;
  /** Credentials and TLS (see nats-auth.ts). */
  connectOptions?: NatsConnectOptions;
  log: Logger;
  reconnectWaitMs?: number;
  reconnectJitterMs?: number;
  /** Runs after the first connect and after every reconnect (streams, consumers); retried until it succeeds. */
  onConnect: (nc: NatsConnection) => Promise<void>;
  /** Runs each time the link becomes ready (after onConnect succeeded). */
  onReady?: () => void;
}

/**
 * One NATS connection that never gives up: the first connect is retried in a loop of our own
 * (the client's waitOnFirstConnect cannot be cancelled, so a service that stops before NATS ever
 * came would hang), then the client reconnects forever with jittered waits. `isReady` is true only
 * while connected and after onConnect succeeded for this connection.
 */
export class NatsLink {
  private nc: NatsConnection | undefined;
  private readyFlag = false;
  private readySince = Date.now();
  private preparing: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private markFirstReady: () => void = () => undefined;
  private readonly firstReady = new Promise<void>((resolve) => {
    this.markFirstReady = resolve;
  });
  private readonly waitMs: number;
  private readonly jitterMs: number;

  constructor(private readonly options: NatsLinkOptions) {
    this.waitMs = options.reconnectWaitMs ?? 2_000;
    this.jitterMs = options.reconnectJitterMs ?? 500;
  }

  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  isReady(): boolean {
    return this.ready && this.nc !== undefined && !this.nc.isClosed();
  }

  /** Whether ready, and since when (ms since the epoch) it has been in that state. */
  readiness(): { ready: boolean; since: number } {
    return { ready: this.isReady(), since: this.readySince };
  }

  private get ready(): boolean {
    return this.readyFlag;
  }

  private set ready(value: boolean) {
    if (value !== this.readyFlag) this.readySince = Date.now();
    this.readyFlag = value;
  }

  /** Resolves once connected and prepared the first time (never rejects; pair it with a timeout). */
  whenReady(): Promise<void> {
    return this.firstReady;
  }

  start(): void {
    void this.connectLoop();
  }

  /** Drains the connection (pending publishes flushed, subscriptions closed); bounded, as NATS may be away. */
  async close(drainMs = 5_000): Promise<void> {
    this.stopping.abort();
    this.ready = false;
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    await Promise.race([nc.drain().catch(() => undefined), sleep(drainMs, undefined, { ref: false })]);
    if (!nc.isClosed())
      await Promise.race([nc.close().catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
  }

  private async connectLoop(): Promise<void> {
    const { url, name, log } = this.options;
    for (let attempt = 1; !this.stopping.signal.aborted; attempt++) {
      try {
        this.nc = await connect({
          ...this.options.connectOptions,
          servers: natsServers(url),
          name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: this.waitMs,
          reconnectJitter: this.jitterMs,
          timeout: 5_000,
          // No Error (a stack capture) built ahead for every request, JetStream publish and ack
          // wait: 1.5 % of the order subgraph's CPU in bench:orders. A timed-out request's error
          // then lacks its caller's stack; the logs around it say what was asked.
          noAsyncTraces: true,
        });
        if (!coalesceWrites(this.nc)) log.warn('nats.js changed: writes are no longer coalesced per loop turn');
        if (!answerRequestsWithoutErrors()) log.warn('nats.js changed: each answered request builds an error again');
        break;
      } catch (error) {
        // One warning, then quiet: a NATS that is down for an hour should not fill the log.
        if (attempt === 1) log.warn({ err: error, url }, 'NATS unreachable; retrying until it answers');
        await this.pause(this.waitMs + Math.random() * this.jitterMs);
      }
    }
    const nc = this.nc;
    if (!nc) return;
    if (this.stopping.signal.aborted) return void (await nc.close());
    log.info({ server: nc.getServer() }, 'NATS connected');
    void this.watch(nc);
    await this.prepare(nc);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.ready = false;
        this.options.log.warn({ server: status.server }, 'NATS connection lost; reconnecting');
      } else if (status.type === 'reconnect') {
        this.options.log.info({ server: status.server }, 'NATS reconnected');
        void this.prepare(nc);
      }
    }
    this.ready = false;
  }

  /** One preparation at a time; a reconnect during one simply runs it again afterwards. */
  private prepare(nc: NatsConnection): Promise<void> {
    const run = (this.preparing ?? Promise.resolve()).then(() => this.prepareOnce(nc));
    this.preparing = run;
    return run;
  }

  private async prepareOnce(nc: NatsConnection): Promise<void> {
    for (let attempt = 1; !this.stopping.signal.aborted && !nc.isClosed(); attempt++) {
      try {
        await this.options.onConnect(nc);
        this.ready = true;
        this.markFirstReady();
        this.options.onReady?.();
        return;
      } catch (error) {
        // JetStream answers a moment after the socket does when a server restarts: retry soon, then
        // less often (250 ms doubling to 30 s). Until this succeeds no consumer pulls: a first pause
        // of the reconnect wait (2 s) kept reservations waiting that long after a NATS restart.
        this.options.log.warn({ err: error, attempt }, 'NATS set-up failed; retrying');
        const pause = Math.min(SETUP_RETRY_MS * 2 ** (attempt - 1), 30_000);
        await this.pause(pause + Math.random() * Math.min(this.jitterMs, pause));
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
