/**
 * nginx in front of the load files (media/nginx-origin.ts), on a real appliance over loopback
 * with the real nginx: a seat's playlists name the files on nginx's port and they come back
 * byte for byte; a seatback-only title asked for there is refused without its token (401) or
 * with another title's (403), as at Node's port; nginx is gone once the appliance stops; and
 * with no nginx on PATH, or one that cannot start, the Node origin serves everything.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import HLS from 'hls-parser';
import { findNginx } from '../src/media/nginx-origin.ts';
import { spawnAppliance } from './child-appliance.ts';
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

const nginx = findNginx('auto');
const skip = nginx ? false : 'nginx is not on PATH (apt-get install nginx-light)';

let work: string;
let signer: { privateKeyPem: string; publicKeyFile: string };
let loadDir: string;
let app: MediaTestAppliance;

before(async () => {
  work = mediaTempDir();
  signer = trustedSigner(work);
  loadDir = (
    await buildTestLoad({
      out: path.join(work, 'load'),
      source: makeMediaSource(path.join(work, 'source')),
      privateKeyPem: signer.privateKeyPem,
      id: 'XA-NGINX-1',
      titles: [{ id: 'night-flight' }, { id: 'early-window', rights: 'seatback-only' }],
    })
  ).dir;
  app = await start({});
});

after(async () => {
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<MediaTestAppliance> {
  const started = await startMediaAppliance({
    IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile,
    IFEC_RTMP_PORT: '0',
    IFEC_ORIGIN_NGINX: 'auto',
    ...env,
  });
  const maintenance = await crewLogin(started, 'maintenance');
  const res = await fetch(`${started.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
    body: JSON.stringify({ path: loadDir }),
  });
  assert.equal(res.status, 201, await res.text());
  return started;
}

async function play(target: MediaTestAppliance, titleId: string): Promise<{ url: string; token: string }> {
  const [seatId, secret] = Object.entries(target.credentials.seats)[0]!;
  const res = await fetch(`${target.url}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(`seat:${seatId}`, secret) },
    body: JSON.stringify({ titleId, device: 'seat' }),
  });
  assert.equal(res.status, 201);
  return (await res.json()) as { url: string; token: string };
}

/** Every file URL a player follows from the master: media segments, init sections, subtitles. */
async function fileUrls(target: MediaTestAppliance, titleId: string): Promise<URL[]> {
  const grant = await play(target, titleId);
  const masterUrl = new URL(grant.url, target.url);
  const master = HLS.parse(await (await fetch(masterUrl)).text()) as HLS.types.MasterPlaylist;
  const playlists = [
    ...master.variants.map((v) => v.uri),
    ...master.variants.flatMap((v) => [...v.audio, ...v.subtitles].map((r) => r.uri!)),
  ];
  const urls = new Map<string, URL>();
  for (const uri of playlists) {
    const playlistUrl = new URL(uri, masterUrl);
    const res = await fetch(playlistUrl);
    assert.equal(res.status, 200);
    const media = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
    for (const s of media.segments) {
      for (const u of [s.uri, s.map?.uri]) if (u) urls.set(new URL(u, playlistUrl).href, new URL(u, playlistUrl));
    }
  }
  return [...urls.values()];
}

const installed = (url: URL) => {
  const [, , titleId, ...rest] = url.pathname.split('/');
  return fs.readFileSync(path.join(loadDir, 'packages', titleId!, ...rest));
};

test('a seat plays the files from nginx: byte for byte the installed files, with their types and caching', {
  skip,
}, async () => {
  const urls = await fileUrls(app, 'night-flight');
  assert.ok(urls.length >= 3);
  const nginxPort = Number(urls[0]!.port);
  assert.notEqual(nginxPort, app.httpPort);
  // The load was installed just now: until nginx's new workers read the map (SIGHUP), Node answers for it.
  const ownEtag = /^"[0-9a-f]+-[0-9a-f]+"$/;
  for (let i = 0; !ownEtag.test((await fetch(urls[0]!, { method: 'HEAD' })).headers.get('etag') ?? ''); i++) {
    assert.ok(i < 100, 'nginx reads the new load within 5 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  let subtitles = 0;
  for (const url of urls) {
    assert.equal(url.origin, `http://127.0.0.1:${nginxPort}`, url.href);
    assert.equal(url.search, '', 'token-free');
    const res = await fetch(url);
    assert.equal(res.status, 200, url.href);
    assert.equal(res.headers.get('server'), 'nginx');
    // The player's page is on Node's port: without this header the browser refuses the file.
    assert.equal(res.headers.get('access-control-allow-origin'), '*', url.href);
    // Served from nginx's map, not handed on to Node (a proxied answer says "server: nginx" too):
    // nginx's own ETag is "<mtime>-<size>" in hex, Node's a content hash.
    assert.match(res.headers.get('etag') ?? '', ownEtag, `nginx itself serves ${url.pathname}`);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), installed(url), url.href);
    // The same type and caching as Node gives the same file.
    const node = await fetch(`${app.url}${url.pathname}`);
    await node.arrayBuffer();
    for (const name of ['content-type', 'cache-control', 'x-content-type-options', 'content-length'])
      assert.equal(res.headers.get(name), node.headers.get(name), `${name} of ${url.pathname}`);
    if (url.pathname.endsWith('.vtt')) subtitles++;
  }
  assert.ok(subtitles > 0, 'subtitles come from nginx too');
  const ranged = await fetch(urls.at(-1)!, { headers: { range: 'bytes=0-9' } });
  assert.equal(ranged.status, 206);
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), installed(urls.at(-1)!).subarray(0, 10));
});

test('through nginx, a seatback-only title still needs its own token on every file', { skip }, async () => {
  const filmUrls = await fileUrls(app, 'night-flight');
  const nginxBase = filmUrls[0]!.origin;
  const restrictedUrls = await fileUrls(app, 'early-window');
  assert.ok(restrictedUrls.length >= 3);
  const own = (await play(app, 'early-window')).token;
  const other = (await play(app, 'night-flight')).token;
  for (const url of restrictedUrls) {
    // Its playlists keep naming Node's port, with the token on every file.
    assert.equal(url.origin, app.url);
    assert.ok(url.searchParams.get('token'));
    const viaNginx = `${nginxBase}${url.pathname}`;
    const missing = await fetch(viaNginx);
    assert.equal(missing.status, 401, viaNginx);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'PLAYBACK_TOKEN_REQUIRED');
    const wrong = await fetch(`${viaNginx}?token=${encodeURIComponent(other)}`);
    assert.equal(wrong.status, 403);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'PLAYBACK_TOKEN_WRONG_TITLE');
    const right = await fetch(`${viaNginx}?token=${encodeURIComponent(own)}`);
    assert.equal(right.status, 200);
    assert.deepEqual(Buffer.from(await right.arrayBuffer()), installed(url));
  }
  // What is not a file of the index is Node's answer: never a byte from outside the load.
  for (const bad of ['/hls/night-flight/manifest.json', '/hls/night-flight/../../load.json', '/load.json', '/']) {
    const res = await fetch(`${nginxBase}${bad}`);
    await res.arrayBuffer();
    assert.ok(res.status >= 400 && res.status < 500, `${bad}: ${res.status}`);
  }
  const playlist = await fetch(`${nginxBase}/hls/night-flight/hls/master.m3u8`);
  assert.equal(playlist.status, 401, 'a playlist needs its token at nginx too');
});

test('nginx is gone once the appliance stops, and its port with it', { skip }, async () => {
  const other = await start({});
  const nginxBase = (await fileUrls(other, 'night-flight'))[0]!.origin;
  const pid = Number(fs.readFileSync(path.join(other.dataDir, 'origin-nginx', 'nginx.pid'), 'utf8'));
  assert.doesNotThrow(() => process.kill(pid, 0));
  await other.stop();
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  await assert.rejects(fetch(`${nginxBase}/.ifec-origin-ready`));
});

test('no nginx on PATH, or one that cannot start: the Node origin serves every file', async () => {
  const pathBefore = process.env.PATH;
  const settings: Array<Record<string, string>> = [
    { IFEC_ORIGIN_NGINX: 'auto' },
    { IFEC_ORIGIN_NGINX: path.join(work, 'no-such-nginx') },
  ];
  for (const env of settings) {
    process.env.PATH = '/nonexistent';
    let fallback: MediaTestAppliance;
    try {
      fallback = await start(env);
    } finally {
      process.env.PATH = pathBefore;
    }
    try {
      const urls = await fileUrls(fallback, 'night-flight');
      assert.ok(urls.length >= 3);
      for (const url of urls) {
        assert.equal(url.origin, fallback.url, url.href);
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), installed(url));
      }
    } finally {
      await fallback.stop();
    }
  }
});

/** Running, not a zombie nobody has reaped yet. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('the nginx a killed appliance left behind is killed when the appliance starts again', { skip }, async () => {
  const dataDir = mediaTempDir();
  const pidFile = path.join(dataDir, 'origin-nginx', 'nginx.pid');
  const first = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'warn', IFEC_ORIGIN_NGINX: 'auto' });
  const orphan = Number(fs.readFileSync(pidFile, 'utf8'));
  first.proc.kill('SIGKILL');
  await first.exited;
  assert.ok(running(orphan), 'kill -9 gives the appliance no chance to stop it');
  const second = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'warn', IFEC_ORIGIN_NGINX: 'auto' });
  try {
    assert.ok(!running(orphan), 'the stale nginx is gone');
    assert.ok(running(Number(fs.readFileSync(pidFile, 'utf8'))), 'a new one serves');
  } finally {
    second.proc.kill('SIGTERM');
    await second.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('nginx dying under a flight: Node serves meanwhile, nginx comes back on the same port', { skip }, async () => {
  const other = await start({});
  try {
    const before = (await fileUrls(other, 'night-flight'))[0]!;
    const pidFile = path.join(other.dataDir, 'origin-nginx', 'nginx.pid');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const meanwhile = (await fileUrls(other, 'night-flight'))[0]!;
    assert.equal(meanwhile.origin, other.url, 'playlists name Node while nginx is down');
    const deadline = Date.now() + 20_000;
    let back: URL | undefined;
    while (!back && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const url = (await fileUrls(other, 'night-flight'))[0]!;
      if (url.origin !== other.url) back = url;
    }
    assert.equal(back?.origin, before.origin, 'back on the port the URLs handed out name');
    const res = await fetch(before);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), installed(before));
    assert.notEqual(Number(fs.readFileSync(pidFile, 'utf8')), pid);
  } finally {
    await other.stop();
  }
});
