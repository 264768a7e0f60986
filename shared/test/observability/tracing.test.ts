import { createEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { inSpan, SpanKind, traceHeaders, tracingEnabled } from '@commerce-supergraph/shared/observability/tracing';
import { describe, expect, it } from 'vitest';

describe('tracing is off by default', () => {
  it('turns on only with the standard OTEL_* variables, and OTEL_SDK_DISABLED wins', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(
      false,
    );
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(
      false,
    );
  });

  it('while off, spans are no-ops and nothing is added to headers or events', async () => {
    const result = await inSpan('test', 'work', { kind: SpanKind.INTERNAL }, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(traceHeaders()).toEqual({});
      return createEnvelope({ subject: 'tests.thing.happened.v1', data: {}, source: 'test', correlationId: 'c' });
    });
    expect(Object.keys(result)).not.toContain('traceparent');
    await expect(
      inSpan('test', 'fails', { kind: SpanKind.INTERNAL }, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
  });
});
