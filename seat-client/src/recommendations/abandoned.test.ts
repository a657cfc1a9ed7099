import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABANDON_MIN_WATCHED_S, isAbandoned } from './abandoned.ts';

const film = 120 * 60;

test('leaving a film after a real try, well before its end, is abandoning it', () => {
  assert.equal(isAbandoned({ positionS: 20 * 60, durationS: film, watchedS: 20 * 60, heldByCabin: false }), true);
});

test('a peek, the credits, a stop the cabin made, or an unknown length say nothing', () => {
  const base = { positionS: 20 * 60, durationS: film, watchedS: 20 * 60, heldByCabin: false };
  assert.equal(isAbandoned({ ...base, positionS: 30, watchedS: 30 }), false, 'a peek');
  assert.equal(isAbandoned({ ...base, watchedS: ABANDON_MIN_WATCHED_S - 1 }), false, 'seeked in, left at once');
  assert.equal(isAbandoned({ ...base, positionS: 110 * 60 }), false, 'near the end');
  assert.equal(isAbandoned({ ...base, heldByCabin: true }), false, 'PA, crew lock or airspace policy');
  assert.equal(isAbandoned({ ...base, durationS: undefined }), false, 'unknown running time');
  assert.equal(isAbandoned({ ...base, durationS: Number.NaN }), false, 'metadata not loaded');
});

test('a short episode needs only a tenth of its length as a try', () => {
  assert.equal(isAbandoned({ positionS: 3 * 60, durationS: 22 * 60, watchedS: 3 * 60, heldByCabin: false }), true);
});
