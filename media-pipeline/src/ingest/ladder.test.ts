import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LADDERS, rungsFor } from './ladder.ts';

const names = (source: { width: number; height: number }, ladder = LADDERS.standard) =>
  rungsFor(ladder, source).map((r) => `${r.name} ${r.width}x${r.height}`);

test('a full-HD source gets the whole ladder, a 720p source everything from 720p down', () => {
  assert.deepEqual(names({ width: 1920, height: 1080 }), [
    '1080p 1920x1080',
    '720p 1280x720',
    '480p 854x480',
    'phone-270p 480x270',
  ]);
  assert.deepEqual(names({ width: 3840, height: 2160 }), names({ width: 1920, height: 1080 }));
  assert.deepEqual(names({ width: 1280, height: 720 }), ['720p 1280x720', '480p 854x480', 'phone-270p 480x270']);
});

test('a 720x405 source gets no rung above it: one at its own size, then the phone rung', () => {
  const rungs = rungsFor(LADDERS.standard, { width: 720, height: 405 });
  assert.deepEqual(
    rungs.map((r) => `${r.name} ${r.width}x${r.height}`),
    ['404p 720x404', 'phone-270p 480x270'],
  );
  assert.equal(rungs[0]!.audience, 'seatback');
  assert.ok(rungs[0]!.kbps < LADDERS.standard.video[2]!.kbps, 'fewer pixels than 480p, fewer bits');
  for (const r of rungs) assert.ok(r.width <= 720 && r.height <= 405);
});

test('a 4:3 source fits the 480p rung (pillarboxed, not upscaled); a tiny one still gets one rung', () => {
  assert.deepEqual(names({ width: 640, height: 480 }), ['480p 854x480', 'phone-270p 480x270']);
  assert.deepEqual(names({ width: 160, height: 90 }), ['90p 160x90']);
  assert.deepEqual(names({ width: 101, height: 57 }, LADDERS.compact), ['56p 100x56']);
  assert.deepEqual(names({ width: 640, height: 360 }, LADDERS.compact), [
    '360p 640x360',
    '270p 480x270',
    '216p 384x216',
    'phone-144p 256x144',
  ]);
});
