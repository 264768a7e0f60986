import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { LIVE_STREAMS } from './updates.js';

/** A first position's look-up answered later than this after the start: NATS was away meanwhile. */
const LATE_MS = 1_000;

/**
 * Where the live feed reads each stream from. While it reads: after the last message seen, across
 * reconnections, so a NATS restart skips nothing. When it starts: after the stream's last message
 * (updates from then on), looked up as it starts. A look-up answered late (NATS was away as the
 * subscription came: the request waited for it, or failed and was made again) may find changes
 * stored after the start already in the stream; then reading starts from where the stream last
 * ended as looked up before (on every connect, every few seconds while nobody listens, and when
 * reading stops), which precedes the start: nothing is stored while NATS is away. At most the last
 * seconds before the outage are read again (the feed's seen ids and each subscription's progress
 * check drop what a subscriber had). With no end known (a gateway that never reached NATS), reading
 * starts from the ends once NATS answers, and what was stored in the moment before is missed: a gap
 * left as it is (a StartTime position would close it).
 */
export class StreamPositions {
  private readonly reading = new Map<string, number>();
  private readonly lastKnown = new Map<string, number>();
  private startedAt = 0;

  /** Reading starts (a first listener): its positions are looked up from now. */
  start(): void {
    this.startedAt = performance.now();
  }

  /** Every stream has its position: what the feed reads from now on misses nothing after it was taken. */
  taken(): boolean {
    return LIVE_STREAMS.every((stream) => this.reading.has(stream));
  }

  /** The sequence after the last message seen on `stream`. */
  seen(stream: string, next: number): void {
    this.reading.set(stream, next);
  }

  /** Reading stopped: the next start is from its own moment on. */
  stop(): void {
    for (const [stream, next] of this.reading) this.lastKnown.set(stream, next);
    this.reading.clear();
  }

  /** Looks up where the streams end now (a stream not created yet is skipped); never throws. */
  async lookUpEnds(nc: NatsConnection): Promise<void> {
    try {
      const jsm = await jetstreamManager(nc);
      for (const stream of LIVE_STREAMS) {
        const info = await jsm.streams.info(stream).catch(() => undefined);
        if (info) this.lastKnown.set(stream, info.state.last_seq + 1);
      }
    } catch {
      // JetStream not answering yet: the next look-up (or reading's own) finds out.
    }
  }

  /**
   * Where to go on reading `stream`: with a position, after the last sequence seen, or from the
   * start of a stream that was re-created since; without one, as the class comment says.
   */
  async resumeFrom(nc: NatsConnection, stream: string): Promise<number> {
    const next = this.reading.get(stream);
    const { state } = await (await jetstreamManager(nc)).streams.info(stream);
    const end = state.last_seq + 1;
    if (next !== undefined) return end < next ? state.first_seq : next;
    const known = this.lastKnown.get(stream);
    if (known === undefined || performance.now() - this.startedAt <= LATE_MS) return end;
    return known <= end ? known : state.first_seq;
  }
}
