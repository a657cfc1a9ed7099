import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Locale } from '../i18n/i18n.ts';
import type { TitleView } from './model.ts';
import { SearchIndex } from './search-index.ts';
import { moreLikeThis, ratingText } from './title-text.ts';

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

const titles = [
  title('northern-lights', {
    titles: { en: 'Northern Lights', ja: 'オーロラ', ar: 'الشفق القطبي' },
    genres: ['drama'],
  }),
  title('harbour-of-glass', {
    titles: { en: 'Harbour of Glass', de: 'Der gläserne Hafen' },
    genres: ['romance', 'drama'],
  }),
  title('copper-sky', {
    titles: { en: 'Copper Sky' },
    genres: ['documentary'],
    cast: [{ name: 'Ines Varga', role: 'actor' }],
  }),
  title('paper-planes', { kind: 'kids', titles: { en: 'Paper Planes' }, genres: ['animation'] }),
];

test('search finds titles through typos, prefixes, other languages, people and translated genres', () => {
  const index = new SearchIndex(titles);
  const ids = (q: string) => index.search(q).map((t) => t.id);
  assert.deepEqual(ids('Nothern Lihgts'), ['northern-lights']);
  assert.deepEqual(ids('nortern'), ['northern-lights']);
  assert.deepEqual(ids('harbor'), ['harbour-of-glass']);
  assert.deepEqual(ids('glaserne hafen'), ['harbour-of-glass']);
  assert.deepEqual(ids('cop'), ['copper-sky']);
  assert.deepEqual(ids('オーロ'), ['northern-lights']);
  assert.deepEqual(ids('varga'), ['copper-sky']);
  // "Documentaire" is the French word for the genre: every UI language's genre name is indexed.
  assert.deepEqual(ids('documentaire'), ['copper-sky']);
  assert.deepEqual(ids('zzzz qqqq'), []);
  // One word that matches and one that matches nothing: not a result (the phone searching a seatback-only film).
  assert.deepEqual(ids('copper lights'), []);
  assert.deepEqual(ids('  '), []);
});

test('a rating that says NR reads "Not rated", others name their system', () => {
  const en = new Locale('en');
  assert.equal(ratingText({ system: 'NR', value: 'NR' }, en), 'Not rated');
  assert.equal(ratingText({ system: 'BBFC', value: '12A' }, en), '12A (BBFC)');
  assert.equal(ratingText({ system: 'NR', value: 'NR' }, new Locale('ja')), '区分なし');
});

test('more like this shares genres first and keeps children’s titles for children', () => {
  const like = moreLikeThis(titles, titles[0]!).map((t) => t.id);
  assert.equal(like[0], 'harbour-of-glass');
  assert.ok(!like.includes('paper-planes'));
  assert.ok(!like.includes('northern-lights'));
});
