import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setTracingShutdown } from './tracing-state';

/** Probes and scrapes are not traced (one every few seconds, nothing to learn). */
const UNTRACED = /^\/(metrics|api\/health(\/(live|ready))?)(\?|$)/;

/**
 * OpenTelemetry tracing, exported over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT (the
 * exporter reads the standard OTEL_* variables itself: endpoint, headers, timeout; the batch
 * processor OTEL_BSP_*). Spans: one SERVER span per HTTP request (http + express: named by route),
 * one `command <name>` span per engine command under it (api/metrics/instrument.ts, with
 * itsm.instance_id and itsm.definition_key), and the pg queries under those. PostgreSQL queries
 * outside any span (the timer poller's polls) are not traced.
 * Must run before express, http and pg are first loaded: api/tracing/preload.ts, from main.ts.
 */
export function startTracing(env: NodeJS.ProcessEnv): void {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'itsm-orchestrator', 'process.pid': process.pid }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? ''), ignoreOutgoingRequestHook: () => true }),
      new ExpressInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  setTracingShutdown(() => provider.shutdown());
}
