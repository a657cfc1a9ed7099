import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TitleManifest } from '@ifec/protocol';
import { minimumAge, noPurchases, type PlaybackContext, refusePlayback, regionAllows } from './playback-policy.ts';

const title = (over: Partial<TitleManifest>) =>
  ({
    id: 'night-flight',
    rights: 'all-devices',
    priceTier: 'included',
    rating: { system: 'MPAA', value: 'PG' },
    regions: { allowed: ['*'], blocked: [] },
    ...over,
  }) as TitleManifest;
const seat: PlaybackContext = {
  viewer: { subject: 'seat:12A', device: 'seat', seatId: '12A' },
  parentalMaxAge: undefined,
  region: undefined,
  entitlements: noPurchases,
};
const phone: PlaybackContext = { ...seat, viewer: { subject: 'phone:x', device: 'phone' } };

test('ratings map to a minimum age; unknown ratings count as adult', () => {
  assert.equal(minimumAge({ system: 'MPAA', value: 'PG-13' }), 13);
  assert.equal(minimumAge({ system: 'BBFC', value: '12A' }), 12);
  assert.equal(minimumAge({ system: 'FSK', value: '6' }), 6);
  assert.equal(minimumAge({ system: 'NR', value: 'NR' }), 18);
  assert.equal(minimumAge({ system: 'MPAA', value: 'XYZ' }), 18);
});

test('regions: blocked wins, * allows, an unknown region is allowed', () => {
  assert.equal(regionAllows({ allowed: ['*'], blocked: ['FR'] }, 'FR'), false);
  assert.equal(regionAllows({ allowed: ['*'], blocked: ['FR'] }, 'DE'), true);
  assert.equal(regionAllows({ allowed: ['US', 'CA'], blocked: [] }, 'DE'), false);
  assert.equal(regionAllows({ allowed: ['US'], blocked: [] }, undefined), true);
});

test('refusals, in order: rights, entitlement, parental lock, region', () => {
  assert.equal(refusePlayback(title({}), seat), undefined);
  assert.equal(refusePlayback(title({ rights: 'seatback-only' }), phone)?.code, 'SEATBACK_ONLY');
  assert.equal(refusePlayback(title({ rights: 'seatback-only' }), seat), undefined);
  assert.equal(refusePlayback(title({ priceTier: 'premium-2' }), seat)?.code, 'NOT_ENTITLED');
  assert.equal(
    refusePlayback(title({ priceTier: 'premium-2' }), {
      ...seat,
      entitlements: { purchased: (v, id) => v.seatId === '12A' && id === 'night-flight' },
    }),
    undefined,
  );
  assert.equal(
    refusePlayback(title({ rating: { system: 'MPAA', value: 'R' } }), { ...seat, parentalMaxAge: 12 })?.code,
    'PARENTAL_LOCK',
  );
  assert.equal(
    refusePlayback(title({ rating: { system: 'MPAA', value: 'PG' } }), { ...seat, parentalMaxAge: 12 }),
    undefined,
  );
  assert.equal(
    refusePlayback(title({ regions: { allowed: ['*'], blocked: ['FR'] } }), { ...seat, region: 'FR' })?.code,
    'REGION_BLOCKED',
  );
});
