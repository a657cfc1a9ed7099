import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyBlocks, policyCurrent } from './policy.ts';

const ok = {
  region: 'IR',
  blockedTitleIds: ['harbour-of-glass'],
  blockedTags: ['Romance'],
  wifi: false,
  voip: false,
  messaging: false,
  priceZone: 'land',
  rule: 'IR: no connectivity',
  at: '2026-12-01T14:00:00.000Z',
};

test('policy/current: the seat-side minimum parses, and international waters have no region', () => {
  assert.equal(policyCurrent.parse(ok).region, 'IR');
  assert.equal(policyCurrent.parse({ ...ok, region: null }).region, null);
  const { rule: _rule, ...withoutRule } = ok;
  assert.ok(policyCurrent.safeParse(withoutRule).success, 'rule is optional');
});

test('policy/current refuses garbage: wrong types, unknown keys, lower-case regions, oversized lists', () => {
  for (const bad of [
    { ...ok, region: 'ir' },
    { ...ok, blockedTitleIds: 'harbour-of-glass' },
    { ...ok, wifi: 'yes' },
    { ...ok, extra: true },
    { ...ok, at: 'yesterday' },
    { ...ok, blockedTitleIds: Array.from({ length: 5001 }, (_, i) => `t${i}`) },
    { ...ok, blockedTags: [''] },
  ])
    assert.equal(policyCurrent.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 80));
});

test('a title is blocked by its id, or by its kind or a genre matching a blocked tag in any case', () => {
  const p = policyCurrent.parse({ ...ok, blockedTags: ['Romance', 'KIDS'] });
  assert.equal(policyBlocks(p, { id: 'harbour-of-glass' }), true);
  assert.equal(policyBlocks(p, { id: 'x', genres: ['romance', 'drama'] }), true);
  assert.equal(policyBlocks(p, { id: 'y', kind: 'kids', genres: [] }), true);
  assert.equal(policyBlocks(p, { id: 'z', kind: 'movie', genres: ['thriller'] }), false);
  assert.equal(policyBlocks(null, { id: 'harbour-of-glass' }), false, 'no policy: nothing blocked');
});
