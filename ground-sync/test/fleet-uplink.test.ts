/**
 * Uploads through a fleet ground: 20 aircraft upload their outboxes through two `ifec-ground
 * serve` processes on one PostgreSQL, each batch to either process, some to both at once, some
 * replies cut after the ground stored the batch. Afterwards every aircraft's records are on
 * the ground exactly once (0 lost, 0 extra, same data), both streams acknowledged to the end,
 * and the admin API's backlog is 0 for every aircraft whatever order the batches committed in.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import test from 'node:test';
import { GroundClient } from '../../appliance/src/sync/ground-client.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { type Database, openPostgres } from '../src/store/database.ts';
import { createTenant } from '../src/tenants/tenants.ts';
import { mergeBacklog } from '../src/uplink/ingest.ts';
import {
  FleetLink,
  type GroundProcess,
  MemoryOutbox,
  spawnGround,
  uploadOutbox,
  writeSigningKey,
} from './fleet-support.ts';
import { freshPostgresDatabase, postgresUnavailable, tempDir } from './support.ts';

const AIRCRAFT = 20;
const RECORDS = 3000;
const pgSkip = await postgresUnavailable();

test('the backlog of a stream is the figure of the furthest batch, whatever order batches commit in', () => {
  let held = { through: 0, pending: 0 };
  // Batches of one pass (pending falls as through rises), committed out of order, one twice.
  for (const b of [
    { through: 300, pending: 700 },
    { through: 1000, pending: 0 },
    { through: 200, pending: 800 },
    { through: 1000, pending: 0 },
    { through: 600, pending: 400 },
  ])
    held = mergeBacklog(held, b);
  assert.deepEqual(held, { through: 1000, pending: 0 });
  // The same position counted again later, with records added meanwhile: the larger count.
  assert.deepEqual(mergeBacklog({ through: 1000, pending: 0 }, { through: 1000, pending: 25 }), {
    through: 1000,
    pending: 25,
  });
});

test('20 aircraft upload through two ground processes with double sends and cut replies: 0 lost, 0 extra, backlog 0 everywhere', {
  skip: pgSkip,
  timeout: 300_000,
}, async () => {
  const database = await freshPostgresDatabase();
  const dir = tempDir('ifec-fleet-up-');
  const keyFile = path.join(dir, 'signing-key.pem');
  writeSigningKey(keyFile);
  const grounds: GroundProcess[] = [];
  let db: Database | undefined;
  try {
    const env = (n: number) => ({
      DATABASE_URL: database.url,
      GROUND_SIGNING_KEY_FILE: keyFile,
      GROUND_DATA_DIR: path.join(dir, `g${n}`),
    });
    grounds.push(...(await Promise.all([spawnGround(env(1)), spawnGround(env(2))])));
    const store = await openPostgres(database.url);
    db = store;
    const { apiKey } = await createTenant(store, 'air-up', 'Air Up');
    const fleet = Array.from({ length: AIRCRAFT }, (_, i) => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
      return {
        outbox: new MemoryOutbox(`F-HU${String(i).padStart(2, '0')}`, RECORDS),
        privateKey,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    });
    for (const a of fleet) await registerAircraft(store, 'air-up', a.outbox.aircraftId, a.publicKeyPem);
    const links = fleet.map(
      (a) =>
        new FleetLink(
          grounds.map(
            (g) =>
              new GroundClient({
                baseUrl: g.url,
                link: 'gate',
                aircraftId: a.outbox.aircraftId,
                privateKey: a.privateKey,
                downlinkApplied: () => 0,
              }),
          ),
          { doubleSend: 0.2, cutReply: 0.1 },
        ),
    );
    await Promise.all(fleet.map((a, i) => uploadOutbox(a.outbox, links[i]!, { batchRecords: 150, window: 4 })));
    assert.ok(links.reduce((n, l) => n + l.doubleSends, 0) > 20, 'batches were sent to both processes at once');
    assert.ok(links.reduce((n, l) => n + l.cutReplies, 0) > 20, 'replies were cut');

    const res = await fetch(`${grounds[0]!.url}/admin/v1/aircraft`, { headers: { authorization: `Bearer ${apiKey}` } });
    const { aircraft } = (await res.json()) as {
      aircraft: {
        aircraftId: string;
        backlog: number;
        acked: { critical: number; bulk: number };
        recordsHeld: number;
      }[];
    };
    for (const a of fleet) {
      const { rows } = await store.query<{ seq: number; kind: string; id: string; at: Date; data: unknown }>(
        'SELECT seq, kind, record_id AS id, at, data FROM uplink_records WHERE aircraft_id = $1 ORDER BY seq',
        [a.outbox.aircraftId],
      );
      const expected = a.outbox.records;
      const held = new Set(rows.map((r) => r.id));
      assert.equal(expected.filter((r) => !held.has(r.id)).length, 0, `${a.outbox.aircraftId}: 0 lost`);
      assert.equal(rows.length - expected.length, 0, `${a.outbox.aircraftId}: 0 extra`);
      assert.deepEqual(
        rows.map((r) => ({ seq: r.seq, kind: r.kind, id: r.id, at: new Date(r.at).toISOString(), data: r.data })),
        expected,
        `${a.outbox.aircraftId}: the data the aircraft wrote`,
      );
      const status = aircraft.find((s) => s.aircraftId === a.outbox.aircraftId)!;
      assert.ok(
        status.acked.critical >= a.outbox.lastOf('critical') && status.acked.bulk >= a.outbox.lastOf('bulk'),
        `${a.outbox.aircraftId}: both streams acknowledged to their last record`,
      );
      assert.equal(status.backlog, 0, `${a.outbox.aircraftId}: backlog 0`);
      assert.equal(status.recordsHeld, RECORDS);
    }
  } finally {
    await db?.close();
    for (const g of grounds) assert.equal(await g.stop(), 0, g.output());
    await database.drop();
  }
});
