import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AggregatorRegistry } from 'prom-client';
import { register } from './metrics';

/** Who may read /metrics (METRICS_PORT, METRICS_TOKEN). */
export interface MetricsAccess {
  /** A separate port serving /metrics without authentication (bind it to a private network). */
  port: number | null;
  /** Bearer token for /metrics on the main port; null = not served there. */
  token: string | null;
}

const PROBLEM = 'application/problem+json';

/**
 * `/metrics` on the main port: answered only with `Authorization: Bearer <METRICS_TOKEN>`;
 * without a configured token the route does not exist (404), whatever the port setting.
 */
export function metricsOnMainPort(access: MetricsAccess) {
  const expected = access.token ? digest(access.token) : null;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.path !== '/metrics') return next();
    const problem = (status: number, code: string, detail: string) =>
      res.status(status).type(PROBLEM).send(JSON.stringify({ type: 'about:blank', title: status === 404 ? 'Not Found' : 'Unauthorized', status, code, detail, instance: req.originalUrl, requestId: req.id }));
    if (!expected) return void problem(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.path}`);
    const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return void problem(401, 'UNAUTHENTICATED', 'the metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void problem(405, 'METHOD_NOT_ALLOWED', 'only GET /metrics');
    try {
      res.status(200).type(register.contentType).send(await register.metrics());
    } catch (error) {
      next(error);
    }
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The separate metrics port: GET /metrics, nothing else. `collect` answers the exposition text
 * (this process's registry, or the aggregate of the cluster workers on the primary).
 */
export function startMetricsServer(port: number, host: string, collect: () => Promise<string> = () => register.metrics()): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': PROBLEM }).end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'ROUTE_NOT_FOUND', detail: 'only GET /metrics here' }));
      return;
    }
    collect().then(
      (text) => res.writeHead(200, { 'content-type': register.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(error as Error).message}`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Cluster primary: the metrics port answers the workers' metrics aggregated (gauges of the database by max, counters summed). */
export function startClusterMetricsServer(port: number, host: string): Promise<Server> {
  const aggregator = new AggregatorRegistry();
  return startMetricsServer(port, host, () => aggregator.clusterMetrics());
}

/** Cluster worker: answer the primary's requests for this worker's metrics. */
export function answerClusterMetrics(): void {
  new AggregatorRegistry();
}
