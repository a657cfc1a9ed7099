import type { z } from 'zod';

/** Turns a zod error into one line a person can act on: `field: problem; field: problem`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses JSON text and validates it; never throws, so a transport can answer precisely. */
export function parseJson<T>(schema: z.ZodType<T>, text: string):
  | { ok: true; value: T }
  | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'payload is not valid JSON' };
  }
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: describeIssues(result.error) };
}
