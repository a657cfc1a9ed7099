/**
 * Demo content: the synthetic sources carry what the recipe promises (two audio languages plus
 * audio description, title text when a font exists), and the cached load is reused while the
 * recipe is unchanged and rebuilt when it changes. Two short titles keep this test quick; the
 * full dozen is the same code (`npm run demo-content`).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { titleManifest } from '@ifec/protocol';
import { verifyContentLoad } from '@ifec/protocol/node';
import { ensureDemoContent } from '../src/demo/ensure.ts';
import { DEMO_TITLES, type DemoTitle } from '../src/demo/recipe.ts';
import { demoSourceArgs, findFont } from '../src/demo/sources.ts';
import { Ffmpeg } from '../src/tools/ffmpeg.ts';
import { describeSource, audioRenditionName } from '../src/ingest/source.ts';
import { tempDir } from './helpers.ts';

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
  const info = describeSource(await ffmpeg.probe(out), { kind: 'movie', originalLanguage: 'en' }, out);
  assert.deepEqual(info.video, { width: 640, height: 360, fps: 25 });
  assert.deepEqual(info.audio.map(audioRenditionName), ['en', 'fr', 'en-ad']);
  assert.ok(Math.abs(info.durationS - 3) < 0.1);
});

test('without a font the demo source still builds (a moving box instead of text)', async () => {
  const ffmpeg = Ffmpeg.locate();
  const out = path.join(work, 'no-font.mp4');
  const args = demoSourceArgs(short(film, 2), path.join(work, 'title.txt'), null, out);
  assert.equal(args.some((a) => a.includes('drawtext')), false);
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
  const manifest = titleManifest.parse(JSON.parse(fs.readFileSync(path.join(first.loadDir, 'packages/northern-lights/manifest.json'), 'utf8')));
  assert.equal(manifest.rights, 'seatback-only');
  assert.deepEqual(Object.keys(manifest.titles).sort(), ['ar', 'de', 'en', 'es', 'fr', 'ja', 'zh']);
  assert.deepEqual(manifest.subtitleLanguages.map((s) => s.language), ['en', 'fr', 'de']);
  assert.deepEqual(manifest.audioLanguages.map((a) => [a.language, a.audioDescription]), [['en', false], ['fr', false], ['en', true]]);
  const loadJson = fs.readFileSync(path.join(first.loadDir, 'load.json'), 'utf8');

  const second = await ensureDemoContent(cache, () => {}, { titles });
  assert.equal(second.rebuilt, false);
  assert.equal(fs.readFileSync(path.join(second.loadDir, 'load.json'), 'utf8'), loadJson, 'the cached load is untouched');

  const third = await ensureDemoContent(cache, () => {}, { titles: [short(song, 3)] });
  assert.equal(third.rebuilt, true);
  assert.equal(third.publicKeyPem, first.publicKeyPem, 'the demo trust key stays the same across rebuilds');
  assert.deepEqual(fs.readdirSync(path.join(third.loadDir, 'packages')), ['cruising-altitude-takeoff']);
  assert.deepEqual(fs.readdirSync(cache).sort(), ['load', 'recipe.json', 'trust']);
});
