/**
 * Demo content: the synthetic sources carry what the recipe promises (two audio languages plus
 * audio description, title text when a font exists), and the cached load is reused while the
 * recipe is unchanged and rebuilt when it changes. Two short titles keep this test quick; the
 * full dozen is the same code (`npm run demo-content`).
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseSeekPreviewTrack, titleManifest } from '@ifec/protocol';
import { verifyContentLoad } from '@ifec/protocol/node';
import HLS from 'hls-parser';
import sharp from 'sharp';
import { ensureDemoContent } from '../src/demo/ensure.ts';
import { DEMO_TITLES, type DemoTitle, demoMetadata } from '../src/demo/recipe.ts';
import { demoSourceArgs, findFont } from '../src/demo/sources.ts';
import { audioRenditionName, describeSource } from '../src/ingest/source.ts';
import { Ffmpeg } from '../src/tools/ffmpeg.ts';
import { tempDir } from './helpers.ts';

HLS.setOptions({ strictMode: true });
const work = tempDir('demo');
after(() => fs.rmSync(work, { recursive: true, force: true }));

const film = DEMO_TITLES.find((t) => t.audioDescription)!;
const song = DEMO_TITLES.find((t) => t.meta.kind === 'audio')!;
const short = (t: DemoTitle, durationS: number): DemoTitle => ({ ...t, durationS });

test('a demo film source has video, English, French and an English audio description', async () => {
  const ffmpeg = Ffmpeg.locate();
  fs.writeFileSync(path.join(work, 'title.txt'), film.titles.en);
  const out = path.join(work, 'film.mp4');
  const font = (await ffmpeg.hasFilter('drawtext')) ? findFont() : null;
  await ffmpeg.run(demoSourceArgs(short(film, 3), path.join(work, 'title.txt'), font, out), { purpose: 'test source' });
  const probe = await ffmpeg.probe(out);
  // The recipe says which stream is which; with Debian's ffmpeg the dispositions say it too.
  const named = describeSource(probe, demoMetadata(film), out);
  assert.deepEqual(named.video, { width: 640, height: 360, fps: 25 });
  assert.deepEqual(named.audio.map(audioRenditionName), ['en', 'fr', 'en-ad']);
  assert.ok(Math.abs(named.durationS - 3) < 0.1);
  if (ffmpeg.binaries.origin === 'system') {
    assert.deepEqual(
      describeSource(probe, { kind: 'movie', originalLanguage: 'en' }, out).audio.map(audioRenditionName),
      ['en', 'fr', 'en-ad'],
    );
  }
});

test('without a font the demo source still builds (a moving box instead of text)', async () => {
  const ffmpeg = Ffmpeg.locate();
  const out = path.join(work, 'no-font.mp4');
  const args = demoSourceArgs(short(film, 2), path.join(work, 'title.txt'), null, out);
  assert.equal(
    args.some((a) => a.includes('drawtext')),
    false,
  );
  await ffmpeg.run(args, { purpose: 'test source without font' });
  assert.ok((await ffmpeg.probe(out)).streams.some((s) => s.codec_type === 'video'));
});

test('ensureDemoContent builds a verifiable load once, reuses it, and rebuilds when the recipe changes', async () => {
  const cache = path.join(work, 'cache');
  const titles = [short(film, 4), short(song, 3)];
  const lines: string[] = [];
  const first = await ensureDemoContent(cache, (l) => lines.push(l), { titles });
  assert.equal(first.rebuilt, true);
  assert.deepEqual(first.titles, ['northern-lights', 'cruising-altitude-takeoff']);
  assert.deepEqual(await verifyContentLoad(first.loadDir, [first.publicKeyPem], new Date()), []);
  const manifest = titleManifest.parse(
    JSON.parse(fs.readFileSync(path.join(first.loadDir, 'packages/northern-lights/manifest.json'), 'utf8')),
  );
  assert.equal(manifest.rights, 'seatback-only');
  assert.deepEqual(Object.keys(manifest.titles).sort(), ['ar', 'de', 'en', 'es', 'fr', 'ja', 'zh']);
  assert.deepEqual(
    manifest.subtitleLanguages.map((s) => s.language),
    ['en', 'fr', 'de'],
  );
  assert.deepEqual(
    manifest.audioLanguages.map((a) => [a.language, a.audioDescription]),
    [
      ['en', false],
      ['fr', false],
      ['en', true],
    ],
  );
  const loadJson = fs.readFileSync(path.join(first.loadDir, 'load.json'), 'utf8');

  const second = await ensureDemoContent(cache, () => {}, { titles });
  assert.equal(second.rebuilt, false);
  assert.equal(
    fs.readFileSync(path.join(second.loadDir, 'load.json'), 'utf8'),
    loadJson,
    'the cached load is untouched',
  );

  const third = await ensureDemoContent(cache, () => {}, { titles: [short(song, 3)] });
  assert.equal(third.rebuilt, true);
  assert.equal(third.publicKeyPem, first.publicKeyPem, 'the demo trust key stays the same across rebuilds');
  assert.deepEqual(fs.readdirSync(path.join(third.loadDir, 'packages')), ['cruising-altitude-takeoff']);
  assert.deepEqual(fs.readdirSync(cache).sort(), ['load', 'recipe.json', 'trust']);
});

test('with the npm-shipped ffmpeg (no ffmpeg on PATH) the demo film builds with its three audio streams, and the log says once which ffmpeg', async () => {
  const fallback = Ffmpeg.locate({ PATH: '' });
  assert.equal(fallback.binaries.origin, 'npm-fallback');
  assert.match(fallback.binaries.ffmpeg, /@ffmpeg-installer/);
  const cache = path.join(work, 'fallback-cache');
  const lines: string[] = [];
  const demo = await ensureDemoContent(cache, (l) => lines.push(l), {
    titles: [short(film, 5), short(song, 3)],
    ffmpeg: fallback,
  });
  const told = lines.filter((l) => /ffmpeg/i.test(l) && /version/.test(l));
  assert.equal(told.length, 1, lines.join('\n'));
  assert.match(
    told[0]!,
    new RegExp(
      `npm fallback ${fallback.binaries.ffmpeg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(version ${await fallback.version()}`,
    ),
  );
  assert.deepEqual(await verifyContentLoad(demo.loadDir, [demo.publicKeyPem], new Date()), []);
  const pkg = path.join(demo.loadDir, 'packages/northern-lights');
  const manifest = titleManifest.parse(JSON.parse(fs.readFileSync(path.join(pkg, 'manifest.json'), 'utf8')));
  assert.equal(manifest.pipeline.ffmpeg, await fallback.version());
  assert.deepEqual(
    manifest.audioLanguages.map((a) => [a.language, a.audioDescription]),
    [
      ['en', false],
      ['fr', false],
      ['en', true],
    ],
  );
  const master = HLS.parse(fs.readFileSync(path.join(pkg, manifest.hls.master), 'utf8')) as HLS.types.MasterPlaylist;
  assert.deepEqual(
    master.variants[0]!.audio.map((a) => [a.name, a.characteristics]),
    [
      ['English', undefined],
      ['Français', undefined],
      ['English (AD)', 'public.accessibility.describes-video'],
    ],
  );
  for (const a of manifest.audioLanguages) {
    const playlist = HLS.parse(fs.readFileSync(path.join(pkg, a.playlist), 'utf8')) as HLS.types.MediaPlaylist;
    assert.equal(playlist.segments.length, 2, a.playlist);
  }
  // The 2018 build has every filter the seek preview needs: five pictures of 160x90 in one sheet.
  assert.equal(manifest.seekPreview?.count, 5);
  const sheet = await sharp(path.join(pkg, manifest.seekPreview.sheets[0]!)).metadata();
  assert.deepEqual([sheet.format, sheet.width, sheet.height], ['jpeg', 1600, 90]);
  assert.equal(parseSeekPreviewTrack(fs.readFileSync(path.join(pkg, manifest.seekPreview.track), 'utf8')).length, 5);
  const music = titleManifest.parse(
    JSON.parse(fs.readFileSync(path.join(demo.loadDir, 'packages/cruising-altitude-takeoff/manifest.json'), 'utf8')),
  );
  assert.equal(music.seekPreview, undefined, 'music has no seek preview');
});
