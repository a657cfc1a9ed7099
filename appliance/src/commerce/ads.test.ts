import assert from 'node:assert/strict';
import test from 'node:test';
import type { AdSet } from '@ifec/protocol';
import { chooseAd } from './ads.ts';
import { anomaliesOf } from './anomalies.ts';

const set: AdSet = {
  id: 's',
  frequencyCaps: { 'home-banner': 2, 'pre-roll': 1 },
  adFreeCabins: ['business'],
  ads: [
    {
      id: 'gulf',
      placement: 'home-banner',
      advertiser: 'A',
      text: { ar: 'x', en: 'y' },
      regions: ['AE'],
      durationS: 10,
      skippableAfterS: 5,
    },
    {
      id: 'lhr-sin',
      placement: 'home-banner',
      advertiser: 'B',
      text: { en: 'z' },
      routes: ['LHR-SIN'],
      durationS: 10,
      skippableAfterS: 5,
    },
  ],
};
const base = { placement: 'home-banner' as const, lang: 'en', crewOn: true, served: new Map<string, number>() };
const id = (r: ReturnType<typeof chooseAd>) => ('ad' in r ? r.ad.id : r.reason);

test('ads are chosen by region and route; a regional language variant such as ar-AE falls back to ar', () => {
  assert.equal(id(chooseAd(set, { ...base, region: 'AE' })), 'gulf');
  assert.equal(id(chooseAd(set, { ...base, route: 'LHR-SIN', region: 'IN' })), 'lhr-sin');
  assert.match(id(chooseAd(set, { ...base, route: 'CDG-JFK', region: 'FR' })), /no ad fits/);
  assert.equal(id(chooseAd(set, { ...base, lang: 'ar-AE', region: 'AE' })), 'gulf');
  assert.match(id(chooseAd(set, { ...base, cabinClass: 'business', region: 'AE' })), /ad-free/);
  assert.match(id(chooseAd(set, { ...base, region: 'AE', served: new Map([['gulf', 2]]) })), /seen its ads/);
});

test('anomaly rules: each reached threshold is reported; absent ones never', () => {
  const s = { declinedAttempts: 3, cards: new Set(['a', 'b']), totalMinor: 5000 };
  assert.deepEqual(anomaliesOf(s, {}, 9000), []);
  assert.deepEqual(
    anomaliesOf(s, { declinedAttempts: 3, distinctCards: 3, sessionTotalMinor: 5000, orderTotalMinor: 8000 }, 9000).map(
      (a) => a.rule,
    ),
    ['declined-attempts', 'session-total', 'order-total'],
  );
});
