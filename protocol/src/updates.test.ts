import assert from 'node:assert/strict';
import test from 'node:test';
import { fillPath } from './paths.ts';
import { loadList, partNumber, rolloutRequest, unitReport, updateSource, updatesPaths } from './updates.ts';

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
