/**
 * Seek preview on a real appliance over loopback: the playback grant names the track when the
 * title has one (and not when it was packaged before), the track and its sheet are served like
 * the title's other files, and a seatback-only title's track and sheet answer only to that
 * title's session, the track handing the token on to its sheet.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type PlaybackGrant, parseSeekPreviewTrack } from '@ifec/protocol';
import {
  basic,
  buildTestLoad,
  crewLogin,
  FFPROBE,
  type MediaSource,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';

let work: string;
let source: MediaSource;
let app: MediaTestAppliance;
let seatAuth: string;

before(async () => {
  work = mediaTempDir();
  source = makeMediaSource(path.join(work, 'source'), { seekPreview: true });
  const signer = trustedSigner(work);
  const load = await buildTestLoad({
    out: path.join(work, 'load'),
    source,
    privateKeyPem: signer.privateKeyPem,
    titles: [
      { id: 'night-flight' },
      { id: 'early-window', rights: 'seatback-only' },
      { id: 'old-film', seekPreview: false },
    ],
  });
  app = await startMediaAppliance({ IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile });
  const maintenance = await crewLogin(app, 'maintenance');
  const res = await fetch(`${app.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
    body: JSON.stringify({ path: load.dir }),
  });
  assert.equal(res.status, 201, await res.text());
  const seatId = Object.keys(app.credentials.seats)[0]!;
  seatAuth = basic(`seat:${seatId}`, app.credentials.seats[seatId]!);
});

after(async () => {
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function grant(titleId: string): Promise<PlaybackGrant> {
  const res = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: seatAuth },
    body: JSON.stringify({ titleId, device: 'seat' }),
  });
  assert.equal(res.status, 201);
  return (await res.json()) as PlaybackGrant;
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

/** Width and height of a picture as ffprobe reads the bytes served. */
function dimensions(bytes: Buffer): string {
  const file = path.join(work, `probe-${Date.now()}.jpg`);
  fs.writeFileSync(file, bytes);
  return execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', file], {
    encoding: 'utf8',
  }).trim();
}

test('the grant names the seek preview track, which is served with its sheet like the title’s images', async () => {
  const g = await grant('night-flight');
  assert.equal(g.seekPreview, `/hls/night-flight/seek-preview/thumbnails.vtt?token=${g.token}`);
  const track = await fetch(new URL(g.seekPreview!, app.url));
  assert.equal(track.status, 200);
  assert.match(track.headers.get('content-type') ?? '', /^text\/vtt/);
  const cues = parseSeekPreviewTrack(await track.text());
  assert.deepEqual(
    cues.map((c) => [c.startS, c.endS, c.image, c.x, c.y]),
    [
      [0, 1, 'sheet-001.jpg', 0, 0],
      [1, 2, 'sheet-001.jpg', 160, 0],
      [2, 3, 'sheet-001.jpg', 320, 0],
      [3, 4, 'sheet-001.jpg', 480, 0],
    ],
  );
  // Resolved against the track's URL, as a player does; an open title's sheet needs no token.
  const sheetUrl = new URL(cues[0]!.image, new URL(g.seekPreview!, app.url));
  assert.equal(sheetUrl.pathname, '/hls/night-flight/seek-preview/sheet-001.jpg');
  const sheet = await fetch(`${app.url}${sheetUrl.pathname}`);
  assert.equal(sheet.status, 200);
  assert.equal(sheet.headers.get('content-type'), 'image/jpeg');
  const bytes = Buffer.from(await sheet.arrayBuffer());
  assert.deepEqual(bytes, fs.readFileSync(path.join(source.dir, 'seek-preview', 'sheet-001.jpg')));
  assert.equal(dimensions(bytes), '1600x90', 'ten cells across, one row');
});

test('a title packaged before seek previews plays as before: its grant names none', async () => {
  const g = await grant('old-film');
  assert.equal('seekPreview' in g, false);
  assert.match(g.url, /^\/hls\/old-film\/hls\/master\.m3u8\?token=/);
});

test("a seatback-only title's track and sheet answer only to its session; the track hands the token on", async () => {
  const g = await grant('early-window');
  const trackPath = '/hls/early-window/seek-preview/thumbnails.vtt';
  const sheetPath = '/hls/early-window/seek-preview/sheet-001.jpg';
  for (const p of [trackPath, sheetPath]) {
    const bare = await fetch(`${app.url}${p}`);
    assert.equal(bare.status, 401, p);
    assert.equal(await errorCode(bare), 'PLAYBACK_TOKEN_REQUIRED');
    const other = await fetch(`${app.url}${p}?token=${encodeURIComponent((await grant('night-flight')).token)}`);
    assert.equal(other.status, 403, p);
    assert.equal(await errorCode(other), 'PLAYBACK_TOKEN_WRONG_TITLE');
  }
  assert.equal(g.seekPreview, `${trackPath}?token=${g.token}`);
  const track = await fetch(new URL(g.seekPreview!, app.url));
  assert.equal(track.status, 200);
  assert.match(track.headers.get('cache-control') ?? '', /^private/, 'a track with a token in it is not shared');
  const cues = parseSeekPreviewTrack(await track.text());
  assert.equal(cues.length, 4);
  for (const c of cues) assert.equal(c.image, `sheet-001.jpg?token=${encodeURIComponent(g.token)}`);
  const sheet = await fetch(new URL(cues[2]!.image, new URL(g.seekPreview!, app.url)));
  assert.equal(sheet.status, 200);
  assert.equal(dimensions(Buffer.from(await sheet.arrayBuffer())), '1600x90');
});
