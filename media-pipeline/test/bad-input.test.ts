/**
 * Bad input through the real CLI: one clear error naming the problem, a non-zero exit, and
 * nothing left behind that looks like a package.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MediaError } from '../src/errors.ts';
import { ingestTitle } from '../src/ingest/ingest.ts';
import { makeSource, runCli, tempDir, titleJson } from './helpers.ts';

let work: string;

before(() => {
  work = tempDir('bad');
  makeSource(path.join(work, 'good.mp4'), { durationS: 2, width: 320, height: 180, audio: ['eng'] });
  makeSource(path.join(work, 'music.m4a'), { durationS: 2, width: 0, height: 0, audio: ['eng'], video: false });
  fs.writeFileSync(path.join(work, 'title.json'), JSON.stringify(titleJson()));
  // A film whose bytes stop a third of the way in.
  const good = fs.readFileSync(path.join(work, 'good.mp4'));
  fs.writeFileSync(path.join(work, 'truncated.mp4'), good.subarray(0, Math.floor(good.length / 3)));
  fs.writeFileSync(path.join(work, 'garbage.mp4'), Buffer.alloc(4096, 0x5a));
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

function expectRefused(args: string[], code: string, mentions: RegExp): void {
  const r = runCli(args, work);
  assert.equal(r.code, 1, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error'));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, new RegExp(`^error \\[${code}\\]: `));
  assert.match(errors[0]!, mentions);
  assert.deepEqual(
    fs.readdirSync(work).filter((f) => f.startsWith('out') || f.startsWith('.out')),
    [],
    'nothing half-written',
  );
}

async function expectIngestRefused(source: string, meta: string, code: string, mentions: RegExp): Promise<void> {
  await assert.rejects(
    ingestTitle({ source: path.join(work, source), metaFile: path.join(work, meta), out: path.join(work, 'out') }),
    (e: unknown) => e instanceof MediaError && e.code === code && mentions.test(e.message),
  );
  assert.deepEqual(
    fs.readdirSync(work).filter((f) => f.startsWith('out') || f.startsWith('.out')),
    [],
    'nothing half-written',
  );
}

test('a source with no video stream', () => {
  expectRefused(
    ['ingest', 'music.m4a', '--meta', 'title.json', '--out', 'out'],
    'SOURCE_NO_VIDEO',
    /music\.m4a has no video stream/,
  );
});

test('a corrupt source: random bytes, and a truncated file', () => {
  expectRefused(['ingest', 'garbage.mp4', '--meta', 'title.json', '--out', 'out'], 'SOURCE_UNREADABLE', /garbage\.mp4/);
  expectRefused(
    ['ingest', 'truncated.mp4', '--meta', 'title.json', '--out', 'out'],
    '(SOURCE_UNREADABLE|FFMPEG_FAILED)',
    /truncated\.mp4/,
  );
});

test('metadata missing a required field, or with a wrong one', async () => {
  const { licence: _l, ...noLicence } = titleJson();
  fs.writeFileSync(path.join(work, 'no-licence.json'), JSON.stringify(noLicence));
  expectRefused(
    ['ingest', 'good.mp4', '--meta', 'no-licence.json', '--out', 'out'],
    'METADATA_MISSING',
    /no-licence\.json is missing required field licence/,
  );
  // The same checks without a process each (the CLI path is shown above).
  fs.writeFileSync(path.join(work, 'bad-rights.json'), JSON.stringify(titleJson({ rights: 'phones-too' })));
  await expectIngestRefused('good.mp4', 'bad-rights.json', 'METADATA_INVALID', /rights/);
  fs.writeFileSync(path.join(work, 'episode.json'), JSON.stringify(titleJson({ kind: 'episode' })));
  await expectIngestRefused('good.mp4', 'episode.json', 'METADATA_MISSING', /series/);
});

test('a subtitle file that does not exist, a source that does not exist, an unknown command', async () => {
  fs.writeFileSync(
    path.join(work, 'subs.json'),
    JSON.stringify(titleJson({ sources: { subtitles: [{ language: 'fr', file: 'nope.srt' }] } })),
  );
  await expectIngestRefused('good.mp4', 'subs.json', 'SIDECAR_MISSING', /nope\.srt/);
  await expectIngestRefused('missing.mp4', 'title.json', 'SOURCE_MISSING', /missing\.mp4/);
  const r = runCli(['fly'], work);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command fly/);
});

test('a good source makes a package with a summary; a second run refuses to overwrite it', () => {
  const r = runCli(['ingest', 'good.mp4', '--meta', 'title.json', '--out', 'pkg', '--ladder', 'compact'], work);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /package test-flight \(movie\)/);
  // A 320x180 source: no rung above its size (360p, 270p, 216p), one at its size, then the phone rung.
  assert.match(r.stdout, /video 180p, phone-144p; audio en; subtitles none/);
  assert.match(r.stderr, /transcode: done in/);
  const again = runCli(['ingest', 'good.mp4', '--meta', 'title.json', '--out', 'pkg'], work);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /error \[OUTPUT_EXISTS\]: pkg already exists/);
});
