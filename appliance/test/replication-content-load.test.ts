/**
 * The wiring from content loads to the replicated catalogue: a signed load installed through
 * the maintenance API becomes the catalogue a connected RxDB replica holds, and the next load
 * replaces it over the live stream (titles that left are deleted), without a reload.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { openReplica, type Replica } from '../../seat-client/src/replica/index.ts';
import {
  buildTestLoad,
  crewLogin,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';
import { seatToken, waitUntil } from './replication-fixtures.ts';

let work: string;
let app: MediaTestAppliance;
let replica: Replica | undefined;

before(async () => {
  work = mediaTempDir('ifec-replication-load-');
});

after(async () => {
  await replica?.close();
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('each newly activated content load reaches a connected replica, deletions included', async () => {
  const source = makeMediaSource(path.join(work, 'source'));
  const signer = trustedSigner(work);
  app = await startMediaAppliance({ IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile, IFEC_RTMP_PORT: '0' });
  const maintenance = await crewLogin(app, 'maintenance');
  const install = async (dir: string) => {
    const res = await fetch(`${app.url}/api/crew/content-loads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
      body: JSON.stringify({ path: dir }),
    });
    assert.ok(res.ok, await res.text());
  };
  const held = async () => (await replica!.titles.find().exec()).map((d) => `${d.id}@${d.loadId}`).sort();

  const first = await buildTestLoad({
    out: path.join(work, 'load-1'),
    source,
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-2026-12-v1',
    version: 1,
    titles: [{ id: 'night-flight' }, { id: 'harbour-lights' }, { id: 'cloud-atlas-kids' }],
  });
  await install(first.dir);
  await waitUntil(() => app.catalog.pages.live().length === 3, 10_000, 'catalogue projected from the load');

  const seatId = Object.keys(app.credentials.seats)[0]!;
  const token = await seatToken(app.url, seatId, app.credentials.seats[seatId]!);
  replica = await openReplica({
    baseUrl: app.url,
    seatId,
    token,
    device: 'seat',
    storage: getRxStorageMemory(),
    databaseName: 'content-load-seat',
  });
  await replica.whenSynced();
  assert.deepEqual(await held(), [
    'cloud-atlas-kids@XA-2026-12-v1',
    'harbour-lights@XA-2026-12-v1',
    'night-flight@XA-2026-12-v1',
  ]);
  const poster = (await replica.titles.findOne('night-flight').exec())!.poster;
  assert.ok(poster?.startsWith('/hls/night-flight/'), `poster ${poster}`);

  const second = await buildTestLoad({
    out: path.join(work, 'load-2'),
    source,
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-2027-01-v2',
    version: 2,
    titles: [{ id: 'night-flight' }, { id: 'desert-run', rights: 'seatback-only' }],
  });
  await install(second.dir);
  // Unchanged editorial content keeps its place: only what changed travels.
  await waitUntil(
    async () => (await held()).join() === ['desert-run@XA-2027-01-v2', 'night-flight@XA-2026-12-v1'].join(),
    15_000,
    'second load on the replica',
  );
});
