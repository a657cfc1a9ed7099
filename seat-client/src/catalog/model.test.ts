import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldForSearch, groupSeries, searchTitles, visibleTo, type CatalogTitle } from './model.ts';

function title(id: string, extra: Partial<CatalogTitle> = {}): CatalogTitle {
  return {
    id, kind: 'movie', titles: { en: id }, synopses: {}, genres: [], cast: [], rating: { system: 'MPAA', value: 'PG' },
    durationS: 60, audioLanguages: [], subtitleLanguages: [], rights: 'all-devices', priceTier: 'included', addedAt: '2026-11-01T00:00:00Z', ...extra,
  };
}

test('search ignores accents and case, in any language the title has', () => {
  const titles = [title('a', { titles: { en: 'The Crossing', fr: 'La Traversée', ja: '横断' } }), title('b', { titles: { en: 'Storm' } })];
  assert.deepEqual(searchTitles(titles, 'TRAVERSEE').map((t) => t.id), ['a']);
  assert.deepEqual(searchTitles(titles, 'traversée').map((t) => t.id), ['a']);
  assert.deepEqual(searchTitles(titles, '横断').map((t) => t.id), ['a']);
  assert.deepEqual(searchTitles(titles, 'crossing storm'), []);
  assert.equal(foldForSearch('Ｃafé Straße'), 'cafe strasse');
});

test('a phone never sees seatback-only titles; the parental lock hides adult ratings', () => {
  const titles = [title('a', { rights: 'seatback-only' }), title('b', { rating: { system: 'MPAA', value: 'R' } }), title('c')];
  assert.deepEqual(visibleTo(titles, 'phone', false).map((t) => t.id), ['b', 'c']);
  assert.deepEqual(visibleTo(titles, 'seatback', true).map((t) => t.id), ['a', 'c']);
});

test('episodes are grouped by series and season in episode order', () => {
  const ep = (id: string, season: number, episode: number) => title(id, { kind: 'episode', series: { id: 's', titles: { en: 'S' }, season, episode } });
  const grouped = groupSeries([ep('e2', 1, 2), ep('e1', 1, 1), ep('f1', 2, 1)]);
  assert.deepEqual(grouped.get('s')!.seasons.get(1)!.map((t) => t.id), ['e1', 'e2']);
  assert.equal(grouped.get('s')!.seasons.size, 2);
});
