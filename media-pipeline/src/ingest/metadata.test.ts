import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { titleMetadata } from '@ifec/protocol';
import type { z } from 'zod';
import { MediaError } from '../errors.ts';
import { parseTitleMetadata } from './metadata.ts';

const complete = {
  id: 'the-last-runway',
  kind: 'movie',
  titles: { en: 'The Last Runway', fr: 'La Dernière Piste' },
  synopses: { en: 'x' },
  genres: ['thriller'],
  cast: [],
  rating: { system: 'MPAA', value: 'PG-13' },
  originalLanguage: 'en',
  licence: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
  regions: { allowed: ['*'], blocked: [] },
  rights: 'seatback-only',
  priceTier: 'premium-1',
};

test('complete metadata parses', () => {
  assert.equal(parseTitleMetadata(complete, 'title.json').rights, 'seatback-only');
});

test('a missing required field is named', () => {
  const { rating: _r, licence: _l, ...partial } = complete;
  assert.throws(
    () => parseTitleMetadata(partial, 'title.json'),
    (e: unknown) =>
      e instanceof MediaError &&
      e.code === 'METADATA_MISSING' &&
      e.message === 'title.json is missing required fields rating, licence',
  );
});

test('a wrong value is named with its path', () => {
  assert.throws(
    () => parseTitleMetadata({ ...complete, rating: { system: 'XYZ', value: 'PG' } }, 'title.json'),
    (e: unknown) => e instanceof MediaError && e.code === 'METADATA_INVALID' && /rating\.system/.test(e.message),
  );
  assert.throws(() => parseTitleMetadata({ ...complete, rights: 'phones' }, 'title.json'), /rights/);
});

/** Every field path a zod schema accepts (`sources.audio[].stream`), walking objects and arrays. */
function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = schema.def as { type: string; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType };
  if (def.type === 'optional' || def.type === 'default') return fieldPaths(def.innerType!, prefix);
  if (def.type === 'array') return fieldPaths(def.element!, `${prefix}[]`);
  if (def.type === 'object') {
    return Object.entries((schema as z.ZodObject).shape).flatMap(([key, child]) => {
      const here = prefix ? `${prefix}.${key}` : key;
      return [here, ...fieldPaths(child as z.ZodType, here)];
    });
  }
  return [];
}

function pathsIn(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => pathsIn(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    // Text by language is a record: its keys are languages, not fields.
    return [here, ...(['titles', 'synopses'].includes(key) ? [] : pathsIn(child, here))];
  });
}

test("the README's title.json examples are valid and together show every field the schema accepts", () => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## `title.json`'), readme.indexOf('## A title package'));
  const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
  assert.equal(examples.length, 2);
  for (const example of examples) parseTitleMetadata(example, 'README.md');
  const shown = new Set(examples.flatMap((e) => pathsIn(e)));
  const accepted = fieldPaths(titleMetadata).filter((p) => !/\.(titles|synopses)\./.test(p));
  assert.ok(accepted.length > 30, `the schema walk found ${accepted.length} fields`);
  assert.deepEqual(
    accepted.filter((p) => !shown.has(p)),
    [],
    'fields the README does not show',
  );
  assert.deepEqual(
    [...shown].filter((p) => !accepted.includes(p)),
    [],
    'fields the README shows that the schema does not have',
  );
});
