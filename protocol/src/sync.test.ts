import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import test from 'node:test';
import zlib from 'node:zlib';
import type { OutboxRecord } from './sync.ts';
import { decodeBatch, encodeBatch, type SyncFormatError } from './sync-batch.ts';
import { parseAircraftAuth, signAircraftRequest, verifyAircraftRequest } from './sync-signing.ts';

const records: OutboxRecord[] = [
  {
    seq: 3,
    kind: 'seat.health.summary',
    id: '12A@2026-11-25T10:00:00.000Z',
    at: '2026-11-25T10:10:00.000Z',
    data: { seatId: '12A', uptimeS: 600, faults: 0 },
  },
  {
    seq: 7,
    kind: 'viewing.count',
    id: 'b7d1',
    at: '2026-11-25T10:10:00.250Z',
    data: { titleId: 'night-flight', watchedS: 3000, completed: true, cabinClass: 'economy' },
  },
  {
    seq: 9,
    kind: 'seat.health.summary',
    id: '12B@2026-11-25T10:00:00.000Z',
    at: '2026-11-25T10:10:00.000Z',
    data: { seatId: '12B', uptimeS: 601, lastError: 'x' },
  },
];

test('a batch round-trips through the columnar gzip encoding, absent fields stay absent', () => {
  const batch = { aircraftId: 'F-HXYZ', stream: 'bulk' as const, after: 2, through: 10, pending: 5, records };
  assert.deepEqual(decodeBatch(encodeBatch(batch)), batch);
});

test('garbage, JSON that is not a batch, and a kind in the wrong stream are refused with a code', () => {
  const code = (bytes: Buffer) => {
    try {
      decodeBatch(bytes);
      return 'accepted';
    } catch (e) {
      return (e as SyncFormatError).code;
    }
  };
  assert.equal(code(Buffer.from('hello')), 'BATCH_NOT_GZIP');
  assert.equal(code(zlib.gzipSync('{nope')), 'BATCH_NOT_JSON');
  assert.equal(code(zlib.gzipSync('{"v":1}')), 'BATCH_INVALID');
  assert.equal(
    code(encodeBatch({ aircraftId: 'F-HXYZ', stream: 'critical', after: 0, through: 10, pending: 0, records })),
    'BATCH_INVALID',
  );
  assert.equal(
    code(encodeBatch({ aircraftId: 'F-HXYZ', stream: 'bulk', after: 5, through: 10, pending: 0, records })),
    'BATCH_INVALID',
    'seq 3 is not after 5',
  );
});

test('an aircraft request signature verifies only for the same method, path, body and key', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const body = Buffer.from('abc');
  const auth = parseAircraftAuth(signAircraftRequest('F-HXYZ', privateKey, 'POST', '/v1/x', body))!;
  assert.equal(auth.aircraftId, 'F-HXYZ');
  assert.equal(verifyAircraftRequest(auth, publicKey, 'POST', '/v1/x', body), 'ok');
  assert.equal(verifyAircraftRequest(auth, publicKey, 'POST', '/v1/x', Buffer.from('abd')), 'BAD_SIGNATURE');
  assert.equal(
    verifyAircraftRequest(auth, crypto.generateKeyPairSync('ed25519').publicKey, 'POST', '/v1/x', body),
    'BAD_SIGNATURE',
  );
  assert.equal(verifyAircraftRequest(auth, publicKey, 'POST', '/v1/x', body, Date.now() + 3_600_000), 'REQUEST_STALE');
});
