/**
 * Imported first by main.ts: turns tracing on when OTEL_EXPORTER_OTLP_ENDPOINT is set, before
 * http, express and pg are loaded (their instrumentations patch them on load). Off by default:
 * the OpenTelemetry SDK is then not even loaded. The OTEL_* variables are the SDK's standard
 * ones, read by it; they are the only environment read outside api/config/config.ts.
 */
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./tracing') as typeof import('./tracing')).startTracing(process.env);
}
