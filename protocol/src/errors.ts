import { z } from 'zod';

/**
 * An error code: SCREAMING_SNAKE (`BUNDLE_REPLAYED`, `INVALID_BODY`). The same code names a
 * failure in a log line, in a CLI's message and in an HTTP answer's body; each server maps
 * codes to HTTP statuses in one table (no status here: protocol knows no network).
 */
export type ErrorCode = Uppercase<string>;

/** What a code must look like; the servers' tests check their tables against it. */
export const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** The one base of every typed error in the programs: a code a program can branch on, a message a person can act on. */
export class IfecError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The body of every HTTP error answer from the appliance and the ground: `{ error: { code, message } }`. */
export const apiErrorBody = z.object({
  error: z.looseObject({ code: z.string().regex(ERROR_CODE_PATTERN), message: z.string() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBody>;

/** Turns a zod error into one line a person can act on: `field: problem; field: problem`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses JSON text and validates it; never throws, so a transport can answer precisely. */
export function parseJson<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'payload is not valid JSON' };
  }
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: describeIssues(result.error) };
}
