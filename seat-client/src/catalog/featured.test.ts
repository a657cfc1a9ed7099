import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featuredTitle } from './home-screen.ts';
import type { TitleView } from './model.ts';

const now = new Date('2026-12-10T00:00:00Z');
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
    addedAt: '2026-12-01T00:00:00Z',
    master: 'http://appliance/hls/x/master.m3u8',
    poster: 'http://appliance/hls/x/poster.webp',
    ...extra,
  };
}

test("home's hero is the title the content load features first, else its newest film", () => {
  const newest = title('newest');
  const older = title('older', { addedAt: '2025-01-01T00:00:00Z', featured: 2 });
  const chosen = title('chosen', { addedAt: '2024-01-01T00:00:00Z', featured: 1, kind: 'episode' });
  assert.equal(featuredTitle([newest, older, chosen], now)?.id, 'chosen');
  assert.equal(featuredTitle([newest, older], now)?.id, 'older');
  assert.equal(featuredTitle([newest, title('kids', { kind: 'kids' })], now)?.id, 'newest');
});
