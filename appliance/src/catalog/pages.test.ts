import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import type { CatalogTitleDoc } from '@ifec/protocol';
import { CatalogPages } from './pages.ts';
import { ReplicationClock } from './sequence.ts';

const doc = (id: string, updatedAt: number, deleted = false) =>
  ({ id, updatedAt, _deleted: deleted }) as unknown as CatalogTitleDoc;
const ids = (body: Buffer) =>
  (JSON.parse(body.toString()) as { documents: CatalogTitleDoc[] }).documents.map((d) => d.id);

test('pages follow the checkpoint order (updatedAt, then id) and a newer version moves to the end', () => {
  const pages = new CatalogPages();
  pages.apply([doc('b', 10), doc('a', 10), doc('c', 11)]);
  assert.deepEqual(ids(pages.page(null, 10).json), ['a', 'b', 'c']);
  assert.deepEqual(ids(pages.page({ updatedAt: 10, id: 'a' }, 1).json), ['b']);
  pages.apply([doc('a', 12, true)]);
  assert.deepEqual(ids(pages.page(null, 10).json), ['b', 'c', 'a']);
  assert.deepEqual(
    pages.live().map((d) => d.id),
    ['b', 'c'],
  );
  assert.deepEqual(pages.checkpoint, { updatedAt: 12, id: 'a' });
  const caughtUp = JSON.parse(pages.page({ updatedAt: 12, id: 'a' }, 10).json.toString()) as {
    documents: unknown[];
    checkpoint: unknown;
  };
  assert.deepEqual(caughtUp, { documents: [], checkpoint: { updatedAt: 12, id: 'a' } });
});

test('a change older than what is held is refused (checkpoints only move forward)', () => {
  const pages = new CatalogPages();
  pages.apply([doc('a', 10)]);
  assert.throws(() => pages.apply([doc('b', 9)]));
});

test('large pages are gzipped once and served from the cache until the catalogue changes', () => {
  const pages = new CatalogPages();
  pages.apply(
    Array.from({ length: 100 }, (_, i) => ({ ...doc(`t${String(i).padStart(3, '0')}`, 100 + i), pad: 'x'.repeat(50) })),
  );
  const first = pages.page(null, 50);
  assert.ok(first.gzip && first.gzip.length < first.json.length);
  assert.deepEqual(zlib.gunzipSync(first.gzip), first.json);
  assert.equal(pages.page(null, 50), first);
  pages.apply([doc('z', 500)]);
  assert.notEqual(pages.page(null, 50), first);
});

test('the replication clock never goes back, even when the wall clock does', () => {
  let now = 1_000;
  const clock = new ReplicationClock(() => now);
  const a = clock.next();
  now = 500;
  const b = clock.next();
  clock.observe(5_000_000);
  const c = clock.next();
  assert.ok(a < b && b < c && c > 5_000_000);
});
