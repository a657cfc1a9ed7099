/** The express app: metrics, health, the OpenAPI document, the domain routers, JSON errors. */

import { errorHandler, notFound } from '@ifec/http-kit';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { ApplianceMetrics } from '../metrics.ts';
import { applianceErrorStatus } from './error-status.ts';
import { applianceOpenApi } from './openapi.ts';

export interface Health {
  /** Liveness: the process answers. */
  live(): boolean;
  /** Readiness: store open, journal replayed, broker listening; false while draining. */
  ready(): { ready: boolean; reason?: string };
}

export function createHttpApp(deps: {
  routers: Router[];
  metrics: ApplianceMetrics;
  health: Health;
  log: Logger;
  metricsAllowed?: (authorization: string | undefined) => boolean;
}) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, not the raw URL, keeps the label set small.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const r = deps.health.ready();
    res.status(r.ready ? 200 : 503).json(r.ready ? { status: 'ready' } : { status: 'not ready', reason: r.reason });
  });
  const openapi = applianceOpenApi();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.get('/metrics', async (req, res) => {
    if (deps.metricsAllowed && !deps.metricsAllowed(req.get('authorization'))) {
      res
        .status(401)
        .set('www-authenticate', 'Basic realm="metrics"')
        .json({
          error: {
            code: 'METRICS_LOGIN_REQUIRED',
            message: 'metrics are for maintenance crew (Bearer token) and appliance services (Basic service:<name>)',
          },
        });
      return;
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use(express.json({ limit: '64kb' }));
  for (const router of deps.routers) app.use(router);

  app.use(notFound());
  app.use(errorHandler(applianceErrorStatus, deps.log));
  return app;
}
