/**
 * Catalogue replication against the real appliance with real RxDB replicas (memory storage
 * under Node) over real HTTP: first sync from the snapshot, live changes and deletions of a
 * new load over the stream, the phone's view, and precise answers to bad pulls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { CatalogTitleDoc } from '@ifec/protocol';
import { replicationPaths } from '@ifec/protocol';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { openReplica, type Replica } from '../../seat-client/src/replica/index.ts';
import { sampleCatalog, seatToken, startReplicationAppliance, tempDataDir, waitUntil } from './replication-fixtures.ts';

type App = Awaited<ReturnType<typeof startReplicationAppliance>>;

async function replicaContents(replica: Replica): Promise<Map<string, unknown>> {
  const docs = await replica.titles.find().exec();
  return new Map(docs.map((d) => [d.id, stripRx(d.toJSON())]));
}

function stripRx(doc: object): Record<string, unknown> {
  const { _deleted, _meta, _rev, _attachments, ...rest } = doc as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

function applianceContents(app: App, filter: (d: CatalogTitleDoc) => boolean = () => true): Map<string, unknown> {
  return new Map(
    app.catalog.pages
      .live()
      .filter(filter)
      .map((d) => [d.id, stripRx(d)]),
  );
}

describe('catalogue replication', () => {
  let app: App;
  let seat: Replica;
  let phone: Replica;
  let token: string;

  before(async () => {
    app = await startReplicationAppliance(tempDataDir());
    await app.catalog.replaceCatalog('load-2026-11', sampleCatalog(1200));
    const [seatId, secret] = Object.entries(app.seatSecrets)[0]!;
    token = await seatToken(app.url, seatId, secret);
    seat = await openReplica({
      baseUrl: app.url,
      seatId,
      token,
      device: 'seat',
      storage: getRxStorageMemory(),
      databaseName: 'catalog-seat',
    });
    phone = await openReplica({
      baseUrl: app.url,
      seatId,
      token,
      device: 'phone',
      storage: getRxStorageMemory(),
      databaseName: 'catalog-phone',
    });
  });

  after(async () => {
    await seat?.close();
    await phone?.close();
    await app?.stop();
  });

  it("a seat's first sync equals the appliance's catalogue", async () => {
    await seat.whenSynced();
    assert.deepEqual(await replicaContents(seat), applianceContents(app));
  });

  it('a phone never holds seatback-only titles', async () => {
    await phone.whenSynced();
    const held = await replicaContents(phone);
    assert.deepEqual(
      held,
      applianceContents(app, (d) => d.rights !== 'seatback-only'),
    );
    assert.ok(held.size < app.catalog.pages.live().length);
  });

  it("a new load's changes and deletions reach a connected seat over the stream", async () => {
    const online = await new Promise<boolean>((resolve) => seat.online$.subscribe((o) => o && resolve(o)));
    assert.equal(online, true);
    // Small change set (sent inline): 3 titles leave, 2 change, 1 arrives.
    const next = [...sampleCatalog(1195, 3), ...sampleCatalog(2, 1198, 1), ...sampleCatalog(1, 5000)];
    const change = await app.catalog.replaceCatalog('load-2026-12', next);
    assert.deepEqual(
      { added: change.added, changed: change.changed, removed: change.removed },
      { added: 1, changed: 2, removed: 3 },
    );
    await waitUntil(
      async () =>
        (await seat.titles.findOne('title-00000').exec()) === null &&
        (await seat.titles.findOne('title-05000').exec()) !== null,
      10_000,
      'small change set',
    );
    assert.deepEqual(await replicaContents(seat), applianceContents(app));
    assert.match((await seat.titles.findOne('title-01198').exec())!.titles.en!, / r1 /);

    // A whole new monthly load (sent as a resync hint, pulled in pages).
    const december = sampleCatalog(900, 2000);
    await app.catalog.replaceCatalog('load-2027-01', december);
    await waitUntil(
      async () =>
        (await seat.titles.count().exec()) === 900 && (await seat.titles.findOne('title-02899').exec()) !== null,
      15_000,
      'new load',
    );
    assert.deepEqual(await replicaContents(seat), applianceContents(app));
    await waitUntil(
      async () => (await phone.titles.findOne('title-02001').exec()) !== null,
      15_000,
      'phone sees new load',
    );
  });

  it('the snapshot is one compressed file at a checkpoint; pulls after it carry only changes', async () => {
    const res = await fetch(`${app.url}${replicationPaths.catalogSnapshot}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    const raw = Buffer.from(await res.arrayBuffer());
    // fetch decodes gzip itself; a raw request proves the wire bytes are compressed.
    const wire = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ default: http }) =>
        http.get(`${app.url}${replicationPaths.catalogSnapshot}`, { headers: { 'accept-encoding': 'br' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => resolve(Buffer.concat(chunks)))
            .on('error', reject);
        }),
      );
    });
    const snapshot = JSON.parse(zlib.brotliDecompressSync(wire).toString('utf8')) as {
      checkpoint: { updatedAt: number; id: string };
      documents: unknown[];
    };
    assert.ok(wire.length < raw.length / 4, `brotli ${wire.length} B vs ${raw.length} B`);
    assert.equal(snapshot.documents.length, 900);
    const after = (await (
      await fetch(
        `${app.url}${replicationPaths.catalogPull}?updatedAt=${snapshot.checkpoint.updatedAt}&id=${snapshot.checkpoint.id}&limit=100`,
      )
    ).json()) as { documents: unknown[] };
    assert.equal(after.documents.length, 0);
    const again = await fetch(`${app.url}${replicationPaths.catalogSnapshot}`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    assert.equal(again.status, 304);
  });

  it('answers a bad checkpoint with a 400 naming it', async () => {
    for (const query of [
      'updatedAt=abc&id=x',
      'updatedAt=1',
      'limit=0',
      'limit=100000',
      'updatedAt=-1&id=a',
      'since=3',
    ]) {
      const res = await fetch(`${app.url}${replicationPaths.catalogPull}?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'INVALID_CHECKPOINT');
    }
  });

  it('re-projecting the same load changes nothing and sends nothing', async () => {
    const before = app.catalog.checkpoint;
    const change = await app.catalog.replaceCatalog('load-2027-01-again', sampleCatalog(900, 2000));
    assert.deepEqual([change.added, change.changed, change.removed], [0, 0, 0]);
    assert.deepEqual(app.catalog.checkpoint, before);
  });

  it('keeps the catalogue across a restart', async () => {
    const dir = app.config.dataDir;
    const expected = applianceContents(app);
    await seat.close();
    await phone.close();
    await app.stop();
    app = await startReplicationAppliance(dir);
    assert.deepEqual(applianceContents(app), expected);
    seat = await openReplica({
      baseUrl: app.url,
      seatId: '1A',
      token,
      device: 'seat',
      storage: getRxStorageMemory(),
      databaseName: 'catalog-seat-2',
    });
    phone = await openReplica({
      baseUrl: app.url,
      seatId: '1A',
      token,
      device: 'phone',
      storage: getRxStorageMemory(),
      databaseName: 'catalog-phone-2',
    });
    await seat.whenSynced();
    assert.deepEqual(await replicaContents(seat), expected);
  });
});
