import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BundleRefused, describeIssues, SyncFormatError } from '@ifec/protocol';
import { FleetError } from '../fleet/aircraft.ts';
import { TenantError } from '../tenants/tenants.ts';
import { PublicationError } from '../downlink/publications.ts';
import { FileError } from '../downlink/files.ts';
import { RetentionError } from '../retention/retention.ts';

/** An error a handler throws to answer with a status and a code. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, 'INVALID_BODY', describeIssues(result.error));
  return result.data;
}

/** Maps the domain's typed errors to HTTP once, so handlers stay thin. */
function toHttp(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof SyncFormatError) return new HttpError(error.code === 'batch-too-large' ? 413 : 400, error.code.toUpperCase().replaceAll('-', '_'), error.message);
  if (error instanceof BundleRefused) return new HttpError(422, error.code.toUpperCase().replaceAll('-', '_'), error.message);
  if (error instanceof FleetError) return new HttpError(error.code === 'AIRCRAFT_UNKNOWN' ? 404 : error.code === 'AIRCRAFT_TAKEN' ? 409 : 400, error.code, error.message);
  if (error instanceof TenantError) return new HttpError(error.code === 'TENANT_EXISTS' ? 409 : 400, error.code, error.message);
  if (error instanceof PublicationError) return new HttpError(409, error.code, error.message);
  if (error instanceof RetentionError) return new HttpError(409, error.code, error.message);
  if (error instanceof FileError) return new HttpError(error.code === 'FILE_UNKNOWN' ? 404 : error.code === 'RANGE_NOT_SATISFIABLE' ? 416 : 400, error.code, error.message);
  return undefined;
}

export function errorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const http = toHttp(error);
    if (http) {
      res.status(http.status).json({ error: { code: http.code, message: http.message } });
      return;
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'INVALID_JSON', message: 'request body is not valid JSON' } });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'BODY_TOO_LARGE', message: 'request body is too large' } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } });
      return;
    }
    log.error({ err: error, url: req.originalUrl }, 'request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  };
}
