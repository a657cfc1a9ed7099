/**
 * Content loads on a real appliance: a good load is installed through the maintenance API and
 * served; tampered, untrusted, expired, not-yet-licensed and older loads are refused with the
 * reason while the previous load keeps serving; the active load survives a restart.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ContentLoad } from '@ifec/protocol';
import { generateSigningKeys, signContentLoad } from '@ifec/protocol/node';
import {
  basic,
  buildTestLoad,
  crewLogin,
  type MediaSource,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';

let work: string;
let source: MediaSource;
let signer: { privateKeyPem: string; publicKeyFile: string };
let app: MediaTestAppliance;
let maintenance: string;
let env: Record<string, string>;

before(async () => {
  work = mediaTempDir();
  source = makeMediaSource(path.join(work, 'source'));
  signer = trustedSigner(work);
  env = { IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile, IFEC_RTMP_PORT: '0' };
  app = await startMediaAppliance(env);
  maintenance = await crewLogin(app, 'maintenance');
});

after(async () => {
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function install(dir: string, token = maintenance) {
  const res = await fetch(`${app.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ path: dir }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      active: unknown;
      error?: { code: string; problems: Array<{ code: string; message: string }> };
    },
  };
}

async function activeLoadId(): Promise<string | null> {
  const res = await fetch(`${app.url}/api/crew/content-loads`, { headers: { authorization: `Bearer ${maintenance}` } });
  return ((await res.json()) as { active: { loadId: string } | null }).active?.loadId ?? null;
}

/** Plays the first segment of `titleId` the way a seat does; returns its bytes. */
async function fetchSegment(titleId: string): Promise<Buffer> {
  const seatId = Object.keys(app.credentials.seats)[0]!;
  const open = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: basic(`seat:${seatId}`, app.credentials.seats[seatId]!),
    },
    body: JSON.stringify({ titleId, device: 'seat' }),
  });
  assert.equal(open.status, 201, await open.clone().text());
  const res = await fetch(`${app.url}/hls/${titleId}/hls/video/v0/seg_00000.m4s`);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

let first: { dir: string; load: ContentLoad };

test('a good load is verified, installed and served; maintenance only', async () => {
  first = await buildTestLoad({
    out: path.join(work, 'load-v1'),
    source,
    titles: [{ id: 'night-flight' }],
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-A320-2026-12-v1',
    version: 1,
  });
  const purser = await crewLogin(app, 'purser');
  assert.equal((await install(first.dir, purser)).status, 403);
  const res = await install(first.dir);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(await activeLoadId(), 'XA-A320-2026-12-v1');
  const served = await fetchSegment('night-flight');
  assert.deepEqual(served, fs.readFileSync(path.join(first.dir, 'packages/night-flight/hls/video/v0/seg_00000.m4s')));
  // Installed into the data dir: the source may be unplugged (a USB stick) afterwards.
  assert.ok(fs.existsSync(path.join(app.dataDir, 'content', 'XA-A320-2026-12-v1', 'load.json')));
});

async function refusedWith(dir: string, code: string) {
  const before = await fetchSegment('night-flight');
  const res = await install(dir);
  assert.equal(res.status, 422, JSON.stringify(res.body));
  assert.equal(res.body.error?.code, 'CONTENT_LOAD_REFUSED');
  const codes = res.body.error!.problems.map((p) => p.code);
  assert.ok(codes.includes(code), `expected ${code} in ${codes.join(', ')}`);
  assert.ok(res.body.error!.problems.every((p) => p.message.length > 0));
  assert.equal(await activeLoadId(), 'XA-A320-2026-12-v1', 'the previous load stays active');
  assert.deepEqual(await fetchSegment('night-flight'), before, 'the previous load keeps serving');
  assert.equal(
    fs.readdirSync(path.join(app.dataDir, 'content')).filter((n) => n.startsWith('.staging')).length,
    0,
    'no half-installed copy left',
  );
}

test('one byte changed in a segment: refused (file-checksum)', async () => {
  const bad = await buildTestLoad({
    out: path.join(work, 'tampered-byte'),
    source,
    titles: [{ id: 'night-flight' }, { id: 'other-film' }],
    privateKeyPem: signer.privateKeyPem,
    version: 2,
  });
  const seg = path.join(bad.dir, 'packages/other-film/hls/video/v0/seg_00001.m4s');
  const bytes = fs.readFileSync(seg);
  bytes[100] = bytes[100]! ^ 0xff;
  fs.writeFileSync(seg, bytes);
  await refusedWith(bad.dir, 'FILE_CHECKSUM');
});

test('signature swapped: signed by an untrusted key, or load.json edited after signing', async () => {
  const untrusted = generateSigningKeys();
  const foreign = await buildTestLoad({
    out: path.join(work, 'untrusted'),
    source,
    titles: [{ id: 'night-flight' }],
    privateKeyPem: untrusted.privateKeyPem,
    version: 3,
  });
  await refusedWith(foreign.dir, 'SIGNATURE_UNTRUSTED');

  const edited = await buildTestLoad({
    out: path.join(work, 'edited'),
    source,
    titles: [{ id: 'night-flight' }],
    privateKeyPem: signer.privateKeyPem,
    version: 4,
  });
  const load = JSON.parse(fs.readFileSync(path.join(edited.dir, 'load.json'), 'utf8')) as ContentLoad;
  const other = signContentLoad(
    { ...load, expiresAt: '2099-01-01T00:00:00Z', signature: undefined } as never,
    untrusted.privateKeyPem,
  );
  // The trusted key id with a signature from another key: a swapped signature.
  fs.writeFileSync(
    path.join(edited.dir, 'load.json'),
    JSON.stringify({ ...load, signature: { ...load.signature, value: other.signature.value } }),
  );
  await refusedWith(edited.dir, 'SIGNATURE_INVALID');
});

test('licence expired, or not yet open: refused with the title named', async () => {
  const year = new Date().getUTCFullYear();
  const expired = await buildTestLoad({
    out: path.join(work, 'expired'),
    source,
    privateKeyPem: signer.privateKeyPem,
    version: 5,
    titles: [
      { id: 'night-flight' },
      { id: 'old-film', licence: { start: `${year - 3}-01-01T00:00:00Z`, end: `${year - 1}-01-01T00:00:00Z` } },
    ],
  });
  await refusedWith(expired.dir, 'LICENCE_EXPIRED');
  const early = await buildTestLoad({
    out: path.join(work, 'early'),
    source,
    privateKeyPem: signer.privateKeyPem,
    version: 6,
    titles: [
      { id: 'next-month', licence: { start: `${year + 1}-01-01T00:00:00Z`, end: `${year + 2}-01-01T00:00:00Z` } },
    ],
  });
  await refusedWith(early.dir, 'LICENCE_NOT_OPEN');
});

test('a symlink to a file outside the load is not followed', async () => {
  const linked = await buildTestLoad({
    out: path.join(work, 'linked'),
    source,
    titles: [{ id: 'night-flight' }],
    privateKeyPem: signer.privateKeyPem,
    version: 7,
  });
  const seg = path.join(linked.dir, 'packages/night-flight/hls/video/v0/seg_00000.m4s');
  const outside = path.join(work, 'outside.m4s');
  fs.renameSync(seg, outside);
  fs.symlinkSync(outside, seg);
  await refusedWith(linked.dir, 'FILE_MISSING');
});

test("an older version of the same fleet's load is refused (rollback)", async () => {
  const newer = await buildTestLoad({
    out: path.join(work, 'v10'),
    source,
    titles: [{ id: 'night-flight' }],
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-A320-2026-12-v10',
    version: 10,
  });
  assert.equal((await install(newer.dir)).status, 201);
  const older = await buildTestLoad({
    out: path.join(work, 'v9'),
    source,
    titles: [{ id: 'night-flight' }],
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-A320-2026-12-v9',
    version: 9,
  });
  const res = await install(older.dir);
  assert.equal(res.status, 422);
  assert.equal(res.body.error?.problems[0]?.code, 'LOAD_ROLLBACK');
  assert.equal(await activeLoadId(), 'XA-A320-2026-12-v10');
  assert.ok(!fs.existsSync(path.join(app.dataDir, 'content', 'XA-A320-2026-12-v1')), 'the replaced load was removed');
});

test('the active load is re-verified and re-activated after a restart', async () => {
  const dataDir = app.dataDir;
  await app.stop();
  app = await startMediaAppliance(env, dataDir);
  maintenance = await crewLogin(app, 'maintenance');
  assert.equal(await activeLoadId(), 'XA-A320-2026-12-v10');
  assert.equal((await fetchSegment('night-flight')).length > 0, true);
});

test('the active load is journalled: a store lost after a checkpoint comes back with it, not with the copy’s', {
  timeout: 120_000,
}, async () => {
  const dataDir = mediaTempDir();
  let own = await startMediaAppliance(env, dataDir);
  try {
    // The checkpoint copy holds no active load: only the journal knows of the one installed next.
    await own.checkpoints.checkpoint();
    const load = await buildTestLoad({
      out: path.join(work, 'load-cut'),
      source,
      titles: [{ id: 'night-flight' }],
      privateKeyPem: signer.privateKeyPem,
      id: 'XA-A320-2026-12-v77',
      version: 77,
    });
    const token = await crewLogin(own, 'maintenance');
    const res = await fetch(`${own.url}/api/crew/content-loads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ path: load.dir }),
    });
    assert.equal(res.status, 201, await res.clone().text());
  } finally {
    await own.stop();
  }
  // The cut took PGlite's unsynced pages: the worst case is its whole directory.
  fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true, force: true });
  own = await startMediaAppliance(env, dataDir);
  try {
    const token = await crewLogin(own, 'maintenance');
    const res = await fetch(`${own.url}/api/crew/content-loads`, { headers: { authorization: `Bearer ${token}` } });
    const active = ((await res.json()) as { active: { loadId: string } | null }).active;
    assert.equal(active?.loadId, 'XA-A320-2026-12-v77', 'the cabin still has its films');
  } finally {
    await own.stop();
  }
});
