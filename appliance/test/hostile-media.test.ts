/**
 * A seatback-only title on the real origin: every file of it (subtitles, init section, segments)
 * answers only to a playback token, and its playlists hand the token on to each of them.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  basic,
  buildTestLoad,
  crewLogin,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';

let app: MediaTestAppliance;
let seatAuth: string;

before(async () => {
  const work = mediaTempDir();
  const source = makeMediaSource(path.join(work, 'source'));
  const signer = trustedSigner(work);
  const load = await buildTestLoad({
    out: path.join(work, 'load'),
    source,
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-HOSTILE-1',
    titles: [{ id: 'early-window', rights: 'seatback-only' }, { id: 'night-flight' }],
  });
  app = await startMediaAppliance({ IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile, IFEC_RTMP_PORT: '0' });
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
  await app.stop();
});

test("a seatback-only title's subtitles, init section and segments need the playback token", {
  timeout: 60_000,
}, async () => {
  for (const file of ['hls/subtitles/en/subs.vtt', 'hls/video/v0/init.mp4', 'hls/video/v0/seg_00000.m4s']) {
    const res = await fetch(`${app.url}/hls/early-window/${file}`);
    assert.equal(res.status, 401, `${file} without a token`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'PLAYBACK_TOKEN_REQUIRED');
  }
  const open = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: seatAuth },
    body: JSON.stringify({ titleId: 'early-window', device: 'seat' }),
  });
  assert.equal(open.status, 201, await open.clone().text());
  const { token } = (await open.json()) as { token: string };
  const t = encodeURIComponent(token);
  const subtitles = await (await fetch(`${app.url}/hls/early-window/hls/subtitles/en/index.m3u8?token=${t}`)).text();
  assert.ok(subtitles.includes(`subs.vtt?token=${t}`), subtitles);
  const vtt = await fetch(`${app.url}/hls/early-window/hls/subtitles/en/subs.vtt?token=${t}`);
  assert.equal(vtt.status, 200);
  assert.match(await vtt.text(), /Hello cabin/);
  const media = await (await fetch(`${app.url}/hls/early-window/hls/video/v0/index.m3u8?token=${t}`)).text();
  assert.ok(media.includes(`#EXT-X-MAP:URI="init.mp4?token=${t}"`), media);
  assert.ok(media.includes(`seg_00000.m4s?token=${t}`), media);
  assert.equal((await fetch(`${app.url}/hls/early-window/hls/video/v0/seg_00000.m4s?token=${t}`)).status, 200);
  // A token for another title does not open it.
  const other = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: seatAuth },
    body: JSON.stringify({ titleId: 'night-flight', device: 'seat' }),
  });
  const otherToken = encodeURIComponent(((await other.json()) as { token: string }).token);
  assert.equal((await fetch(`${app.url}/hls/early-window/hls/subtitles/en/subs.vtt?token=${otherToken}`)).status, 403);
  // An ordinary title's segments stay token-free (the hot path).
  assert.equal((await fetch(`${app.url}/hls/night-flight/hls/video/v0/seg_00000.m4s`)).status, 200);
});
