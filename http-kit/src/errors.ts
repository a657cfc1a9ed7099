/**
 * The one JSON error answer of the appliance and the ground: `{ error: { code, message } }`,
 * its HTTP status looked up by code in the server's table. Domains throw typed errors
 * (IfecError) and never choose a status; the table is the one place a server says what a code
 * means over HTTP.
 */

import { describeIssues, type ErrorCode, IfecError } from '@ifec/protocol';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { z } from 'zod';

/** Code -> HTTP status, declared once per server. */
export type StatusTable = Readonly<Record<ErrorCode, number>>;

/** Codes every server answers with, whatever its domains: the handler's own answers. */
export const COMMON_ERROR_STATUS = {
  INVALID_BODY: 400,
  INVALID_JSON: 400,
  BODY_TOO_LARGE: 413,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  INTERNAL: 500,
} as const satisfies StatusTable;

/** An error that adds fields to the answer's `error` object (a refused content load lists its problems). */
export interface ErrorDetails {
  readonly details: Readonly<Record<string, unknown>>;
}

/** What the handler logs to: a pino Logger fits. */
export interface ErrorLog {
  error(context: object, message: string): void;
}

/** Validates a request body (or query, or path parameter); a bad one is a 400 INVALID_BODY naming every wrong field. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new IfecError('INVALID_BODY', describeIssues(result.error));
  return result.data;
}

export function sendError(
  res: Response,
  status: number,
  code: ErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): void {
  res.status(status).json({ error: { ...details, code, message } });
}

/** The answer for a path no route matched. */
export function notFound(): RequestHandler {
  return (req, res) => sendError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`);
}

/**
 * The error handler, mounted last. A typed error whose code is in the table answers with its
 * status; body-parser's own failures (malformed JSON, too large) get their codes; anything
 * else, a typed error the table does not expose included, is a logged 500 INTERNAL that
 * tells the client nothing about the inside.
 */
export function errorHandler(table: StatusTable, log: ErrorLog): ErrorRequestHandler {
  const statusOf = (code: string): number | undefined =>
    (table as Record<string, number>)[code] ?? (COMMON_ERROR_STATUS as Record<string, number>)[code];
  return (error: unknown, req, res, next) => {
    // Headers gone (a stream or download failed midway): express ends the connection.
    if (res.headersSent) return next(error);
    if (error instanceof IfecError) {
      const status = statusOf(error.code);
      if (status === undefined) {
        log.error(
          { err: error, url: req.originalUrl, code: error.code },
          'request failed with a code the status table does not list',
        );
        return sendError(res, 500, 'INTERNAL', 'internal error');
      }
      if (status >= 500) log.error({ err: error, url: req.originalUrl, code: error.code }, 'request failed');
      return sendError(res, status, error.code, error.message, (error as Partial<ErrorDetails>).details);
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, 400, 'INVALID_JSON', 'request body is not valid JSON');
    if (e.type === 'entity.too.large') return sendError(res, 413, 'BODY_TOO_LARGE', 'request body is too large');
    // Other client faults express and body-parser raise (unsupported charset, aborted request).
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return sendError(res, e.status, 'BAD_REQUEST', e.message ?? 'bad request');
    log.error({ err: error, url: req.originalUrl }, 'request failed');
    sendError(res, 500, 'INTERNAL', 'internal error');
  };
}
