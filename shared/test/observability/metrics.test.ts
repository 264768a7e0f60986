import perfHooks from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, ConfigReader } from '@commerce-supergraph/shared/config';
import {
  EVENT_LOOP_LAG_SAMPLE_MS,
  OTHER_OPERATION,
  ServiceMetrics,
} from '@commerce-supergraph/shared/observability/metrics';
import { graphqlPortMetrics, readMetricsConfig } from '@commerce-supergraph/shared/observability/metrics-endpoint';
import { startMetricsServer } from '@commerce-supergraph/shared/observability/metrics-server';
import { find, parsePrometheus, total } from '@commerce-supergraph/test-support/prometheus';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';

const log = pino({ level: 'silent' });
const TOKEN = 'a-metrics-token-that-is-long-enough-for-production';

const settings = (env: Record<string, string>) => {
  const reader = new ConfigReader(env);
  const read = readMetricsConfig(reader, env);
  reader.done();
  return read;
};

describe('where /metrics is served', () => {
  const metrics = new ServiceMetrics('test');

  it('in development: on the GraphQL port, open', () => {
    expect(graphqlPortMetrics(metrics, settings({}), false)).toEqual({ metrics });
  });

  it('in production: never openly on the GraphQL port', () => {
    expect(graphqlPortMetrics(metrics, settings({ NODE_ENV: 'production' }), true)).toBeUndefined();
    expect(graphqlPortMetrics(metrics, settings({ METRICS_PORT: '9464' }), true)).toBeUndefined();
    expect(graphqlPortMetrics(metrics, settings({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN }), true)).toEqual({
      metrics,
      token: TOKEN,
    });
  });

  it('refuses a short token in production and a port out of range', () => {
    expect(() => settings({ NODE_ENV: 'production', METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => settings({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('serves only /metrics on METRICS_PORT, behind the token when one is set', async () => {
    const server = await startMetricsServer(metrics, { port: 0, token: TOKEN }, log);
    try {
      const url = server!.url;
      expect(url).toMatch(/\/metrics$/);
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url.replace(/metrics$/, 'graphql'))).status).toBe(404);
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(find(parsePrometheus(await response.text()), 'process_cpu_user_seconds_total')[0]?.labels).toEqual({
        service: 'test',
      });
    } finally {
      await server?.close();
    }
    expect(await startMetricsServer(metrics, {}, log)).toBeUndefined();
  });
});

describe('ServiceMetrics', () => {
  it('reads the event loop lag once a second, not 100 times (a process at rest stays asleep)', async () => {
    const histograms: ReturnType<typeof perfHooks.monitorEventLoopDelay>[] = [];
    const monitor = perfHooks.monitorEventLoopDelay;
    // prom-client reaches perf_hooks through require(), the same module object as this import.
    const spy = vi.spyOn(perfHooks, 'monitorEventLoopDelay').mockImplementation((options) => {
      const histogram = monitor(options);
      histograms.push(histogram);
      return histogram;
    });
    try {
      new ServiceMetrics('lag');
      expect(spy).toHaveBeenCalledWith(expect.objectContaining({ resolution: EVENT_LOOP_LAG_SAMPLE_MS }));
      await sleep(300);
      // prom-client's default (10 ms) would have taken about 30 readings by now.
      expect(histograms.map((histogram) => histogram.count)).toEqual([0]);
    } finally {
      spy.mockRestore();
      for (const histogram of histograms) histogram.disable();
    }
  });

  it('bounds the operation names clients can invent', () => {
    const metrics = new ServiceMetrics('bounded');
    for (let i = 0; i < 200; i++) expect(metrics.operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(metrics.operationLabel('OneTooMany')).toBe(OTHER_OPERATION);
    expect(metrics.operationLabel('Op7')).toBe('Op7');
    expect(metrics.operationLabel(undefined)).toBe('__anonymous');
  });

  it('keeps a scrape working when a reading fails or hangs, and counts the failure', async () => {
    const metrics = new ServiceMetrics('gauges');
    let fail = false;
    metrics.gauge({ name: 'flaky_value', help: 'h', labelNames: ['kind'] }, (set) => {
      if (fail) throw new Error('database away');
      set({ kind: 'a' }, 3);
    });
    metrics.gauge({ name: 'hanging_value', help: 'h', timeoutMs: 50 }, () => new Promise<void>(() => {}));
    const read = async () => parsePrometheus((await metrics.exposition()).body);
    expect(total(await read(), 'flaky_value', { kind: 'a' })).toBe(3);
    fail = true;
    // The last value stays; each failure is counted by gauge (read alone: a scrape reads the counter
    // while the gauges are still collecting).
    expect(total(await read(), 'flaky_value', { kind: 'a' })).toBe(3);
    const failures = parsePrometheus(await metrics.registry.getSingleMetricAsString('metrics_collect_failures_total'));
    expect(total(failures, 'metrics_collect_failures_total', { gauge: 'flaky_value' })).toBe(1);
    expect(total(failures, 'metrics_collect_failures_total', { gauge: 'hanging_value' })).toBe(2);
  });
});
