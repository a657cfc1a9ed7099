import assert from 'node:assert/strict';
import test from 'node:test';
import { fillPath } from './paths.ts';
import {
  loadList,
  partNumber,
  ROLLOUT_STOP_CODES,
  type RolloutStop,
  rolloutRequest,
  rolloutStop,
  rolloutStopFromWords,
  rolloutStopInWords,
  unitDetailFromWords,
  unitDetailInWords,
  unitReport,
  updateSource,
  updatesPaths,
} from './updates.ts';

test('a unit report is strict: a known step, bounded text, nothing else', () => {
  assert.ok(unitReport.safeParse({ rolloutId: 'R1', step: 'healthy', version: '2.0.0' }).success);
  assert.equal(unitReport.safeParse({ rolloutId: 'R1', step: 'exploded' }).success, false);
  assert.equal(unitReport.safeParse({ rolloutId: 'R1', step: 'failed', detail: 'x'.repeat(501) }).success, false);
  assert.equal(unitReport.safeParse({ rolloutId: 'R1', step: 'healthy', admin: true }).success, false);
  assert.equal(unitReport.safeParse({ rolloutId: 'R1', step: 'healthy', version: '2.0; rm -rf /' }).success, false);
});

test('load lists need a part number, CRC-32 and SHA-256 per file', () => {
  const good = {
    format: 'ifec-load-list/1',
    header: {
      partNumber: 'IFE-SEAT-0042',
      kind: 'os-image',
      version: '3.1.0',
      targetHardware: ['seat-unit'],
      description: 'seat OS',
      publishedAt: '2026-12-01T00:00:00Z',
    },
    files: [{ name: 'seat.raucb', length: 3, crc32: '0a1b2c3d', sha256: 'a'.repeat(64) }],
  };
  assert.ok(loadList.safeParse(good).success);
  assert.equal(loadList.safeParse({ ...good, files: [{ ...good.files[0], crc32: 'xyz' }] }).success, false);
  assert.equal(loadList.safeParse({ ...good, files: [] }).success, false);
  assert.equal(partNumber.safeParse('bad part').success, false);
});

test('sources and rollout requests are bounded', () => {
  assert.equal(updateSource.safeParse({ from: 'floppy' }).success, false);
  assert.equal(updateSource.safeParse({ from: 'http', url: 'not a url' }).success, false);
  assert.equal(rolloutRequest.safeParse({ target: 't', healthDeadlineS: 1 }).success, false);
  assert.equal(rolloutRequest.safeParse({ target: 't', canary: Array(101).fill('1A') }).success, false);
  assert.equal(rolloutRequest.parse({ target: 't' }).healthDeadlineS, 900);
});

test('the bundle path fills with a sha256', () => {
  assert.equal(
    fillPath(updatesPaths.bundle, { hash: 'ab'.repeat(32) }),
    `/api/seat/updates/bundles/${'ab'.repeat(32)}`,
  );
});

test('a rollout stop is a code with its values; its English is what the audit and the ground keep', () => {
  const crew: RolloutStop = { code: 'STOPPED_BY_CREW' };
  assert.equal(rolloutStopInWords(crew), 'stopped by crew');
  const detailCode = { code: 'NO_HEALTH_REPORT', afterS: 900, was: 'installed' } as const;
  const canary: RolloutStop = {
    code: 'CANARY_FAILED',
    seatId: '12A',
    state: 'timed-out',
    detail: unitDetailInWords(detailCode),
    detailCode,
  };
  assert.equal(rolloutStopInWords(canary), 'canary 12A timed-out: no health report within 900 s (was installed)');
  assert.ok(rolloutStop.safeParse(canary).success);
  assert.equal(rolloutStop.safeParse({ code: 'STOPPED_BY_GREMLINS' }).success, false);
  assert.deepEqual([...ROLLOUT_STOP_CODES].sort(), rolloutStop.options.map((o) => o.shape.code.value).sort());
});

test('a stop recorded before stops had codes is read back as its code; anything else is left as words', () => {
  for (const stop of [
    { code: 'STOPPED_BY_CREW' },
    { code: 'CANARY_FAILED', seatId: '3C', state: 'failed', detail: 'kiosk did not start', detailCode: null },
    { code: 'CANARY_FAILED', seatId: '3C', state: 'rolled-back', detail: null, detailCode: null },
    {
      code: 'CANARY_FAILED',
      seatId: '1A',
      state: 'timed-out',
      detail: 'no health report within 5 s (was rebooted)',
      detailCode: { code: 'NO_HEALTH_REPORT', afterS: 5, was: 'rebooted' },
    },
  ] satisfies RolloutStop[])
    assert.deepEqual(rolloutStopFromWords(rolloutStopInWords(stop)), stop);
  assert.equal(rolloutStopFromWords('stopped'), null);
  assert.equal(rolloutStopFromWords('canary 1A exploded'), null);
  assert.equal(unitDetailFromWords('no health report within 5 s (was sleeping)'), null);
});
