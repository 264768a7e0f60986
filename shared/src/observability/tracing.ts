import {
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Env } from '../config.js';

export { SpanKind };

/**
 * OpenTelemetry tracing, off unless configured with the standard variables: OTEL_TRACES_EXPORTER=otlp
 * or an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), and not
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. The exporter reads its own OTEL_EXPORTER_OTLP_*
 * settings (endpoint, headers, timeout); OTEL_SERVICE_NAME overrides the service name. While off, the
 * API is OpenTelemetry's no-op: the spans below cost nearly nothing and no header is added.
 */
export function tracingEnabled(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return (
    env.OTEL_TRACES_EXPORTER === 'otlp' ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

export interface Tracing {
  /** Exports what is still buffered and stops; call once, at the end of the process. */
  shutdown(): Promise<void>;
}

let provider: NodeTracerProvider | undefined;

/**
 * Starts tracing for this process when configured (or when `exporter` is given: tests pass an
 * in-memory one and get every span at once). W3C trace context is the propagation format, in HTTP
 * headers and in NATS message headers alike. Returns undefined when tracing stays off.
 */
export function startTracing(
  service: string,
  options: { exporter?: SpanExporter; env?: Env } = {},
): Tracing | undefined {
  const env = options.env ?? process.env;
  if (provider) throw new Error('tracing is already started in this process');
  if (!options.exporter && !tracingEnabled(env)) return undefined;
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter());
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service }),
    spanProcessors: [processor],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const started = provider;
  return {
    async shutdown() {
      await started.shutdown();
      if (provider === started) provider = undefined;
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Runs `work` in a span of `service` (the tracer's name, so spans of services sharing a process, as
 * in tests, still say whose they are), as a child of `parent` or of the active span. The span ends
 * when the work settles; an error marks it and passes through. While tracing is off, the work runs
 * with a span that records nothing, and no context is made for it.
 */
export async function inSpan<T>(
  service: string,
  name: string,
  options: { kind: SpanKind; attributes?: Record<string, string | number>; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!tracingActive()) return work(NOT_RECORDED);
  const tracer = trace.getTracer(service);
  const attributes = { 'service.name': service, ...options.attributes };
  const span = tracer.startSpan(name, { kind: options.kind, attributes }, options.parent ?? context.active());
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

type Carrier = Record<string, string | string[] | undefined>;

/** The trace context sent in `carrier` (HTTP request headers), or the root context when none came. */
export const extractContext = (carrier: Carrier): Context =>
  propagation.extract(ROOT_CONTEXT, carrier, {
    keys: (c) => Object.keys(c),
    get: (c, key) => c[key],
  });

/** The active trace context as headers (`traceparent`, `tracestate`); empty while tracing is off. */
export function traceHeaders(active: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(active, headers);
  return headers;
}

/** What the global tracer provider delegates to while none is registered (a fresh proxy's delegate). */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
/** The span work gets while tracing is off: what OpenTelemetry's no-op tracer would have made. */
const NOT_RECORDED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether spans are recorded in this process: false while no tracer provider is registered, so
 * callers on a hot path skip even the no-op span and context work. A provider this copy of the API
 * does not recognize counts as active, so spans are never skipped by mistake.
 */
export function tracingActive(): boolean {
  const global = trace.getTracerProvider();
  return !(global instanceof ProxyTracerProvider && global.getDelegate() === NOOP_PROVIDER);
}
