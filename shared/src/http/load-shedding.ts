import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE } from '../graphql/errors.js';

/** How often the event loop's delay is sampled while requests come. */
const SAMPLE_MS = 50;
/** How often while none has come for `ACTIVE_MS`: an idle service wakes once a second, not twenty times. */
const IDLE_SAMPLE_MS = 1_000;
const ACTIVE_MS = 1_000;
/** The retry hint of a shed request, in seconds. */
const RETRY_AFTER_SECONDS = 1;

export interface EventLoopPressureOptions {
  /** New GraphQL requests are refused while the event loop runs this late; 0 never refuses. */
  maxDelayMs: number;
  log: Logger;
  /** Called for each refused request (a metric). */
  onShed?: () => void;
}

/**
 * Load shedding by event-loop delay. A service whose loop is saturated (a backlog to catch up after
 * an outage, clients retrying all at once) queues every new request behind the others, so each one,
 * `/ready` included, waits longer and longer: the fault suite saw the order subgraph answer `/ready`
 * after 5 s. While the loop runs more than `maxDelayMs` late, a new GraphQL request is answered at
 * once with SERVICE_UNAVAILABLE (HTTP 503, Retry-After), before its body is read, so the work
 * already accepted finishes, probes stay answered within their budget, and clients back off.
 *
 * The delay is the lateness of a timer due every 50 ms while requests come: after a busy turn of
 * the loop, timers run before new connections are read, so the reading is current when a request is
 * judged. Shedding starts after two late turns in a row and stops at the first turn on time. With
 * no request for a second the timer is due once a second instead (each wake-up costs an idle
 * service CPU), and its lateness still counts: a loop saturated by event handling while no request
 * came is refused from the first one; that request brings the timer back to 50 ms.
 */
export class EventLoopPressure {
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  private periodMs = IDLE_SAMPLE_MS;
  private askedAt = Number.NEGATIVE_INFINITY;
  private delayMs = 0;
  /** The sample before the last: an overload is two late samples in a row, not one. */
  private previousDelayMs = 0;
  private shedding = false;
  private shed = 0;

  constructor(private readonly options: EventLoopPressureOptions) {}

  start(): void {
    if (this.options.maxDelayMs <= 0 || this.timer) return;
    this.schedule(IDLE_SAMPLE_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.delayMs = 0;
    this.previousDelayMs = 0;
  }

  /** How late the loop ran at the last sample, in ms. */
  get currentDelayMs(): number {
    return this.delayMs;
  }

  /**
   * Two late samples in a row: a saturated loop stays late, while a single late one is as likely
   * the process not being scheduled for a moment on a busy machine, or a garbage collection.
   */
  overloaded(): boolean {
    const max = this.options.maxDelayMs;
    if (max <= 0) return false;
    this.askedAt = performance.now();
    if (this.timer && this.periodMs > SAMPLE_MS) {
      // The first request after a quiet spell: an overdue idle timer is read now, else sooner.
      if (this.askedAt > this.expected) this.sample();
      else this.schedule(SAMPLE_MS);
    }
    return this.isOverloaded();
  }

  private isOverloaded(): boolean {
    const max = this.options.maxDelayMs;
    return this.delayMs > max && this.previousDelayMs > max;
  }

  private schedule(periodMs: number): void {
    clearTimeout(this.timer);
    this.periodMs = periodMs;
    this.expected = performance.now() + periodMs;
    this.timer = setTimeout(() => this.sample(), periodMs);
    this.timer.unref();
  }

  /** Answers a request refused for overload: a GraphQL response the gateway hands on as it is. */
  refuse(res: ServerResponse): void {
    this.shed += 1;
    this.options.onShed?.();
    res.statusCode = 503;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    res.end(
      JSON.stringify({
        errors: [
          {
            message: UNAVAILABLE_MESSAGE,
            extensions: { code: SERVICE_UNAVAILABLE, reason: 'overloaded', retryAfterSeconds: RETRY_AFTER_SECONDS },
          },
        ],
      }),
    );
  }

  private sample(): void {
    const now = performance.now();
    this.previousDelayMs = this.delayMs;
    this.delayMs = Math.max(0, now - this.expected);
    this.schedule(now - this.askedAt < ACTIVE_MS ? SAMPLE_MS : IDLE_SAMPLE_MS);
    const overloaded = this.isOverloaded();
    if (overloaded === this.shedding) return;
    this.shedding = overloaded;
    // Once per episode, not once per request: an overload is when logs are least affordable.
    if (overloaded) {
      this.shed = 0;
      this.options.log.warn(
        { delayMs: Math.round(this.delayMs), maxDelayMs: this.options.maxDelayMs },
        'event loop overloaded; refusing new requests until it catches up',
      );
    } else {
      this.options.log.info({ refused: this.shed }, 'event loop caught up; accepting requests again');
    }
  }
}
