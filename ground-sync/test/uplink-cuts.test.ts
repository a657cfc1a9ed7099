/**
 * 20 random cuts during a 100,000-record upload, through the link emulator, to a ground on
 * PGlite and on PostgreSQL: afterwards the ground holds every record exactly once, with the
 * data the aircraft wrote, and acknowledges the whole outbox.
 */

import assert from 'node:assert/strict';
import test, { before } from 'node:test';
import { encodeBatch } from '@ifec/protocol/node';
import { loadOrCreateIdentity } from '../../appliance/src/sync/identity.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import {
  postgresUnavailable,
  produceSeatHealth,
  startTestAircraft,
  startTestGround,
  tempDir,
  tenantWithKey,
  waitFor,
} from './support.ts';

const RECORDS = 100_000;
const CUTS = 20;
const BATCH = 2000;
const TAIL = 'F-HCUT';
const dataDir = tempDir('ifec-aircraft-cuts-');
let expected: { seq: number; id: string; data: unknown }[] = [];
let wireBytes = 0;
const pgSkip = await postgresUnavailable();
if (pgSkip) console.log(`# skipping the PostgreSQL run: ${pgSkip}`);

before(async () => {
  const aircraft = await startTestAircraft(undefined, undefined, TAIL, {}, dataDir);
  await produceSeatHealth(aircraft.app, RECORDS);
  const { rows } = await aircraft.app.store.query<{ seq: number; id: string; data: unknown }>(
    'SELECT seq::int AS seq, id, data FROM outbox ORDER BY seq',
  );
  expected = rows;
  // What the first, uncut pass puts on the wire: the cuts fall inside it.
  for (let cursor = 0; ; ) {
    const { records, through } = await aircraft.app.sync.outbox.readBatch('bulk', cursor, BATCH);
    if (!records.length) break;
    wireBytes += encodeBatch({ aircraftId: TAIL, stream: 'bulk', after: cursor, through, pending: 0, records }).length;
    cursor = through;
  }
  await aircraft.app.stop();
});

for (const store of ['pglite', 'postgres'] as const) {
  test(`${CUTS} random cuts during a ${RECORDS}-record upload: the ${store} ground holds each record exactly once`, {
    skip: store === 'postgres' ? pgSkip : undefined,
    timeout: 420_000,
  }, async (t) => {
    assert.equal(expected.length, RECORDS);
    const ground = await startTestGround(store);
    await tenantWithKey(ground, 'air-cut');
    await registerAircraft(ground.db, 'air-cut', TAIL, loadOrCreateIdentity(dataDir).publicKeyPem);
    const link = await LinkEmulator.start({ host: '127.0.0.1', port: ground.port });
    const points = link.cutRandomly(CUTS, Math.floor(wireBytes * 0.9));
    const aircraft = await startTestAircraft(
      undefined,
      undefined,
      TAIL,
      { IFEC_GROUND_URL: link.url, IFEC_SYNC_BATCH_RECORDS: String(BATCH) },
      dataDir,
    );
    try {
      const maxSeq = expected.at(-1)!.seq;
      const progress = setInterval(
        () => console.log(`# ${store}: ${link.cuts} cuts, ${link.bytesCarried} bytes carried`),
        10_000,
      );
      t.after(() => clearInterval(progress));
      await waitFor(
        async () =>
          (
            await ground.db.query<{ acked_bulk: number }>('SELECT acked_bulk FROM aircraft WHERE aircraft_id = $1', [
              TAIL,
            ])
          ).rows[0]!.acked_bulk >= maxSeq,
        200_000,
        'the whole outbox acknowledged',
      );
      assert.equal(link.cuts, CUTS, `every cut happened (at bytes ${points.join(', ')})`);
      assert.equal(link.pendingCuts, 0);
      const { rows } = await ground.db.query<{ seq: number; id: string; data: unknown }>(
        'SELECT seq, record_id AS id, data FROM uplink_records WHERE aircraft_id = $1 ORDER BY seq',
        [TAIL],
      );
      assert.equal(rows.length, RECORDS, 'no record lost, none twice');
      assert.equal(new Set(rows.map((r) => r.id)).size, RECORDS, 'each record id once');
      assert.deepEqual(rows, expected, 'same seqs, ids and data as the aircraft wrote');
      assert.ok(link.bytesCarried > wireBytes, 'the cuts cost re-sent bytes');
    } finally {
      await aircraft.app.stop();
      await link.close();
      await ground.dispose();
    }
  });
}
