import { inSpan, SpanKind, startTracing, tracingActive } from '@commerce-supergraph/shared/observability/tracing';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';

// A file of its own: it registers the process's tracer provider, then removes it.
it('is off until a provider is registered, records spans while on, and is off again once shut down', async () => {
  expect(tracingActive()).toBe(false);
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing('test', { exporter });
  try {
    expect(tracingActive()).toBe(true);
    const recorded = await inSpan('test', 'work', { kind: SpanKind.INTERNAL }, async (span) => span.isRecording());
    expect(recorded).toBe(true);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['work']);
  } finally {
    await tracing?.shutdown();
  }
  expect(tracingActive()).toBe(false);
  const skipped = await inSpan('test', 'skipped', { kind: SpanKind.INTERNAL }, async (span) => span.isRecording());
  expect(skipped).toBe(false);
});
