import type { NextFunction, Request, Response } from 'express';
import { httpDuration, httpRequests } from './metrics';

/**
 * Counts every HTTP answer and its latency by method, route pattern (`/api/instances/:id`, never
 * the raw URL: bounded label values) and status. Requests no route matched count as `unmatched`
 * (under /api) or `static` (the browser app).
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const labels = { method: req.method, route: routeOf(req, res), status: String(res.statusCode) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  });
  next();
}

function routeOf(req: Request, res: Response): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}`;
  const url = req.originalUrl ?? req.url;
  if (url === '/metrics' || url.startsWith('/metrics?')) return '/metrics';
  if (url.startsWith('/api/') || url === '/api' || res.statusCode === 404) return 'unmatched';
  return 'static';
}
