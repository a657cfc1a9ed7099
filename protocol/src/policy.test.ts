import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyBlocks, policyCurrent } from './policy.ts';

const ok = {
  at: '2026-12-01T14:00:00.000Z',
  policyId: 'demo',
  policyVersion: 1,
  region: 'IR',
  tags: [],
  phase: 'cruise',
  wifi: { value: false, rule: 'default' },
  voip: { value: false, rule: 'default' },
  messaging: { value: true, rule: 'default' },
  priceZone: { value: 'land', rule: 'default' },
  blocked: { titles: ['harbour-of-glass'], genres: ['romance'], rules: ['no-thrillers'] },
};

test('policy/current parses, and international waters have no region', () => {
  assert.equal(policyCurrent.parse(ok).region, 'IR');
  assert.equal(policyCurrent.parse({ ...ok, region: null }).region, null);
});

test('policy/current refuses garbage: wrong types, unknown keys, lower-case regions, oversized lists', () => {
  for (const bad of [
    { ...ok, region: 'ir' },
    { ...ok, blocked: { ...ok.blocked, titles: 'harbour-of-glass' } },
    { ...ok, wifi: { value: 'yes', rule: 'default' } },
    { ...ok, extra: true },
    { ...ok, at: 'yesterday' },
    { ...ok, blocked: { ...ok.blocked, titles: Array.from({ length: 5001 }, (_, i) => `t${i}`) } },
    { ...ok, policyVersion: 0 },
  ])
    assert.equal(policyCurrent.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 80));
});

test('a title is blocked by its id, or by its kind or a genre matching a blocked genre in any case', () => {
  const p = policyCurrent.parse({ ...ok, blocked: { ...ok.blocked, genres: ['Romance', 'KIDS'] } });
  assert.equal(policyBlocks(p, { id: 'harbour-of-glass' }), true);
  assert.equal(policyBlocks(p, { id: 'x', genres: ['romance', 'drama'] }), true);
  assert.equal(policyBlocks(p, { id: 'y', kind: 'kids', genres: [] }), true);
  assert.equal(policyBlocks(p, { id: 'z', kind: 'movie', genres: ['thriller'] }), false);
  assert.equal(policyBlocks(null, { id: 'harbour-of-glass' }), false, 'no policy: nothing blocked');
});
