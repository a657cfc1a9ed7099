/**
 * Seek preview on the real ffmpeg: a 23-second title gets one picture a second tiled into a
 * JPEG sheet of the size the manifest says, and each cell of the sheet is the frame at its
 * cue's start (compared with frames ffmpeg grabs from the source on its own); the filter
 * fills several sheets in order when there are more pictures than one sheet holds.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseSeekPreviewTrack, type SeekPreviewCue, type TitleManifest } from '@ifec/protocol';
import sharp from 'sharp';
import { ingestTitle } from '../src/ingest/ingest.ts';
import { seekPreviewCues, seekPreviewLayout } from '../src/ingest/seek-preview.ts';
import { seekPreviewFilter, seekPreviewOutputArgs } from '../src/tools/ffmpeg-commands.ts';
import { binaries, makeSource, tempDir, titleJson } from './helpers.ts';

const work = tempDir('seek-preview');
let source: string;
let pkg: string;
let manifest: TitleManifest;

before(async () => {
  source = makeSource(path.join(work, 'film.mp4'), { durationS: 23, width: 640, height: 360, audio: ['eng'] });
  fs.writeFileSync(path.join(work, 'film.json'), JSON.stringify(titleJson({ id: 'preview-film' })));
  pkg = path.join(work, 'pkg');
  ({ manifest } = await ingestTitle({
    source,
    metaFile: path.join(work, 'film.json'),
    out: pkg,
    ladder: 'compact',
  }));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Raw RGB of a picture, 160x90. */
async function pixels(input: string | Buffer, crop?: SeekPreviewCue): Promise<Buffer> {
  let img = sharp(input);
  if (crop) img = img.extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height });
  return img.resize(160, 90, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** The source's frame at `t`, as ffmpeg decodes it on its own (accurate seek, output side). */
function frameAt(t: number): Buffer {
  return execFileSync(binaries.ffmpeg, [
    '-v',
    'error',
    '-i',
    source,
    '-ss',
    t.toFixed(3),
    '-frames:v',
    '1',
    '-vf',
    'scale=160:90',
    '-f',
    'image2pipe',
    '-c:v',
    'png',
    '-',
  ]);
}

test('the manifest records one 160x90 picture a second in one sheet, and the sheet is that size', async () => {
  assert.deepEqual(manifest.seekPreview, {
    track: 'seek-preview/thumbnails.vtt',
    intervalS: 1,
    width: 160,
    height: 90,
    count: 23,
    sheets: ['seek-preview/sheet-001.jpg'],
  });
  const sheet = path.join(pkg, 'seek-preview', 'sheet-001.jpg');
  const meta = await sharp(sheet).metadata();
  // Ten across, three rows for 23 pictures.
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1600, 270]);
  const listed = manifest.files.map((f) => f.path);
  assert.ok(listed.includes('seek-preview/sheet-001.jpg') && listed.includes('seek-preview/thumbnails.vtt'));
  assert.equal(fs.readdirSync(path.join(pkg, 'seek-preview')).length, 2, 'no stray sheet beside the one listed');
});

test('the track has a cue per second pointing at its cell, the last one ending with the title', () => {
  const cues = parseSeekPreviewTrack(fs.readFileSync(path.join(pkg, 'seek-preview', 'thumbnails.vtt'), 'utf8'));
  assert.equal(cues.length, 23);
  assert.deepEqual(cues[0], { startS: 0, endS: 1, image: 'sheet-001.jpg', x: 0, y: 0, width: 160, height: 90 });
  assert.deepEqual(cues[13], { startS: 13, endS: 14, image: 'sheet-001.jpg', x: 480, y: 90, width: 160, height: 90 });
  const last = cues[22]!;
  assert.deepEqual([last.startS, last.x, last.y], [22, 320, 180]);
  assert.ok(
    Math.abs(last.endS - manifest.durationS) < 0.01,
    `${last.endS} ends with the title (${manifest.durationS})`,
  );
});

test("each cell is the source's frame at its cue's start, not one half an interval later", async () => {
  const cues = parseSeekPreviewTrack(fs.readFileSync(path.join(pkg, 'seek-preview', 'thumbnails.vtt'), 'utf8'));
  const sheet = fs.readFileSync(path.join(pkg, 'seek-preview', 'sheet-001.jpg'));
  for (const k of [0, 7, 13, 22]) {
    const cell = await pixels(sheet, cues[k]);
    const right = meanDifference(cell, await pixels(frameAt(cues[k]!.startS)));
    const late = meanDifference(cell, await pixels(frameAt(cues[k]!.startS + 0.5)));
    // What is left is JPEG's loss: about 6 of 255 on this pattern.
    assert.ok(right < 10, `cell ${k} is the frame at ${cues[k]!.startS} s (mean difference ${right.toFixed(2)})`);
    assert.ok(right < late / 2, `cell ${k}: ${right.toFixed(2)} against ${late.toFixed(2)} half a second later`);
  }
});

test('more pictures than a sheet holds fill several sheets in order, the spare cells of the last black', async () => {
  // Small cells so a few seconds make three sheets: 10 pictures, 4 a sheet.
  const layout = { ...seekPreviewLayout(10), width: 32, height: 18, columns: 2, rows: 2 };
  layout.intervalS = 1;
  layout.count = 10;
  const dir = path.join(work, 'sheets');
  fs.mkdirSync(dir);
  execFileSync(binaries.ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    source,
    '-t',
    '10',
    '-filter_complex',
    `[0:v:0]${seekPreviewFilter(layout)}[preview]`,
    ...seekPreviewOutputArgs('[preview]', dir),
  ]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['sheet-001.jpg', 'sheet-002.jpg', 'sheet-003.jpg']);
  for (const name of fs.readdirSync(dir)) {
    const meta = await sharp(path.join(dir, name)).metadata();
    assert.deepEqual([meta.width, meta.height], [64, 36], name);
  }
  const cues = seekPreviewCues(
    { ...layout, sheets: ['seek-preview/sheet-001.jpg', 'seek-preview/sheet-002.jpg', 'seek-preview/sheet-003.jpg'] },
    10,
  );
  // Picture 6 is sheet 2's third cell (second row, first column): the frame at 6 s.
  assert.deepEqual([cues[6]!.image, cues[6]!.x, cues[6]!.y], ['sheet-002.jpg', 0, 18]);
  const small = async (input: string | Buffer, c?: SeekPreviewCue) => {
    let img = sharp(input);
    if (c) img = img.extract({ left: c.x, top: c.y, width: c.width, height: c.height });
    return img.resize(32, 18, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  };
  const cell = await small(path.join(dir, 'sheet-002.jpg'), cues[6]);
  assert.ok(meanDifference(cell, await small(frameAt(6))) < meanDifference(cell, await small(frameAt(4))));
  // Sheet 3 holds pictures 8 and 9; its second row is empty.
  const spare = await sharp(path.join(dir, 'sheet-003.jpg'))
    .extract({ left: 0, top: 18, width: 64, height: 18 })
    .greyscale()
    .raw()
    .toBuffer();
  const mean = spare.reduce((a, b) => a + b, 0) / spare.length;
  assert.ok(mean < 4, `the spare cells are black (mean ${mean.toFixed(2)}; JPEG rings a little at the edge)`);
});

test('the interval keeps a two-hour film small and a short clip fine-grained', () => {
  const film = seekPreviewLayout(2 * 3600);
  assert.deepEqual(
    [film.intervalS, film.count, film.rows, film.sheets.length, film.sheets.at(-1)],
    [10, 720, 10, 8, 'seek-preview/sheet-008.jpg'],
  );
  const cues = seekPreviewCues(film, 2 * 3600);
  assert.deepEqual([cues[100]!.image, cues[100]!.x, cues[100]!.y], ['sheet-002.jpg', 0, 0]);
  assert.deepEqual([cues[719]!.image, cues[719]!.x, cues[719]!.y, cues[719]!.endS], ['sheet-008.jpg', 1440, 90, 7200]);
  assert.deepEqual([seekPreviewLayout(30).intervalS, seekPreviewLayout(30).count], [1, 30]);
  assert.deepEqual([seekPreviewLayout(300).intervalS, seekPreviewLayout(300).count], [5, 60]);
  // Exactly on a mark: no picture at the very end.
  assert.equal(seekPreviewLayout(20).count, 20);
});
