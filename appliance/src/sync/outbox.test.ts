/**
 * The outbox on a real PGlite store and a real journal: records of ground kinds land in the
 * outbox in the applier's transaction; when PGlite loses everything (what a power cut does to
 * it) the journal replay rebuilds the outbox with the same sequence numbers.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { pino } from 'pino';
import { DurableRecords } from '../store/durable-records.ts';
import { Journal } from '../store/journal.ts';
import { Store } from '../store/store.ts';
import { groundOnly, Outbox, toGround } from './outbox.ts';
import { GroundStatistics } from './statistics.ts';
import { registerGroundKinds } from './sync-domain.ts';

const log = pino({ level: 'silent' });

async function open(dir: string) {
  const store = await Store.open(path.join(dir, 'pglite'), log);
  const journal = await Journal.open(path.join(dir, 'journal.log'), { groupCommitMs: 1 });
  const records = new DurableRecords(journal, store, log);
  records.register('local.only', async () => {});
  records.register(
    'seat.fault',
    toGround(async () => {}),
  );
  registerGroundKinds(records);
  return {
    store,
    journal,
    records,
    close: async () => {
      await journal.close();
      await store.close();
    },
  };
}

test('ground kinds fill the outbox with journal seqs; a lost PGlite is rebuilt with the same seqs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-outbox-'));
  const a = await open(dir);
  await a.records.write('local.only', 'x1', { n: 1 });
  await a.records.write('seat.fault', 'f1', { seatId: '1A', code: 'SCREEN_BLANK' });
  const stats = new GroundStatistics(a.records);
  await stats.recordViewing('v1', { titleId: 'night-flight', cabinClass: 'economy', watchedS: 3000, completed: true });
  await stats.recordSeatHealth([
    {
      seatId: '1A',
      windowStart: '2026-11-25T10:00:00.000Z',
      windowS: 600,
      onlineS: 600,
      reboots: 0,
      faults: 1,
      appVersion: '1.0',
      lastError: null,
    },
    {
      seatId: '1B',
      windowStart: '2026-11-25T10:00:00.000Z',
      windowS: 600,
      onlineS: 590,
      reboots: 1,
      faults: 0,
      appVersion: '1.0',
      lastError: 'gpu',
    },
  ]);
  await a.records.write('local.only', 'x2', { n: 2 });
  const outbox = new Outbox(a.store, a.records);
  const before = await a.store.query<Record<string, unknown>>(
    'SELECT seq::int AS seq, stream, kind, id, data FROM outbox ORDER BY seq',
  );
  assert.deepEqual(
    before.rows.map((r: Record<string, unknown>) => [r.seq, r.stream, r.kind, r.id]),
    [
      [2, 'critical', 'seat.fault', 'f1'],
      [3, 'bulk', 'viewing.count', 'v1'],
      [4, 'bulk', 'seat.health.summary', '1A@2026-11-25T10:00:00.000Z'],
      [5, 'bulk', 'seat.health.summary', '1B@2026-11-25T10:00:00.000Z'],
    ],
  );
  const bulk = await outbox.readBatch('bulk', 0, 10);
  assert.deepEqual(
    bulk.records.map((r) => r.seq),
    [3, 4, 5],
  );
  assert.equal(bulk.through, 6, 'a short page covers up to the settled journal position');
  assert.deepEqual((await outbox.readBatch('bulk', 0, 2)).through, 4, 'a full page covers up to its last record');
  await a.close();

  // What a power cut leaves of PGlite: nothing. The journal is intact.
  fs.rmSync(path.join(dir, 'pglite'), { recursive: true, force: true });
  const b = await open(dir);
  assert.equal(await b.records.replay(), 6);
  const after = await b.store.query('SELECT seq::int AS seq, stream, kind, id, data FROM outbox ORDER BY seq');
  assert.deepEqual(after.rows, before.rows);
  await b.close();
});

test('settledThrough never passes a record still on its way from the journal to the store', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-outbox-'));
  const a = await open(dir);
  const writes = Array.from({ length: 50 }, (_, i) =>
    a.records.write('viewing.count', `v${i}`, { titleId: 't', cabinClass: 'economy', watchedS: i, completed: false }),
  );
  const outbox = new Outbox(a.store, a.records);
  // While writes are in flight, whatever a batch claims to cover is really in the store.
  for (let i = 0; i < 10; i++) {
    const { records, through } = await outbox.readBatch('bulk', 0, 1000);
    const present = new Set(records.map((r) => r.seq));
    for (let seq = 1; seq <= through; seq++)
      assert.ok(present.has(seq), `seq ${seq} is covered by through ${through} but not readable`);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(writes);
  assert.equal(a.records.settledThrough, 50);
  assert.equal(groundOnly.applyMany !== undefined, true);
  await a.close();
});
