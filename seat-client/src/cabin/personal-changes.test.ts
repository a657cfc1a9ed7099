import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PersonalChanges, SENT_SHOWN_MS } from './personal-changes.ts';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('a favourite set offline is queued until the replica delivers it, then "saved" for a moment', async () => {
  let now = 0;
  const changes = new PersonalChanges(() => now);
  const first = deferred();
  const second = deferred();
  changes.track(first.promise, true);
  changes.track(second.promise, false);
  assert.equal(changes.view(), 'queued');
  first.resolve();
  await first.promise;
  await Promise.resolve();
  assert.equal(changes.view(), 'queued', 'one change still waits');
  second.resolve();
  await second.promise;
  await Promise.resolve();
  assert.equal(changes.view(), 'sent');
  now += SENT_SHOWN_MS + 1;
  assert.equal(changes.view(), 'none');
});

test('a favourite set online goes unremarked', async () => {
  const changes = new PersonalChanges();
  const d = deferred();
  changes.track(d.promise, false);
  assert.equal(changes.view(), 'none');
  d.resolve();
  await d.promise;
  await Promise.resolve();
  assert.equal(changes.view(), 'none');
});
