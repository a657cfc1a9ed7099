/**
 * Retention on a real PGlite ground: a tenant's policy (admin API) prunes what the ground has
 * acknowledged and the airline said it exported, once old enough; nothing else, no other
 * tenant's data; a late re-send of a pruned batch does not bring it back; bad input is refused.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import test, { after, before } from 'node:test';
import type { OutboxRecord, UplinkBatch } from '@ifec/protocol';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { pruneRetained } from '../src/retention/retention.ts';
import { ingestBatch } from '../src/uplink/ingest.ts';
import { startTestGround, type TestGround, tenantWithKey } from './support.ts';

let ground: TestGround;
let keyA: string;
let keyB: string;
const DAY = 86_400_000;

const admin = (key: string, method: string, path: string, body?: unknown) =>
  fetch(`${ground.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

const batch = (
  aircraftId: string,
  stream: 'critical' | 'bulk',
  seqs: number[],
  after: number,
  through: number,
): UplinkBatch => ({
  aircraftId,
  stream,
  after,
  through,
  pending: 0,
  records: seqs.map(
    (seq): OutboxRecord => ({
      seq,
      kind: stream === 'critical' ? 'audit' : 'seat.health.summary',
      id: `${aircraftId}-${seq}`,
      at: new Date(Date.UTC(2026, 10, 25)).toISOString(),
      data: { seq },
    }),
  ),
});

async function held(aircraftId: string): Promise<number[]> {
  return (
    await ground.db.query<{ seq: number }>('SELECT seq FROM uplink_records WHERE aircraft_id = $1 ORDER BY seq', [
      aircraftId,
    ])
  ).rows.map((r) => r.seq);
}

before(async () => {
  ground = await startTestGround('pglite');
  keyA = await tenantWithKey(ground, 'air-keep');
  keyB = await tenantWithKey(ground, 'air-other');
  const pem = () => crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await registerAircraft(ground.db, 'air-keep', 'F-HRET', pem());
  await registerAircraft(ground.db, 'air-other', 'F-HOTH', pem());
  // Bulk 1..20 and critical 21..24 acknowledged; bulk 31..40 held ahead of a gap (26..30 missing).
  const bulk = Array.from({ length: 20 }, (_, i) => i + 1);
  await ingestBatch(ground.db, batch('F-HRET', 'bulk', bulk, 0, 20));
  await ingestBatch(ground.db, batch('F-HRET', 'critical', [21, 22, 23, 24], 0, 24));
  await ingestBatch(
    ground.db,
    batch(
      'F-HRET',
      'bulk',
      Array.from({ length: 10 }, (_, i) => i + 31),
      30,
      40,
    ),
  );
  await ingestBatch(ground.db, batch('F-HOTH', 'bulk', bulk, 0, 20));
});
after(async () => {
  await ground?.dispose();
});

test('without a policy nothing is pruned, however old', async () => {
  const r = await pruneRetained(ground.db, { now: new Date(Date.now() + 3650 * DAY) });
  assert.deepEqual(r, { records: 0, errors: 0, skipped: false });
  assert.equal((await held('F-HRET')).length, 34);
});

test('a policy prunes only what is acknowledged, exported and older than its days', async () => {
  assert.equal((await admin(keyA, 'PUT', '/admin/v1/retention', { keepDays: 30 })).status, 200);
  assert.deepEqual(await (await admin(keyA, 'GET', '/admin/v1/retention')).json(), {
    retention: { keepDays: 30, requireExport: true },
  });
  // Nothing exported yet: nothing goes.
  assert.equal((await pruneRetained(ground.db, { now: new Date(Date.now() + 31 * DAY) })).records, 0);
  const mark = await admin(keyA, 'PUT', '/admin/v1/aircraft/F-HRET/exported', { through: 22 });
  assert.equal(mark.status, 200, await mark.clone().text());
  assert.deepEqual(await mark.json(), { aircraftId: 'F-HRET', exportedThrough: 22 });
  // Exported, but too recent.
  assert.equal((await pruneRetained(ground.db, { now: new Date(Date.now() + 29 * DAY) })).records, 0);
  const r = await pruneRetained(ground.db, { now: new Date(Date.now() + 31 * DAY) });
  assert.equal(r.records, 22, 'bulk 1..20 and critical 21..22');
  assert.deepEqual(await held('F-HRET'), [23, 24, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
  assert.equal((await held('F-HOTH')).length, 20, "another airline's aircraft keeps its records");
  // The mark only moves forward.
  assert.deepEqual(await (await admin(keyA, 'PUT', '/admin/v1/aircraft/F-HRET/exported', { through: 5 })).json(), {
    aircraftId: 'F-HRET',
    exportedThrough: 22,
  });
});

test('a late re-send of a pruned batch stores nothing and moves nothing back', async () => {
  const r = await ingestBatch(
    ground.db,
    batch(
      'F-HRET',
      'bulk',
      Array.from({ length: 20 }, (_, i) => i + 1),
      0,
      20,
    ),
  );
  assert.equal(r.stored, 0);
  assert.equal(r.acked.bulk, 20);
  assert.deepEqual((await held('F-HRET')).slice(0, 2), [23, 24]);
});

test('records held ahead of a gap are never pruned, even with requireExport off', async () => {
  assert.equal((await admin(keyA, 'PUT', '/admin/v1/retention', { keepDays: 1, requireExport: false })).status, 200);
  await pruneRetained(ground.db, { now: new Date(Date.now() + 2 * DAY) });
  assert.deepEqual(
    await held('F-HRET'),
    [31, 32, 33, 34, 35, 36, 37, 38, 39, 40],
    'acknowledged 23, 24 went; 31..40 wait for 26..30',
  );
});

test('the admin API prunes for the calling tenant only, and refuses bad input', async () => {
  const pruned = await admin(keyB, 'POST', '/admin/v1/retention/prune');
  assert.equal(pruned.status, 200);
  assert.deepEqual(await pruned.json(), { pruned: { records: 0, errors: 0, skipped: false } });
  const ahead = await admin(keyA, 'PUT', '/admin/v1/aircraft/F-HRET/exported', { through: 41 });
  assert.equal(ahead.status, 409);
  assert.equal(((await ahead.json()) as { error: { code: string } }).error.code, 'EXPORT_AHEAD_OF_GROUND');
  assert.equal(
    (await admin(keyB, 'PUT', '/admin/v1/aircraft/F-HRET/exported', { through: 1 })).status,
    404,
    "another airline's aircraft",
  );
  for (const body of [{ keepDays: 0 }, { keepDays: 'ten' }, { keepDays: 10, extra: 1 }, '{"keepDays":']) {
    const res = await admin(keyA, 'PUT', '/admin/v1/retention', body);
    assert.equal(res.status, 400, JSON.stringify(body));
  }
  assert.equal((await admin(keyA, 'PUT', '/admin/v1/aircraft/F-HRET/exported', { through: -1 })).status, 400);
  assert.equal((await fetch(`${ground.url}/admin/v1/retention`)).status, 401);
});
