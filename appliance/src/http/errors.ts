import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { describeIssues, IfecError, type ErrorCode } from '@ifec/protocol';

/** An error a request handler throws to answer with a status and a code. */
export class HttpError extends IfecError {
  constructor(readonly status: number, code: ErrorCode, message: string) {
    super(code, message);
  }
}

/** Validates a request body; a bad one becomes a 400 naming every wrong field. */
export function parseBody<T>(schema: z.ZodType<T>, req: Request): T {
  const result = schema.safeParse(req.body);
  if (!result.success) throw new HttpError(400, 'INVALID_BODY', describeIssues(result.error));
  return result.data;
}

export function errorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message } });
      return;
    }
    const e = error as { type?: string; status?: number; message?: string };
    // body-parser's own errors: malformed JSON, too large, wrong charset
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
