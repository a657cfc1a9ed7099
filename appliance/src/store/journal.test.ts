import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { Journal } from './journal.ts';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'journal-')), 'journal.log');

async function readAll(file: string) {
  const out = [];
  for await (const r of Journal.read(file)) out.push(r);
  return out;
}

test('records come back in order with their sequence numbers, across a reopen', async () => {
  const file = tmp();
  const journal = await Journal.open(file, { groupCommitMs: 0 });
  const written = await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append('audit', `id-${i}`, { i })));
  assert.deepEqual(
    written.map((r) => r.seq),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  await journal.close();
  const reopened = await Journal.open(file);
  assert.equal(reopened.lastSeq, 50);
  assert.equal((await reopened.append('audit', 'next', {})).seq, 51);
  await reopened.close();
  const all = await readAll(file);
  assert.equal(all.length, 51);
  assert.deepEqual(all[7], { ...all[7], kind: 'audit', id: 'id-7', data: { i: 7 } });
});

test('a torn last line (a crash mid-write) is cut off at open; nothing before it is lost', async () => {
  const file = tmp();
  const journal = await Journal.open(file);
  await journal.append('audit', 'a', { n: 1 });
  await journal.append('audit', 'b', { n: 2 });
  await journal.close();
  const intact = fs.statSync(file).size;
  fs.appendFileSync(file, '1234abcd {"seq":3,"kind":"audit","id":"c","at":"x","da');
  const reopened = await Journal.open(file);
  assert.equal(reopened.lastSeq, 2);
  assert.equal(fs.statSync(file).size, intact);
  await reopened.append('audit', 'c', { n: 3 });
  await reopened.close();
  assert.deepEqual(
    (await readAll(file)).map((r) => r.id),
    ['a', 'b', 'c'],
  );
});

test('a line whose checksum does not match ends the readable journal there', async () => {
  const file = tmp();
  const journal = await Journal.open(file);
  await journal.append('audit', 'a', { n: 1 });
  await journal.append('audit', 'b', { n: 2 });
  await journal.close();
  const text = fs.readFileSync(file, 'utf8').replace('"n":2', '"n":9');
  fs.writeFileSync(file, text);
  assert.deepEqual(
    (await readAll(file)).map((r) => r.id),
    ['a'],
  );
});

test('group commit: many concurrent appends share few fdatasyncs and all resolve', async () => {
  const file = tmp();
  const journal = await Journal.open(file, { groupCommitMs: 5 });
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => journal.append('fault', `f${i}`, { i })));
  assert.equal(new Set(results.map((r) => r.seq)).size, 1000);
  await journal.close();
  assert.equal((await readAll(file)).length, 1000);
  await assert.rejects(journal.append('x', 'y', {}), /journal is closed/);
});

test('rotate starts a new segment; a reopen carries on the seqs; dropThrough removes only segments wholly at or before a seq', async () => {
  const file = tmp();
  const journal = await Journal.open(file, { groupCommitMs: 0 });
  for (let i = 1; i <= 10; i++) await journal.append('audit', `a${i}`, { i });
  await journal.rotate();
  await journal.rotate(); // nothing written since: no empty segment
  // appends made while a rotation waits go to the new segment, in order
  const [r11] = await Promise.all([journal.append('audit', 'a11', {}), journal.rotate()]);
  assert.equal(r11.seq, 11);
  for (let i = 12; i <= 20; i++) await journal.append('audit', `a${i}`, { i });
  await journal.rotate();
  await journal.append('audit', 'a21', {});
  assert.deepEqual(
    journal.segmentList.map((s) => s.firstSeq),
    [1, 11, 21],
  );
  assert.equal(journal.dropThrough(15), 1, 'only the segment 1–10 is wholly at or before 15');
  assert.equal(fs.existsSync(file), false);
  assert.equal(journal.dropThrough(1000), 1, 'the segment written to is never removed');
  await journal.close();
  const reopened = await Journal.open(file);
  assert.equal(reopened.lastSeq, 21);
  assert.equal((await reopened.append('audit', 'a22', {})).seq, 22);
  await reopened.close();
  assert.deepEqual(
    (await readAll(file)).map((r) => r.seq),
    [21, 22],
  );
  const after = [];
  for await (const r of Journal.read(file, 21)) after.push(r.seq);
  assert.deepEqual(after, [22]);
});

test('a rotation cut short after the new segment was created: the reopen carries on from the old one', async () => {
  const file = tmp();
  const journal = await Journal.open(file, { groupCommitMs: 0 });
  for (let i = 1; i <= 5; i++) await journal.append('audit', `a${i}`, {});
  await journal.close();
  fs.writeFileSync(`${file}.${String(6).padStart(16, '0')}`, '', { mode: 0o600 }); // created, nothing written
  const reopened = await Journal.open(file);
  assert.equal(reopened.lastSeq, 5);
  assert.equal((await reopened.append('audit', 'a6', {})).seq, 6);
  await reopened.close();
  assert.deepEqual(
    (await readAll(file)).map((r) => r.id),
    ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
  );
});
