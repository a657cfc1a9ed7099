/**
 * The uploader's window spans the streams: bulk's first batches leave while critical's are
 * still unacknowledged. A cut in the middle of that window (requests and replies in flight on
 * both streams) still ends, after the re-sends, with every record on the ground exactly once.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import test from 'node:test';
import { decodeBatch } from '@ifec/protocol/node';
import { GroundClient, GroundRequestError } from '../../appliance/src/sync/ground-client.ts';
import { uploadStreams } from '../../appliance/src/sync/uploader.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import { MemoryOutbox } from './fleet-support.ts';
import { startTestGround, tenantWithKey } from './support.ts';

test('a window across critical and bulk, cut mid-window: 0 lost, 0 duplicates, both streams acknowledged', {
  timeout: 120_000,
}, async () => {
  const ground = await startTestGround('pglite');
  const link = await LinkEmulator.start(
    { host: '127.0.0.1', port: ground.port },
    { bitsPerSecond: 8_000_000, rttMs: 200 },
  );
  try {
    await tenantWithKey(ground, 'air-win');
    const outbox = new MemoryOutbox('F-HWIN', 6000);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    await registerAircraft(
      ground.db,
      'air-win',
      outbox.aircraftId,
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const client = new GroundClient({
      baseUrl: link.url,
      link: 'satcom',
      aircraftId: outbox.aircraftId,
      privateKey,
      downlinkApplied: () => 0,
    });
    // What each request carried and when it was sent and answered, for the first pass.
    const sends: { stream: string; sentAt: number; answeredAt?: number }[] = [];
    const logged: Pick<GroundClient, 'sendBatch'> = {
      async sendBatch(bytes) {
        const send: (typeof sends)[number] = { stream: decodeBatch(bytes).stream, sentAt: performance.now() };
        sends.push(send);
        const ack = await client.sendBatch(bytes);
        send.answeredAt = performance.now();
        return ack;
      },
    };
    // The cut falls after the first requests are on the wire and before the pass ends.
    link.cutAtBytes([15_000]);
    let passes = 0;
    for (;;) {
      passes++;
      assert.ok(passes < 20, 'the upload ends');
      try {
        const acked = await client.checkpoint();
        if (acked.critical >= outbox.lastOf('critical') && acked.bulk >= outbox.lastOf('bulk')) break;
        await uploadStreams(passes === 1 ? logged : client, outbox, ['critical', 'bulk'], acked, {
          aircraftId: outbox.aircraftId,
          batchRecords: 200,
          window: 8,
        });
      } catch (error) {
        if (!(error instanceof GroundRequestError)) throw error;
      }
    }
    assert.equal(link.cuts, 1, 'the link was cut once');
    assert.ok(passes >= 3, `the cut cost a pass (${passes} passes)`);
    const critical = sends.filter((s) => s.stream === 'critical');
    const firstBulk = sends.find((s) => s.stream === 'bulk');
    assert.ok(critical.length >= 2 && firstBulk, 'both streams were in the first pass');
    assert.ok(
      critical.some((s) => s.answeredAt === undefined || s.answeredAt > firstBulk.sentAt),
      'bulk left before critical was all acknowledged',
    );
    assert.ok(
      sends.some((s) => s.answeredAt === undefined),
      'the cut fell on requests in flight',
    );
    const { rows } = await ground.db.query<{ seq: number; kind: string; id: string; at: Date; data: unknown }>(
      'SELECT seq, kind, record_id AS id, at, data FROM uplink_records WHERE aircraft_id = $1 ORDER BY seq',
      [outbox.aircraftId],
    );
    assert.equal(rows.length, outbox.records.length, '0 lost, 0 duplicates');
    assert.equal(new Set(rows.map((r) => r.id)).size, outbox.records.length, 'each record id once');
    assert.deepEqual(
      rows.map((r) => ({ seq: r.seq, kind: r.kind, id: r.id, at: new Date(r.at).toISOString(), data: r.data })),
      outbox.records,
      'the data the aircraft wrote',
    );
  } finally {
    await link.close();
    await ground.dispose();
  }
});
