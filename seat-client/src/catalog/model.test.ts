import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featuredTitle } from './home-screen.ts';
import { groupSeries, type TitleView, visibleTo } from './model.ts';
import { foldForSearch, searchTitles } from './title-search.ts';

function title(id: string, extra: Partial<TitleView> = {}): TitleView {
  return {
    id,
    kind: 'movie',
    titles: { en: id },
    synopses: {},
    genres: [],
    cast: [],
    rating: { system: 'MPAA', value: 'PG' },
    durationS: 60,
    audioLanguages: [],
    subtitleLanguages: [],
    rights: 'all-devices',
    priceTier: 'included',
    addedAt: '2026-11-01T00:00:00Z',
    master: 'http://appliance/hls/x/master.m3u8',
    ...extra,
  };
}

test('search ignores accents and case, in any language the title has', () => {
  const titles = [
    title('a', { titles: { en: 'The Crossing', fr: 'La Traversée', ja: '横断' } }),
    title('b', { titles: { en: 'Storm' } }),
  ];
  assert.deepEqual(
    searchTitles(titles, 'TRAVERSEE').map((t) => t.id),
    ['a'],
  );
  assert.deepEqual(
    searchTitles(titles, 'traversée').map((t) => t.id),
    ['a'],
  );
  assert.deepEqual(
    searchTitles(titles, '横断').map((t) => t.id),
    ['a'],
  );
  assert.deepEqual(searchTitles(titles, 'crossing storm'), []);
  assert.equal(foldForSearch('Ｃafé Straße'), 'cafe strasse');
});

test('a phone never sees seatback-only titles; the parental lock hides adult ratings', () => {
  const titles = [
    title('a', { rights: 'seatback-only' }),
    title('b', { rating: { system: 'MPAA', value: 'R' } }),
    title('c'),
  ];
  assert.deepEqual(
    visibleTo(titles, 'phone', false).map((t) => t.id),
    ['b', 'c'],
  );
  assert.deepEqual(
    visibleTo(titles, 'seatback', true).map((t) => t.id),
    ['a', 'c'],
  );
});

test('the parental lock hides ratings above the age the passenger chose', () => {
  const titles = [
    title('g', { rating: { system: 'MPAA', value: 'G' } }),
    title('pg13', { rating: { system: 'MPAA', value: 'PG-13' } }),
    title('bbfc12a', { rating: { system: 'BBFC', value: '12A' } }),
    title('fsk16', { rating: { system: 'FSK', value: '16' } }),
    title('nr', { rating: { system: 'NR', value: 'NR' } }),
  ];
  assert.deepEqual(
    visibleTo(titles, 'seatback', true, 7).map((t) => t.id),
    ['g', 'nr'],
  );
  assert.deepEqual(
    visibleTo(titles, 'seatback', true, 12).map((t) => t.id),
    ['g', 'bbfc12a', 'nr'],
  );
  assert.deepEqual(
    visibleTo(titles, 'seatback', true, 16).map((t) => t.id),
    ['g', 'pg13', 'bbfc12a', 'fsk16', 'nr'],
  );
  assert.equal(visibleTo(titles, 'seatback', false, 7).length, 5);
});

test('episodes are grouped by series and season in episode order', () => {
  const ep = (id: string, season: number, episode: number) =>
    title(id, { kind: 'episode', series: { id: 's', titles: { en: 'S' }, season, episode } });
  const grouped = groupSeries([ep('e2', 1, 2), ep('e1', 1, 1), ep('f1', 2, 1)]);
  assert.deepEqual(
    grouped
      .get('s')!
      .seasons.get(1)!
      .map((t) => t.id),
    ['e1', 'e2'],
  );
  assert.equal(grouped.get('s')!.seasons.size, 2);
});

test('a snapshot maps each checked document once; bad documents and tombstones are dropped with a reason', async () => {
  const { titlesOfSnapshot } = await import('./snapshot-check.ts');
  const doc = {
    id: 'night-flight',
    loadId: 'XA-1',
    kind: 'movie',
    titles: { en: 'Night Flight' },
    synopses: { en: 'A flight.' },
    genres: ['drama'],
    cast: [{ name: 'A. Actor', role: 'actor' }],
    rating: { system: 'MPAA', value: 'PG' },
    originalLanguage: 'en',
    durationS: 5400,
    audioLanguages: [{ language: 'en', audioDescription: false }],
    subtitleLanguages: [],
    rights: 'all-devices',
    priceTier: 'included',
    licence: { start: '2026-11-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
    regions: { allowed: ['*'], blocked: [] },
    addedAt: '2026-11-01T00:00:00Z',
    poster: '/hls/night-flight/images/poster-400x600.webp',
    images: [],
    master: '/hls/night-flight/hls/master.m3u8',
    searchText: 'night flight',
    updatedAt: 3,
    _deleted: false,
  };
  const warnings: object[] = [];
  const titles = titlesOfSnapshot(
    {
      documents: [
        doc,
        { ...doc, id: 'gone', _deleted: true },
        { ...doc, id: 'NOT AN ID' },
        { ...doc, id: 'x-1', durationS: 'long' },
        null,
        'garbage',
      ],
    },
    'http://10.0.0.1:8080',
    (_m, d) => warnings.push(d),
  );
  assert.deepEqual(
    titles.map((t) => t.id),
    ['night-flight'],
  );
  assert.equal(titles[0]!.poster, 'http://10.0.0.1:8080/hls/night-flight/images/poster-400x600.webp');
  assert.equal(titles[0]!.master, 'http://10.0.0.1:8080/hls/night-flight/hls/master.m3u8');
  assert.equal(titles[0]!.backdrop, undefined);
  assert.equal(warnings.length, 4);
  assert.deepEqual(
    titlesOfSnapshot({ titles: [] }, 'http://x', (_m, d) => warnings.push(d)),
    [],
  );
  assert.equal(warnings.length, 5);
});

test("a cold start's light check draws the documents whose read fields are there; the full check then drops what the schema refuses", async () => {
  const { titlesAtStart } = await import('./source.ts');
  const { titlesOfSnapshot } = await import('./snapshot-check.ts');
  const doc = {
    id: 'night-flight',
    loadId: 'XA-1',
    kind: 'movie',
    titles: { en: 'Night Flight' },
    synopses: { en: 'A flight.' },
    genres: ['drama'],
    cast: [],
    rating: { system: 'MPAA', value: 'PG' },
    originalLanguage: 'en',
    durationS: 5400,
    audioLanguages: [],
    subtitleLanguages: [],
    rights: 'all-devices',
    priceTier: 'included',
    licence: { start: '2026-11-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
    regions: { allowed: ['*'], blocked: [] },
    addedAt: '2026-11-01T00:00:00Z',
    images: [],
    master: '/hls/night-flight/hls/master.m3u8',
    searchText: 'night flight',
    updatedAt: 3,
    _deleted: false,
  };
  const body = {
    documents: [
      doc,
      { ...doc, id: 'gone', _deleted: true },
      { ...doc, id: 'x-1', durationS: 'long' },
      { ...doc, id: 'NOT AN ID' },
      null,
    ],
  };
  assert.deepEqual(
    titlesAtStart(body, 'http://10.0.0.1:8080')?.map((t) => t.id),
    ['night-flight', 'NOT AN ID'],
  );
  assert.equal(titlesAtStart({ titles: [] }, 'http://x'), undefined);
  assert.deepEqual(
    titlesOfSnapshot(body, 'http://10.0.0.1:8080', () => undefined).map((t) => t.id),
    ['night-flight'],
  );
});

test("home's hero is the title the content load features first, else its newest film", () => {
  const now = new Date('2026-12-10T00:00:00Z');
  const art = { poster: 'http://appliance/hls/x/poster.webp', addedAt: '2026-12-01T00:00:00Z' };
  const newest = title('newest', art);
  const older = title('older', { ...art, addedAt: '2025-01-01T00:00:00Z', featured: 2 });
  const chosen = title('chosen', { ...art, addedAt: '2024-01-01T00:00:00Z', featured: 1, kind: 'episode' });
  assert.equal(featuredTitle([newest, older, chosen], now)?.id, 'chosen');
  assert.equal(featuredTitle([newest, older], now)?.id, 'older');
  assert.equal(featuredTitle([newest, title('kids', { ...art, kind: 'kids' })], now)?.id, 'newest');
});
