/**
 * The origin's fast path (origin.ts, loadFileFastPath: plain segment GETs on node:http before
 * express) on a real appliance over loopback: hot answers are byte for byte the installed file
 * with the same headers as a cold one, HEAD sends no body, what it does not take (other
 * methods, bad paths, playlists without a token) still gets express's JSON errors, a new load
 * retires the old load's files from memory, and with no segment cache every file streams
 * from disk.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  buildTestLoad,
  crewLogin,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  rawGet,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';

let work: string;
let signer: { privateKeyPem: string; publicKeyFile: string };
let loadDir: string;
let app: MediaTestAppliance;
const SEG = '/hls/fast-film/hls/video/v0/seg_00000.m4s';

async function install(target: MediaTestAppliance, dir: string): Promise<void> {
  const maintenance = await crewLogin(target, 'maintenance');
  const res = await fetch(`${target.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
    body: JSON.stringify({ path: dir }),
  });
  assert.equal(res.status, 201, await res.text());
}

before(async () => {
  work = mediaTempDir();
  const source = makeMediaSource(path.join(work, 'source'));
  signer = trustedSigner(work);
  loadDir = (
    await buildTestLoad({
      out: path.join(work, 'load'),
      source,
      privateKeyPem: signer.privateKeyPem,
      id: 'XA-FAST-1',
      titles: [{ id: 'fast-film' }],
    })
  ).dir;
  app = await startMediaAppliance({ IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile, IFEC_RTMP_PORT: '0' });
  await install(app, loadDir);
});

after(async () => {
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const installedFile = (rel: string) => fs.readFileSync(path.join(loadDir, 'packages', 'fast-film', rel));

test('a hot segment is the installed file byte for byte, with the same headers as the cold answer', async () => {
  const file = installedFile('hls/video/v0/seg_00000.m4s');
  const cold = await rawGet(app.httpPort, SEG);
  // The cold answer started the read into memory; give it a moment to land.
  await new Promise((r) => setTimeout(r, 50));
  const hot = await rawGet(app.httpPort, SEG);
  for (const res of [cold, hot]) {
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, file);
  }
  for (const name of [
    'content-type',
    'content-length',
    'etag',
    'cache-control',
    'accept-ranges',
    'x-content-type-options',
  ]) {
    assert.equal(hot.headers[name], cold.headers[name], name);
  }
  // Revalidation and ranges of a hot file keep their semantics.
  assert.equal((await rawGet(app.httpPort, SEG, { 'if-none-match': hot.headers.etag! })).status, 304);
  const part = await rawGet(app.httpPort, SEG, { range: 'bytes=10-19' });
  assert.equal(part.status, 206);
  assert.deepEqual(part.body, file.subarray(10, 20));
});

test('HEAD of a hot segment sends its length and no body', async () => {
  await rawGet(app.httpPort, SEG);
  const head = await fetch(`${app.url}${SEG}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), installedFile('hls/video/v0/seg_00000.m4s').length);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

test('what the fast path does not take still gets the JSON errors: other methods, bad paths, unknown files, playlists without a token', async () => {
  const post = await fetch(`${app.url}${SEG}`, { method: 'POST' });
  assert.equal(post.status, 404);
  assert.equal(((await post.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  const traversal = await rawGet(app.httpPort, '/hls/fast-film/hls/video/v0/%2e%2e/%2e%2e/%2e%2e/load.json');
  assert.equal(traversal.status, 400);
  assert.equal((JSON.parse(traversal.body.toString()) as { error: { code: string } }).error.code, 'BAD_MEDIA_PATH');
  const unknown = await rawGet(app.httpPort, '/hls/fast-film/hls/video/v0/seg_99999.m4s');
  assert.equal(unknown.status, 404);
  const playlist = await rawGet(app.httpPort, '/hls/fast-film/hls/video/v0/index.m3u8');
  assert.equal(playlist.status, 401);
  const forged = await rawGet(app.httpPort, '/hls/fast-film/hls/video/v0/index.m3u8?token=forged');
  assert.equal(forged.status, 401);
});

test('after a new load is installed, the files of the old load are gone from memory too', async () => {
  await rawGet(app.httpPort, SEG);
  const source = makeMediaSource(path.join(work, 'source-2'));
  const next = await buildTestLoad({
    out: path.join(work, 'load-2'),
    source,
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-FAST-2',
    titles: [{ id: 'other-film' }],
  });
  await install(app, next.dir);
  assert.equal((await rawGet(app.httpPort, SEG)).status, 404);
  const file = fs.readFileSync(path.join(next.dir, 'packages', 'other-film', 'hls', 'video', 'v0', 'seg_00000.m4s'));
  const res = await rawGet(app.httpPort, '/hls/other-film/hls/video/v0/seg_00000.m4s');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, file);
});

test('with no segment cache every file streams from disk, whole and in ranges', async () => {
  const uncached = await startMediaAppliance({
    IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile,
    IFEC_RTMP_PORT: '0',
    IFEC_ORIGIN_CACHE_MB: '0',
  });
  try {
    await install(uncached, loadDir);
    const file = installedFile('hls/video/v0/seg_00000.m4s');
    for (let i = 0; i < 3; i++) {
      const res = await rawGet(uncached.httpPort, SEG);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, file);
    }
    const part = await rawGet(uncached.httpPort, SEG, { range: 'bytes=-7' });
    assert.deepEqual(part.body, file.subarray(file.length - 7));
  } finally {
    await uncached.stop();
  }
});
