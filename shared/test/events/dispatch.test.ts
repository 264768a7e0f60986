import { describe, expect, it } from 'vitest';
import { retryPolicy } from '../../src/events/bus.js';
import { type DeliveryInput, dispatch } from '../../src/events/dispatch.js';
import { createEnvelope } from '../../src/events/envelope.js';
import { capturingLog, silentLog } from './helpers.js';

const subject = 'orders.order.created.v1';
const payload = JSON.stringify(createEnvelope({ subject, data: {}, source: 'test', correlationId: 'req-1' }));
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const wait = { firstDelayMs: 20, maxDelayMs: 80, holdMs: 400 };
let sequence = 0;

/** One delivery of one message; `streamSequence` names the message across its deliveries. */
function delivery(overrides: Partial<DeliveryInput> & Pick<DeliveryInput, 'handler'>): DeliveryInput {
  return {
    payload,
    subject,
    consumer: 'test__orders',
    deliveryCount: 1,
    streamSequence: ++sequence,
    policy: retryPolicy({ maxDeliver: 3 }),
    log: silentLog(),
    databaseWait: wait,
    ...overrides,
  };
}

describe('dispatch while the database is away', () => {
  it('runs the handler again in place, without spending a delivery, and acks once the database is back', async () => {
    const calls: { at: number; deliveryCount: number }[] = [];
    const started = Date.now();
    const { log, lines } = capturingLog();
    const outcome = await dispatch(
      delivery({
        log,
        handler: async (_envelope, { deliveryCount }) => {
          calls.push({ at: Date.now() - started, deliveryCount });
          if (calls.length < 4) throw new Error('order not stored', { cause: refused() });
        },
      }),
    );
    expect(outcome).toEqual({ action: 'ack' });
    expect(calls.map((call) => call.deliveryCount)).toEqual([1, 1, 1, 1]);
    // 20, 40, 80 ms apart: doubling from firstDelayMs, capped at maxDelayMs.
    const gaps = calls.slice(1).map((call, i) => call.at - (calls[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[2]).toBeGreaterThanOrEqual(70);
    expect(Math.max(...gaps)).toBeLessThan(80 + 60);
    expect(lines.map((line) => line.msg)).toContain('database back; event handled');
  });

  it('hands the message back after holdMs with a short delay, and such deliveries never dead-letter it', async () => {
    const streamSequence = ++sequence;
    const input = (deliveryCount: number, handler: DeliveryInput['handler']) =>
      delivery({ deliveryCount, streamSequence, handler });
    const away: DeliveryInput['handler'] = async () => {
      throw refused();
    };
    // Far more deliveries than maxDeliver (3), all spent waiting for the database.
    for (let count = 1; count <= 5; count++) {
      expect(await dispatch(input(count, away))).toEqual({ action: 'retry', delayMs: wait.maxDelayMs });
    }
    const handled: number[] = [];
    expect(await dispatch(input(6, async (_e, d) => void handled.push(d.deliveryCount)))).toEqual({ action: 'ack' });
    expect(handled).toEqual([6]);
  }, 10_000);

  it('still counts deliveries that failed for other reasons, after database waits', async () => {
    const streamSequence = ++sequence;
    const away: DeliveryInput['handler'] = async () => {
      throw refused();
    };
    const broken: DeliveryInput['handler'] = async () => {
      throw new Error('product 42 is unknown');
    };
    const run = (deliveryCount: number, handler: DeliveryInput['handler']) =>
      dispatch(delivery({ deliveryCount, streamSequence, handler }));
    expect((await run(1, away)).action).toBe('retry');
    expect(await run(2, broken)).toEqual({ action: 'retry', delayMs: 1_000 }); // its 1st counted delivery
    expect(await run(3, broken)).toEqual({ action: 'retry', delayMs: 5_000 }); // 2nd
    const last = await run(4, broken); // 3rd = maxDeliver
    expect(last.action).toBe('dead-letter');
    if (last.action === 'dead-letter') expect(last.letter.error).toBe('product 42 is unknown');
  }, 10_000);

  it('retries a busy pool (no connection free in time) with the backoff, not in place: waiting at once would swamp it', async () => {
    let calls = 0;
    const outcome = await dispatch(
      delivery({
        handler: async () => {
          calls++;
          throw new Error('timeout exceeded when trying to connect');
        },
      }),
    );
    expect(outcome).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(calls).toBe(1);
  });

  it('retries other failures with the backoff as before, and never in place', async () => {
    let calls = 0;
    const outcome = await dispatch(
      delivery({
        handler: async () => {
          calls++;
          throw new Error('product 42 is unknown');
        },
      }),
    );
    expect(outcome).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(calls).toBe(1);
  });

  it('treats a message without a stream sequence (no identity) like any other: waits in place, then hands it back', async () => {
    const outcome = await dispatch(
      delivery({
        streamSequence: undefined,
        handler: async () => {
          throw refused();
        },
      }),
    );
    expect(outcome).toEqual({ action: 'retry', delayMs: wait.maxDelayMs });
  });
});
