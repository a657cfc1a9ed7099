import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SeatStateDoc } from '@ifec/protocol';
import { resolvePush } from './resolve.ts';

const settings = (value: object, updatedAt?: number) =>
  ({ id: 'settings', kind: 'settings', value, _deleted: false, ...(updatedAt ? { updatedAt } : {}) }) as SeatStateDoc;
const lock = (enabled: boolean, maxAge: number, deleted = false) =>
  ({ id: 'parental-lock', kind: 'parental-lock', value: { enabled, maxAge }, _deleted: deleted }) as SeatStateDoc;
const fav = (deleted: boolean) =>
  ({
    id: 'favourite:night-flight',
    kind: 'favourite',
    value: { titleId: 'night-flight', addedAt: '2026-11-25T10:00:00Z' },
    _deleted: deleted,
  }) as SeatStateDoc;

test('a push on the current state is taken as sent', () => {
  assert.deepEqual(resolvePush(undefined, null, settings({ uiLanguage: 'fr' })), {
    store: settings({ uiLanguage: 'fr' }),
    conflict: false,
  });
  const master = settings({ uiLanguage: 'fr' }, 7);
  assert.deepEqual(
    resolvePush(master, settings({ uiLanguage: 'fr' }, 3), settings({ uiLanguage: 'de' })),
    { store: settings({ uiLanguage: 'de' }), conflict: false },
    'updatedAt is not content',
  );
  assert.deepEqual(resolvePush(master, null, settings({ uiLanguage: 'fr' })), { conflict: false }, 'nothing to write');
});

test('settings merge field by field; the fields the seat changed win', () => {
  const assumed = settings({ uiLanguage: 'en', textSize: 'normal', highContrast: false });
  const master = settings({ uiLanguage: 'de', textSize: 'normal', highContrast: false }, 9);
  const r = resolvePush(master, assumed, settings({ uiLanguage: 'en', textSize: 'large' }));
  assert.equal(r.conflict, true);
  assert.deepEqual(r.store?.value, { uiLanguage: 'de', textSize: 'large' });
});

test('the stricter parental lock wins a race; a favourite goes with the last write', () => {
  const master = lock(true, 7);
  assert.deepEqual(resolvePush(master, lock(true, 12), lock(false, 12)), { conflict: true });
  assert.deepEqual(resolvePush(master, lock(true, 12), lock(false, 12, true)), { conflict: true });
  assert.deepEqual(resolvePush(lock(true, 12), lock(false, 12), lock(true, 3)), {
    store: lock(true, 3),
    conflict: false,
  });
  assert.deepEqual(resolvePush(fav(false), fav(true), fav(true)), { store: fav(true), conflict: false });
});
