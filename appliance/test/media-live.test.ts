/**
 * Live channels end to end: ffmpeg pushes RTMP (lavfi testsrc + sine, real time) into the
 * appliance's node-media-server ingest; the appliance remuxes it to HLS; a seat reads the
 * playlist growing through the origin; the window is removed when the publisher leaves.
 * A publisher with a wrong stream key is refused.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import HLS from 'hls-parser';
import {
  basic,
  crewLogin,
  FFMPEG,
  FFPROBE,
  type MediaTestAppliance,
  mediaTempDir,
  startMediaAppliance,
} from './media-support.ts';

let app: MediaTestAppliance;
let work: string;
const publishers: ChildProcess[] = [];

before(async () => {
  work = mediaTempDir();
  app = await startMediaAppliance({
    IFEC_RTMP_PORT: '0',
    IFEC_LIVE_RECONNECT_GRACE_S: '1',
    IFEC_LIVE_CHANNELS: 'welcome,news',
  });
});

after(async () => {
  for (const p of publishers) if (p.exitCode === null) p.kill('SIGKILL');
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function publish(url: string, seconds: number): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(
    FFMPEG,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x90:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100',
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-g',
      '25',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-f',
      'flv',
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  publishers.push(child);
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function channel(id: string): Promise<{ state: string; playlistReady: boolean }> {
  const catalog = (await (await fetch(`${app.url}/api/catalog`)).json()) as {
    channels: Array<{ id: string; state: string; playlistReady: boolean }>;
  };
  return catalog.channels.find((c) => c.id === id)!;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a publisher with a wrong stream key is refused and the channel stays off air', async () => {
  const maintenance = await crewLogin(app, 'maintenance');
  const { channels } = (await (
    await fetch(`${app.url}/api/crew/live-channels`, { headers: { authorization: `Bearer ${maintenance}` } })
  ).json()) as { channels: Array<{ id: string; ingest: string }> };
  const ingest = channels.find((c) => c.id === 'welcome')!.ingest;
  const wrong = ingest.replace(/key=[^&]+/, 'key=not-the-key');
  const { exited } = publish(wrong, 3);
  assert.notEqual(await exited, 0, 'ffmpeg cannot publish');
  assert.equal((await channel('welcome')).state, 'off-air');
  const unknown = publish(ingest.replace('/live/welcome', '/live/pirate'), 3);
  assert.notEqual(await unknown.exited, 0);
  const cabin = await fetch(`${app.url}/api/crew/live-channels`, {
    headers: { authorization: `Bearer ${await crewLogin(app, 'cabin_crew')}` },
  });
  assert.equal(cabin.status, 403, 'stream keys are for maintenance and the purser');
});

test('a pushed RTMP stream becomes an HLS window that grows, served by the origin, removed when the publisher leaves', async () => {
  const maintenance = await crewLogin(app, 'maintenance');
  const { channels } = (await (
    await fetch(`${app.url}/api/crew/live-channels`, { headers: { authorization: `Bearer ${maintenance}` } })
  ).json()) as { channels: Array<{ id: string; ingest: string }> };
  const ingest = channels.find((c) => c.id === 'welcome')!.ingest;
  assert.match(ingest, /^rtmp:\/\/[^/]+:\d+\/live\/welcome\?key=/);
  const publisher = publish(ingest.replace(/^rtmp:\/\/[^:/]+/, 'rtmp://127.0.0.1'), 12);

  await until('on air', async () => (await channel('welcome')).state === 'on-air');
  const seatId = Object.keys(app.credentials.seats)[0]!;
  const open = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: basic(`seat:${seatId}`, app.credentials.seats[seatId]!),
    },
    body: JSON.stringify({ channel: 'welcome', device: 'seat' }),
  });
  assert.equal(open.status, 201);
  const { url } = (await open.json()) as { url: string };
  assert.match(url, /^\/hls\/live\/welcome\/index\.m3u8\?token=/);
  assert.equal(
    (await fetch(`${app.url}/hls/live/welcome/index.m3u8`)).status,
    401,
    'live playlists need the token too',
  );

  HLS.setOptions({ strictMode: false });
  const read = async () => {
    const res = await fetch(`${app.url}${url}`);
    if (res.status !== 200) return undefined;
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const playlist = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
    return playlist.segments.length > 0 ? playlist : undefined;
  };
  const first = await until('the first live playlist', read);
  const firstLast = (first.mediaSequenceBase ?? 0) + first.segments.length;
  const later = await until('the playlist to grow', async () => {
    const p = await read();
    return p && (p.mediaSequenceBase ?? 0) + p.segments.length > firstLast ? p : undefined;
  });
  assert.ok(later.segments.every((s) => s.duration > 0 && s.duration < 6));
  assert.ok(!later.endlist, 'a live window has no end');

  const segUri = later.segments.at(-1)!.uri;
  const seg = await fetch(`${app.url}/hls/live/welcome/${segUri}`);
  assert.equal(seg.status, 200);
  assert.equal(seg.headers.get('content-type'), 'video/mp2t');
  const segFile = path.join(work, 'live.ts');
  fs.writeFileSync(segFile, Buffer.from(await seg.arrayBuffer()));
  const codecs = execFileSync(FFPROBE, [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name',
    '-of',
    'csv=p=0',
    segFile,
  ]).toString();
  assert.match(codecs, /h264/, "remuxed, not re-encoded: still the publisher's H.264");
  assert.match(codecs, /aac/);

  assert.equal(await publisher.exited, 0, 'the publisher streamed to the end');
  await until('off air', async () => (await channel('welcome')).state === 'off-air', 20_000);
  assert.ok(!fs.existsSync(path.join(app.dataDir, 'live', 'welcome')), 'the window is removed');
  assert.equal((await fetch(`${app.url}${url}`)).status, 404);
});
