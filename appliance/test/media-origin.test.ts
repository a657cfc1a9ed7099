/**
 * The HLS origin and key server on a real appliance over loopback: catalogue, signed playback
 * URLs, playlists rewritten to carry the token, tokens missing/forged/expired/for another
 * title, the key policy (rights, entitlement, parental lock, region), path escapes, Range/ETag/
 * MIME, and the key the server hands out decrypting a segment that ffprobe then decodes.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import HLS from 'hls-parser';
import { TokenSigner } from '../src/access/tokens.ts';
import {
  basic,
  buildTestLoad,
  crewLogin,
  FFPROBE,
  type MediaSource,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  rawGet,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';

let work: string;
let source: MediaSource;
let app: MediaTestAppliance;
let keyIds: Record<string, string>;
let seatId: string;
let seatAuth: string;

before(async () => {
  work = mediaTempDir();
  source = makeMediaSource(path.join(work, 'source'));
  const signer = trustedSigner(work);
  const load = await buildTestLoad({
    out: path.join(work, 'load'),
    source,
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-TEST-1',
    titles: [
      { id: 'night-flight' },
      { id: 'early-window', rights: 'seatback-only' },
      { id: 'premium-film', priceTier: 'premium-1' },
      { id: 'horror-night', rating: { system: 'MPAA', value: 'R' } },
      { id: 'blocked-film', regions: { allowed: ['*'], blocked: ['FR'] } },
    ],
  });
  keyIds = load.keyIds;
  app = await startMediaAppliance({
    IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile,
    IFEC_RTMP_PORT: '0',
    IFEC_REGION: 'FR',
    // The Node origin's own answers; media-origin-nginx.test.ts covers nginx in front.
    IFEC_ORIGIN_NGINX: 'off',
  });
  const maintenance = await crewLogin(app, 'maintenance');
  const res = await fetch(`${app.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
    body: JSON.stringify({ path: load.dir }),
  });
  assert.equal(res.status, 201, await res.text());
  seatId = Object.keys(app.credentials.seats)[0]!;
  seatAuth = basic(`seat:${seatId}`, app.credentials.seats[seatId]!);
});

after(async () => {
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function openPlayback(auth: string, body: Record<string, string>) {
  const res = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { url: string; token: string; error?: { code: string } } };
}

async function phoneAuth(): Promise<{ auth: string; deviceId: string }> {
  const phone = (await (await fetch(`${app.url}/api/phones`, { method: 'POST' })).json()) as {
    deviceId: string;
    mqtt: { username: string; password: string };
  };
  return { auth: basic(phone.mqtt.username, phone.mqtt.password), deviceId: phone.deviceId };
}

test('catalogue in the asked language with fallback; phones do not see seatback-only titles', async () => {
  const fr = (await (await fetch(`${app.url}/api/catalog?lang=fr`)).json()) as {
    loadId: string;
    titles: Array<{ id: string; title: string; synopsis: string; images: Array<{ url: string }>; rights: string }>;
    channels: Array<{ id: string; state: string }>;
  };
  assert.equal(fr.loadId, 'XA-TEST-1');
  const film = fr.titles.find((t) => t.id === 'night-flight')!;
  assert.equal(film.title, 'Titre night-flight');
  assert.equal(film.synopsis, 'Synopsis of night-flight', 'no French synopsis: English');
  assert.ok(fr.titles.some((t) => t.id === 'early-window'));
  assert.deepEqual(
    fr.channels.map((c) => [c.id, c.state]),
    [
      ['welcome', 'off-air'],
      ['news', 'off-air'],
    ],
  );
  const poster = await fetch(`${app.url}${film.images[0]!.url}`);
  assert.equal(poster.status, 200);
  assert.equal(poster.headers.get('content-type'), 'image/jpeg');
  const phone = (await (await fetch(`${app.url}/api/catalog?lang=en&device=phone`)).json()) as {
    titles: Array<{ id: string }>;
  };
  assert.ok(!phone.titles.some((t) => t.id === 'early-window'));
  // A seatback-only title's artwork is shown on the seat's cards without a token; its media are not (below).
  const restricted = fr.titles.find((t) => t.id === 'early-window')!;
  const art = await fetch(`${app.url}${restricted.images[0]!.url}`);
  assert.equal(art.status, 200);
  assert.equal(art.headers.get('content-type'), 'image/jpeg');
  assert.equal((await fetch(`${app.url}/hls/early-window/hls/video/v0/seg_00000.m4s`)).status, 401);
  assert.equal((await fetch(`${app.url}/api/catalog?lang=x!`)).status, 400);
});

test('a seat opens a session; every playlist carries the token to child playlists and the key, not to segments', async () => {
  assert.equal((await openPlayback('', { titleId: 'night-flight', device: 'seat' })).status, 401);
  assert.equal(
    (await openPlayback(basic(`seat:${seatId}`, 'wrong'), { titleId: 'night-flight', device: 'seat' })).status,
    401,
  );
  assert.equal((await openPlayback(seatAuth, { titleId: 'night-flight', device: 'phone' })).status, 403);
  const open = await openPlayback(seatAuth, { titleId: 'night-flight', device: 'seat' });
  assert.equal(open.status, 201);
  assert.match(open.body.url, /^\/hls\/night-flight\/hls\/master\.m3u8\?token=/);
  const masterRes = await fetch(`${app.url}${open.body.url}`);
  assert.equal(masterRes.status, 200);
  assert.equal(masterRes.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  assert.match(masterRes.headers.get('cache-control')!, /private/);
  const masterText = await masterRes.text();
  HLS.setOptions({ strictMode: true });
  const master = HLS.parse(masterText) as HLS.types.MasterPlaylist;
  const token = encodeURIComponent(open.body.token);
  assert.equal(master.variants[0]!.uri, `video/v0/index.m3u8?token=${token}`);
  assert.equal(master.variants[0]!.subtitles[0]!.uri, `subtitles/en/index.m3u8?token=${token}`);
  const media = await (await fetch(`${app.url}/hls/night-flight/hls/video/v0/index.m3u8?token=${token}`)).text();
  assert.ok(media.includes(`URI="/api/keys/${keyIds['night-flight']}?token=${token}"`), media);
  // The Node origin alone (IFEC_ORIGIN_NGINX=off): files named relative to the playlist.
  const at = '';
  const init = media.match(/#EXT-X-MAP:URI="([^"]*)"/)![1]!;
  assert.match(init, new RegExp(`^${at}init\\.mp4$`), 'the init section stays token-free');
  assert.match(media, new RegExp(`\\n${at}seg_00000\\.m4s\\n`), 'segments stay token-free');
  // One key tag for the playlist, right after the map, no IV (the IV is the sequence number).
  const lines = media.split('\n');
  const keyTags = lines.filter((l) => l.startsWith('#EXT-X-KEY'));
  assert.deepEqual(keyTags, [`#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/${keyIds['night-flight']}?token=${token}"`]);
  assert.equal(lines.indexOf(keyTags[0]!), lines.findIndex((l) => l.startsWith('#EXT-X-MAP')) + 1);
  const parsed = HLS.parse(media) as HLS.types.MediaPlaylist;
  assert.ok(parsed.segments.length >= 2);
  for (const s of parsed.segments)
    assert.deepEqual(
      [s.key?.method, s.key?.uri, s.key?.iv, s.map?.uri],
      ['AES-128', `/api/keys/${keyIds['night-flight']}?token=${token}`, undefined, init],
    );
});

test('playlists and keys refuse missing, forged, expired and other-title tokens', async () => {
  const { body } = await openPlayback(seatAuth, { titleId: 'night-flight', device: 'seat' });
  const master = `${app.url}/hls/night-flight/hls/master.m3u8`;
  const key = `${app.url}/api/keys/${keyIds['night-flight']}`;
  const forged = `${body.token.slice(0, -2)}${body.token.endsWith('AA') ? 'BB' : 'AA'}`;
  const expired = TokenSigner.fromDataDir(app.dataDir).sign(
    { typ: 'play', sub: `seat:${seatId}`, dev: 'seat', seat: seatId, tgt: 't:night-flight' },
    -60,
  );
  const otherTitle = await openPlayback(seatAuth, { titleId: 'blocked-film', device: 'seat' });
  assert.equal(otherTitle.status, 451, 'blocked over FR');
  const other = (await openPlayback(seatAuth, { titleId: 'horror-night', device: 'seat' })).body.token;
  for (const [url, status, code] of [
    [master, 401, 'PLAYBACK_TOKEN_REQUIRED'],
    [`${master}?token=${forged}`, 401, 'PLAYBACK_TOKEN_INVALID'],
    [`${master}?token=${expired}`, 401, 'PLAYBACK_TOKEN_INVALID'],
    [`${master}?token=${other}`, 403, 'PLAYBACK_TOKEN_WRONG_TITLE'],
    [key, 401, 'PLAYBACK_TOKEN_REQUIRED'],
    [`${key}?token=${forged}`, 401, 'PLAYBACK_TOKEN_INVALID'],
    [`${key}?token=${expired}`, 401, 'PLAYBACK_TOKEN_INVALID'],
    [`${key}?token=${other}`, 403, 'KEY_NOT_FOR_SESSION'],
  ] as const) {
    const res = await fetch(url);
    assert.equal(res.status, status, url);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, code, url);
  }
  const good = await fetch(`${key}?token=${body.token}`);
  assert.equal(good.status, 200);
  assert.equal((await good.arrayBuffer()).byteLength, 16);
});

test('key policy: a phone never gets a seatback-only key; entitlement, parental lock and region refuse with a code', async () => {
  const phone = await phoneAuth();
  const refused = await openPlayback(phone.auth, { titleId: 'early-window', device: 'phone' });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error?.code, 'SEATBACK_ONLY');
  // Even with a validly signed phone session for that title, the key server says no.
  const phoneToken = TokenSigner.fromDataDir(app.dataDir).sign(
    { typ: 'play', sub: `phone:${phone.deviceId}`, dev: 'phone', tgt: 't:early-window' },
    60,
  );
  const keyRes = await fetch(`${app.url}/api/keys/${keyIds['early-window']}?token=${phoneToken}`);
  assert.equal(keyRes.status, 403);
  const keyBody = Buffer.from(await keyRes.arrayBuffer());
  assert.equal(JSON.parse(keyBody.toString()).error.code, 'SEATBACK_ONLY');
  assert.ok(!keyBody.includes(source.key), 'no key bytes in the refusal');
  assert.equal((await openPlayback(phone.auth, { titleId: 'night-flight', device: 'phone' })).status, 201);
  assert.equal((await openPlayback(seatAuth, { titleId: 'early-window', device: 'seat' })).status, 201);

  const premium = await openPlayback(seatAuth, { titleId: 'premium-film', device: 'seat' });
  assert.equal(premium.status, 402);
  assert.equal(premium.body.error?.code, 'NOT_ENTITLED');

  // A token opened before the crew locked the seat stops getting keys once it is locked.
  const horror = await openPlayback(seatAuth, { titleId: 'horror-night', device: 'seat' });
  assert.equal(horror.status, 201);
  const purser = await crewLogin(app, 'purser');
  const lock = await fetch(`${app.url}/api/crew/seats/${seatId}/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${purser}` },
    body: JSON.stringify({ action: 'parental-lock', on: true }),
  });
  assert.equal(lock.status, 200);
  const lockedKey = await fetch(`${app.url}/api/keys/${keyIds['horror-night']}?token=${horror.body.token}`);
  assert.equal(lockedKey.status, 403);
  assert.equal(((await lockedKey.json()) as { error: { code: string } }).error.code, 'PARENTAL_LOCK');
  assert.equal(
    (await openPlayback(seatAuth, { titleId: 'night-flight', device: 'seat' })).status,
    201,
    'PG stays allowed under the lock',
  );

  const blockedToken = TokenSigner.fromDataDir(app.dataDir).sign(
    { typ: 'play', sub: `seat:${seatId}`, dev: 'seat', seat: seatId, tgt: 't:blocked-film' },
    60,
  );
  const blocked = await fetch(`${app.url}/api/keys/${keyIds['blocked-film']}?token=${blockedToken}`);
  assert.equal(blocked.status, 451);
  assert.equal(((await blocked.json()) as { error: { code: string } }).error.code, 'REGION_BLOCKED');
});

test('path escapes and directory listings: 4xx, never a byte from outside the load', async () => {
  const keyId = keyIds['night-flight']!;
  const passwd = fs.readFileSync('/etc/passwd');
  const attempts = [
    '/hls/../../etc/passwd',
    '/hls/night-flight/../../../../etc/passwd',
    '/hls/%2e%2e/%2e%2e/etc/passwd',
    `/hls/night-flight/%2e%2e%2f%2e%2e%2f%2e%2e%2fkeys%2f${keyId}.key`,
    '/hls/night-flight/..%2f..%2f..%2fload.json',
    `/hls/night-flight/../../../keys/${keyId}.key`,
    '/hls/%252e%252e/%252e%252e/etc/passwd',
    '/hls/night-flight/%252e%252e%252f%252e%252e%252fload.json',
    '/hls/night-flight/hls/master.m3u8%00.vtt',
    '/hls/night-flight/hls/video/v0/seg_00000.m4s%00',
    '/hls/night-flight/..\\..\\..\\load.json',
    '/hls/night-flight/manifest.json',
    '/hls/night-flight/hls/video/v0/',
    '/hls/night-flight/hls',
    '/hls/night-flight/',
    '/hls/',
    '/hls/live/../../../etc/passwd',
    '/hls/live/welcome/..%2f..%2fappliance.secret',
    '/hls/live/welcome/',
    '//hls//night-flight//hls//master.m3u8',
    '/hls/./night-flight/hls/video/v0/seg_00000.m4s',
    '/api/keys/..%2f..%2fetc%2fpasswd',
    '/api/keys/../../etc/passwd',
  ];
  for (const attempt of attempts) {
    const res = await rawGet(app.httpPort, attempt);
    assert.ok(res.status >= 400 && res.status < 500, `${attempt} -> ${res.status}`);
    assert.ok(!res.body.includes(passwd.subarray(0, 16)), `${attempt} leaked /etc/passwd`);
    assert.ok(!res.body.includes(source.key), `${attempt} leaked a key`);
    assert.ok(!res.body.toString().includes('"signature"'), `${attempt} leaked load.json`);
  }
  // A file swapped for a symlink inside the installed load is not followed.
  const installed = path.join(
    app.dataDir,
    'content',
    'XA-TEST-1',
    'packages',
    'night-flight',
    'hls',
    'video',
    'v0',
    'seg_00001.m4s',
  );
  fs.rmSync(installed);
  fs.symlinkSync('/etc/passwd', installed);
  const res = await rawGet(app.httpPort, '/hls/night-flight/hls/video/v0/seg_00001.m4s');
  assert.equal(res.status, 404);
  assert.ok(!res.body.includes(passwd.subarray(0, 16)));
});

test('segments: MIME types, ETag and 304, single ranges, 416, immutable caching, HEAD', async () => {
  const segPath = '/hls/night-flight/hls/video/v0/seg_00000.m4s';
  const file = fs.readFileSync(
    path.join(work, 'load', 'packages', 'night-flight', 'hls', 'video', 'v0', 'seg_00000.m4s'),
  );
  const full = await rawGet(app.httpPort, segPath);
  assert.equal(full.status, 200);
  assert.deepEqual(full.body, file);
  assert.equal(full.headers['content-type'], 'video/mp4');
  assert.equal(full.headers['accept-ranges'], 'bytes');
  assert.equal(full.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(Number(full.headers['content-length']), file.length);
  const etag = full.headers.etag!;
  assert.match(etag, /^"[0-9a-f]{40}"$/);
  assert.equal((await rawGet(app.httpPort, segPath, { 'if-none-match': etag })).status, 304);

  const part = await rawGet(app.httpPort, segPath, { range: 'bytes=100-199' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 100-199/${file.length}`);
  assert.deepEqual(part.body, file.subarray(100, 200));
  const tail = await rawGet(app.httpPort, segPath, { range: 'bytes=-50' });
  assert.equal(tail.status, 206);
  assert.deepEqual(tail.body, file.subarray(file.length - 50));
  const open = await rawGet(app.httpPort, segPath, { range: `bytes=${file.length - 10}-` });
  assert.deepEqual(open.body, file.subarray(file.length - 10));
  const beyond = await rawGet(app.httpPort, segPath, { range: `bytes=${file.length}-` });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers['content-range'], `bytes */${file.length}`);
  assert.equal(beyond.body.length, 0);
  const staleIfRange = await rawGet(app.httpPort, segPath, { range: 'bytes=0-9', 'if-range': '"stale"' });
  assert.equal(staleIfRange.status, 200, 'If-Range with another ETag: the whole file');

  const head = await fetch(`${app.url}${segPath}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), file.length);
  assert.equal((await head.arrayBuffer()).byteLength, 0);

  const types: Array<[string, string]> = [
    ['/hls/night-flight/hls/video/v0/init.mp4', 'video/mp4'],
    ['/hls/night-flight/hls/subtitles/en/subs.vtt', 'text/vtt; charset=utf-8'],
    ['/hls/night-flight/images/poster-60x90.jpeg', 'image/jpeg'],
  ];
  for (const [p, type] of types) {
    const res = await rawGet(app.httpPort, p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers['content-type'], type, p);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  }
});

/** Video frames ffprobe decodes from a file; 0 when it cannot decode any. */
function videoFramesDecoded(file: string): number {
  try {
    const out = execFileSync(
      FFPROBE,
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=nb_read_frames',
        '-of',
        'csv=p=0',
        file,
      ],
      { stdio: 'pipe' },
    );
    return Number.parseInt(out.toString().trim(), 10) || 0;
  } catch {
    return 0;
  }
}

test('the key the server hands out decrypts a segment that ffprobe decodes', async () => {
  const { body } = await openPlayback(seatAuth, { titleId: 'night-flight', device: 'seat' });
  const media = await (await fetch(`${app.url}/hls/night-flight/hls/video/v0/index.m3u8?token=${body.token}`)).text();
  const keyLine = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"\n/.exec(media)!;
  const key = Buffer.from(await (await fetch(`${app.url}${keyLine[1]}`)).arrayBuffer());
  assert.equal(key.length, 16);
  const init = Buffer.from(await (await fetch(`${app.url}/hls/night-flight/hls/video/v0/init.mp4`)).arrayBuffer());
  const encrypted = Buffer.from(
    await (await fetch(`${app.url}/hls/night-flight/hls/video/v0/seg_00000.m4s`)).arrayBuffer(),
  );
  const probeFile = path.join(work, 'probe.mp4');
  fs.writeFileSync(probeFile, Buffer.concat([init, encrypted]));
  assert.equal(videoFramesDecoded(probeFile), 0, 'the encrypted segment alone does not decode');
  // No IV in the playlist: seg_00000 is media sequence 0, so its IV is 16 zero bytes (RFC 8216 §5.2).
  const decipher = crypto.createDecipheriv('aes-128-cbc', key, Buffer.alloc(16));
  const clear = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  // A wrong IV garbles only the first 16 bytes (CBC), which a decoder may skip: check them. ffmpeg
  // starts a segment with styp (size 24, major brand = first compatible brand, minor version 0).
  assert.deepEqual(
    [clear.readUInt32BE(0), clear.toString('latin1', 4, 12), clear.readUInt32BE(12)],
    [24, `styp${clear.toString('latin1', 16, 20)}`, 0],
  );
  fs.writeFileSync(probeFile, Buffer.concat([init, clear]));
  const probe = execFileSync(FFPROBE, [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_name,nb_read_frames',
    '-of',
    'csv=p=0',
    probeFile,
  ])
    .toString()
    .trim()
    .split('\n');
  assert.ok(
    probe.some((l) => l.startsWith('h264,')),
    probe.join(' | '),
  );
  assert.ok(videoFramesDecoded(probeFile) >= 25, 'a 2-second segment at 25 fps decodes');
  assert.ok(
    probe.some((l) => l.startsWith('aac,')),
    probe.join(' | '),
  );
});
