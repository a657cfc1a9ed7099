/** The ground's express app: OpenAPI, admin and aircraft routers, JSON errors (health and readiness are in main.ts, before the store opens). */

import type crypto from 'node:crypto';
import { errorHandler, notFound } from '@ifec/http-kit';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../store/database.ts';
import { adminRouter } from './admin.ts';
import { aircraftRouter } from './aircraft-api.ts';
import { groundErrorStatus } from './error-status.ts';
import { groundOpenApi } from './openapi.ts';

export function createGroundApp(deps: {
  db: Database;
  signingKey: crypto.KeyObject;
  log: Logger;
  /** Settlement's admin routes (payments, refunds, audit, card key). */
  commerce?: Router;
}) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const openapi = groundOpenApi();
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  app.use(aircraftRouter(deps.db));
  app.use(adminRouter(deps.db, deps.signingKey));
  if (deps.commerce) app.use(deps.commerce);
  app.use(notFound());
  app.use(errorHandler(groundErrorStatus, deps.log));
  return app;
}
