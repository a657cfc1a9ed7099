/** Reads title.json and says exactly which field is missing or wrong. */
import fs from 'node:fs';
import { type TitleMetadata, titleMetadata } from '@ifec/protocol';
import { MediaError } from '../errors.ts';

export function parseTitleMetadata(raw: unknown, source: string): TitleMetadata {
  const result = titleMetadata.safeParse(raw);
  if (result.success) return result.data;
  const missing = result.error.issues.filter((i) => i.path.length > 0 && valueAt(raw, i.path) === undefined);
  const describe = (issues: typeof result.error.issues) =>
    issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  if (missing.length) {
    throw new MediaError(
      'METADATA_MISSING',
      `${source} is missing required field${missing.length > 1 ? 's' : ''} ${missing.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  throw new MediaError('METADATA_INVALID', `${source}: ${describe(result.error.issues)}`);
}

export function readTitleMetadata(file: string): TitleMetadata {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new MediaError('METADATA_MISSING', `metadata file ${file} cannot be read`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MediaError('METADATA_INVALID', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseTitleMetadata(raw, file);
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let at: unknown = raw;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
