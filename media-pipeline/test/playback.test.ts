/**
 * Packages as an independent player sees them: hls.js in Debian's Chromium plays a film made
 * from a 720x405 source and an audio-only title straight from `ingest` output (served over
 * loopback, the key at its /api/keys/<keyId> URI), both past their first segment, with one key
 * tag and no IV in the playlists. (hls.js shrugs off a wrong CBC IV, which garbles only a
 * segment's first 16 bytes; ingest.test.ts checks the IVs byte for byte.)
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KEY_URI_PREFIX } from '@ifec/protocol';
import { type Browser, chromium } from 'playwright-core';
import { ingestTitle } from '../src/ingest/ingest.ts';
import { makeSource, tempDir, titleJson } from './helpers.ts';

const work = tempDir('playback');
const HLS_JS = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/mp4',
  '.mp4': 'video/mp4',
  '.html': 'text/html',
};
let server: http.Server;
let base: string;
let browser: Browser;
const keys = new Map<string, Buffer>();

before(async () => {
  const film = makeSource(path.join(work, 'film.mp4'), {
    durationS: 9,
    width: 720,
    height: 405,
    audio: ['eng', 'fra'],
  });
  const song = makeSource(path.join(work, 'song.m4a'), {
    durationS: 9,
    width: 0,
    height: 0,
    video: false,
    audio: ['eng'],
  });
  const album = { id: 'an-album', titles: { en: 'An Album' }, artist: 'The Testers', track: 1 };
  for (const [id, source, meta] of [
    ['small-film', film, titleJson({ id: 'small-film' })],
    ['a-song', song, titleJson({ id: 'a-song', kind: 'audio', album })],
  ] as const) {
    const result = await ingestTitle({
      source,
      metadata: meta as never,
      out: path.join(work, 'pkg', id),
      ladder: 'standard',
    });
    keys.set(result.manifest.keyId, fs.readFileSync(result.keyFile));
  }
  fs.writeFileSync(
    path.join(work, 'pkg', 'player.html'),
    '<!doctype html><html><body><video muted playsinline></video></body></html>',
  );
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith(KEY_URI_PREFIX)) {
      const key = keys.get(url.pathname.slice(KEY_URI_PREFIX.length));
      res.writeHead(key ? 200 : 404).end(key);
      return;
    }
    const file = path.join(work, 'pkg', path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(path.join(work, 'pkg')) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
      .end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

interface Played {
  reached: number;
  heights: number[];
  audioTracks: string[];
  errors: string[];
}

interface PlayerWindow {
  playTo(src: string, untilS: number, audioTrack?: number): Promise<Played>;
}

/** hls.js plays `src` until `untilS` s (or 30 s pass, or a fatal error): what it saw. */
const PLAYER_JS = `
window.playTo = (src, untilS, audioTrack) => new Promise((resolve) => {
  const video = document.querySelector('video');
  const hls = new Hls({ enableWorker: false });
  const errors = [];
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    resolve({ reached: video.currentTime, heights: hls.levels.map((l) => l.height), audioTracks: hls.audioTracks.map((t) => t.lang || ''), errors });
    hls.destroy();
  };
  hls.on(Hls.Events.ERROR, (_e, d) => { errors.push((d.fatal ? 'fatal ' : '') + d.details); if (d.fatal) done(); });
  hls.on(Hls.Events.MANIFEST_PARSED, () => { if (audioTrack !== undefined) hls.audioTrack = audioTrack; video.play(); });
  video.addEventListener('timeupdate', () => { if (video.currentTime >= untilS) done(); });
  setTimeout(done, 30000);
  hls.loadSource(src);
  hls.attachMedia(video);
});`;

/** Plays a master playlist in hls.js until `untilS` seconds (or 30 s pass); what hls.js saw. */
async function play(master: string, untilS: number, audioTrack?: number): Promise<Played> {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/player.html`);
    await page.addScriptTag({ path: HLS_JS });
    await page.addScriptTag({ content: PLAYER_JS });
    // The player is plain JS in the page: functions compiled by tsx would carry helpers the page lacks.
    return await page.evaluate(
      ({ src, untilS, audioTrack }) => (window as unknown as PlayerWindow).playTo(src, untilS, audioTrack),
      {
        src: `${base}/${master}`,
        untilS,
        audioTrack,
      },
    );
  } finally {
    await page.close();
  }
}

test('hls.js plays the 720x405 film past its first segment, in French too; its ladder has no rung above 404 lines', async () => {
  const played = await play('small-film/hls/master.m3u8', 5);
  assert.deepEqual(
    played.errors.filter((e) => e.startsWith('fatal')),
    [],
    played.errors.join(', '),
  );
  assert.ok(played.reached >= 5, `played to ${played.reached} s`);
  assert.deepEqual(
    [...played.heights].sort((a, b) => b - a),
    [404, 270],
    'hls.js lists levels by bandwidth; heights are what matter',
  );
  assert.deepEqual(played.audioTracks, ['en', 'fr']);
  const french = await play('small-film/hls/master.m3u8', 5, 1);
  assert.deepEqual(
    french.errors.filter((e) => e.startsWith('fatal')),
    [],
    french.errors.join(', '),
  );
  assert.ok(french.reached >= 5, `played in French to ${french.reached} s`);
});

test('hls.js plays the audio-only title past its first segment from a master that names its playlist once', async () => {
  const played = await play('a-song/hls/master.m3u8', 5);
  assert.deepEqual(
    played.errors.filter((e) => e.startsWith('fatal')),
    [],
    played.errors.join(', '),
  );
  assert.ok(played.reached >= 5, `played to ${played.reached} s`);
  assert.deepEqual(played.audioTracks, ['en']);
});
