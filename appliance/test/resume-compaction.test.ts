/**
 * The hub on a real PGlite store, driven through the cabin bus's topic router: updates are
 * persisted before the acknowledgement, compacted into one row past the threshold, and the
 * reloaded state equals the live document.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import { resumeTopics } from '@ifec/protocol';
import { positionsOf, writePosition } from '@ifec/protocol/resume-doc';
import * as encoding from 'lib0/encoding';
import { pino } from 'pino';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { TopicRouter } from '../src/bus/topic-router.ts';
import { ResumeHub } from '../src/resume/resume-hub.ts';
import { ResumeStore } from '../src/resume/resume-store.ts';
import { Store } from '../src/store/store.ts';
import { tempDir } from './support.ts';

test('updates are stored before the ack, compacted past the threshold, and reload to the same state', {
  timeout: 120_000,
}, async () => {
  const log = pino({ level: 'silent' });
  const store = await Store.open(path.join(tempDir('ifec-resume-store-'), 'pglite'), log);
  try {
    const relayed: string[] = [];
    const router = new TopicRouter();
    const hub = new ResumeHub({
      store: new ResumeStore(store),
      sessionOf: () => 'session-1',
      publish: async (topic) => {
        relayed.push(topic);
      },
      log,
      compactAfter: 50,
    });
    hub.register(router);
    const device = new Y.Doc();
    const topic = resumeTopics.up('12A', 'session-1', 'seat');
    const route = router.match(topic)!;
    const rows = async () =>
      Number((await store.query<{ n: number }>('SELECT count(*) AS n FROM resume_updates')).rows[0]!.n);

    for (let i = 0; i < 120; i++) {
      let update!: Uint8Array;
      device.once('update', (u: Uint8Array) => {
        update = u;
      });
      writePosition(device, 'seat', `film-${i % 7}`, { positionS: i, at: 1000 + i });
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, update);
      assert.equal(
        await route.handler({ role: 'seat', seatId: '12A' }, topic, Buffer.from(encoding.toUint8Array(encoder))),
        'consumed',
      );
      if (i === 0) assert.equal(await rows(), 1, 'the first update is in the store when the handler resolves');
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // let a compaction in flight finish
    const stored = await rows();
    assert.ok(stored < 60, `compacted: ${stored} rows for 120 updates`);
    assert.equal(
      relayed.filter((t) => t === resumeTopics.updates('12A', 'session-1')).length,
      120,
      'every update relayed',
    );

    const live = await hub.document('session-1');
    const reloaded = await new ResumeStore(store).load('session-1');
    const copy = new Y.Doc();
    Y.applyUpdate(copy, reloaded.state!);
    for (let t = 0; t < 7; t++) assert.deepEqual(positionsOf(copy, `film-${t}`), positionsOf(live, `film-${t}`));
    assert.deepEqual(positionsOf(copy, 'film-1').seat, { positionS: 113, at: 1113 });
  } finally {
    await store.close();
  }
});
