import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTitleMetadata } from './metadata.ts';
import { MediaError } from '../errors.ts';

const complete = {
  id: 'the-last-runway', kind: 'movie', titles: { en: 'The Last Runway', fr: 'La Dernière Piste' }, synopses: { en: 'x' },
  genres: ['thriller'], cast: [], rating: { system: 'MPAA', value: 'PG-13' }, originalLanguage: 'en',
  licence: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' }, regions: { allowed: ['*'], blocked: [] },
  rights: 'seatback-only', priceTier: 'premium-1',
};

test('complete metadata parses', () => {
  assert.equal(parseTitleMetadata(complete, 'title.json').rights, 'seatback-only');
});

test('a missing required field is named', () => {
  const { rating: _r, licence: _l, ...partial } = complete;
  assert.throws(() => parseTitleMetadata(partial, 'title.json'), (e: unknown) => e instanceof MediaError && e.code === 'METADATA_MISSING' && e.message === 'title.json is missing required fields rating, licence');
});

test('a wrong value is named with its path', () => {
  assert.throws(() => parseTitleMetadata({ ...complete, rating: { system: 'XYZ', value: 'PG' } }, 'title.json'), (e: unknown) => e instanceof MediaError && e.code === 'METADATA_INVALID' && /rating\.system/.test(e.message));
  assert.throws(() => parseTitleMetadata({ ...complete, rights: 'phones' }, 'title.json'), /rights/);
});
