/**
 * Content loads end to end: packages from real ingests, a signed load, and every way a load can
 * be wrong refused with a reason that names the file or title.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { contentLoad } from '@ifec/protocol';
import { generateSigningKeys, inspectContentLoad, signContentLoad, verifyContentLoad } from '@ifec/protocol/node';
import { MediaError } from '../src/errors.ts';
import { ingestTitle } from '../src/ingest/ingest.ts';
import { buildContentLoad } from '../src/load/build.ts';
import { makeSource, runCli, tempDir, titleJson } from './helpers.ts';

let work: string;
let loadDir: string;
const ground = generateSigningKeys();
const during = new Date('2026-12-10T12:00:00Z');

function copyLoad(name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(loadDir, dir, { recursive: true });
  return dir;
}

before(async () => {
  work = tempDir('load');
  const source = makeSource(path.join(work, 'source.mp4'), { durationS: 4, width: 320, height: 180, audio: ['eng'] });
  const packages = [];
  for (const [id, licence] of [
    ['early-window', { start: '2026-11-01T00:00:00Z', end: '2027-01-31T23:59:59Z' }],
    ['library-film', { start: '2026-01-01T00:00:00Z', end: '2026-12-31T23:59:59Z' }],
  ] as const) {
    const meta = titleJson({ id, licence, rights: id === 'early-window' ? 'seatback-only' : 'all-devices' }) as never;
    const out = path.join(work, 'packages', id);
    await ingestTitle({ source, metadata: meta, out, ladder: 'compact' });
    packages.push(out);
  }
  fs.writeFileSync(path.join(work, 'ground.key.pem'), ground.privateKeyPem);
  fs.writeFileSync(path.join(work, 'ground.pub.pem'), ground.publicKeyPem);
  const r = runCli(
    [
      'load',
      'build',
      '--packages',
      'packages',
      '--out',
      'load',
      '--key',
      'ground.key.pem',
      '--cycle',
      '2026-12',
      '--airline',
      'XA',
      '--fleet',
      'A350-900',
      '--version',
      '7',
    ],
    work,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 titles: early-window, library-film/);
  loadDir = path.join(work, 'load');
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a built load has the documented layout and verifies', async () => {
  const load = contentLoad.parse(JSON.parse(fs.readFileSync(path.join(loadDir, 'load.json'), 'utf8')));
  assert.deepEqual(
    [load.cycle, load.airline, load.fleet, load.version, load.expiresAt],
    ['2026-12', 'XA', 'A350-900', 7, '2027-02-01T00:00:00.000Z'],
  );
  assert.deepEqual(
    load.packages.map((p) => p.path),
    ['packages/early-window', 'packages/library-film'],
  );
  for (const k of load.keys) {
    assert.equal(k.path, `keys/${k.keyId}.key`);
    assert.equal(fs.statSync(path.join(loadDir, k.path)).size, 16);
  }
  // The clear keys are only under keys/, never in the tree the origin serves.
  const served = fs.readdirSync(path.join(loadDir, 'packages'), { recursive: true }).map(String);
  assert.equal(
    served.some((f) => f.endsWith('.key') || f.split(path.sep).includes('keys')),
    false,
  );
  assert.deepEqual(await verifyContentLoad(loadDir, [ground.publicKeyPem], during), []);
  const r = runCli(['load', 'verify', 'load', '--trust', 'ground.pub.pem', '--at', during.toISOString()], work);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^ok: load XA-A350-900-2026-12-7/);
});

test('one byte changed in a segment: refused, naming the file', async () => {
  const dir = copyLoad('one-byte');
  const seg = 'packages/library-film/hls/video/phone-144p/seg_00000.m4s';
  const bytes = fs.readFileSync(path.join(dir, seg));
  bytes[bytes.length >> 1]! ^= 0x01;
  fs.writeFileSync(path.join(dir, seg), bytes);
  const problems = await verifyContentLoad(dir, [ground.publicKeyPem], during);
  assert.deepEqual(
    problems.map((p) => [p.code, p.path, p.titleId]),
    [['FILE_CHECKSUM', seg, 'library-film']],
  );
  const r = runCli(['load', 'verify', 'one-byte', '--trust', 'ground.pub.pem', '--at', during.toISOString()], work);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /REFUSED.*\n\s+\[FILE_CHECKSUM\] title library-film: checksum mismatch in packages\/library-film\/hls\/video\/phone-144p\/seg_00000\.m4s/,
  );
});

test('a changed manifest, a missing file, a changed key: each named', async () => {
  const dir = copyLoad('manifest');
  const manifestFile = path.join(dir, 'packages/early-window/manifest.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('"seatback-only"', '"all-devices"'));
  fs.rmSync(path.join(dir, 'packages/library-film/images/poster-342x513.webp'));
  const load = contentLoad.parse(JSON.parse(fs.readFileSync(path.join(dir, 'load.json'), 'utf8')));
  fs.writeFileSync(path.join(dir, load.keys[0]!.path), Buffer.alloc(16));
  const problems = await verifyContentLoad(dir, [ground.publicKeyPem], during);
  assert.deepEqual(problems.map((p) => p.code).sort(), ['FILE_MISSING', 'KEY_CHECKSUM', 'MANIFEST_CHECKSUM']);
  assert.match(
    problems.find((p) => p.code === 'FILE_MISSING')!.message,
    /library-film.*poster-342x513\.webp is missing/,
  );
  assert.match(problems.find((p) => p.code === 'MANIFEST_CHECKSUM')!.message, /early-window/);
});

test('a symlink out of the load or a file no manifest lists: refused, so the origin never serves it', async () => {
  const dir = copyLoad('stray');
  fs.symlinkSync('/etc/passwd', path.join(dir, 'packages/library-film/hls/passwd'));
  fs.writeFileSync(path.join(dir, 'packages/early-window/hls/extra.m3u8'), '#EXTM3U\n');
  const problems = await verifyContentLoad(dir, [ground.publicKeyPem], during);
  assert.deepEqual(problems.map((p) => [p.code, p.path]).sort(), [
    ['FILE_UNLISTED', 'packages/early-window/hls/extra.m3u8'],
    ['FILE_UNSAFE', 'packages/library-film/hls/passwd'],
  ]);
  const swapped = copyLoad('symlinked-segment');
  const seg = path.join(swapped, 'packages/library-film/hls/video/phone-144p/seg_00000.m4s');
  fs.rmSync(seg);
  fs.symlinkSync('/etc/hostname', seg);
  assert.ok(
    (await verifyContentLoad(swapped, [ground.publicKeyPem], during)).some(
      (p) => p.code === 'FILE_UNSAFE' && p.path === 'packages/library-film/hls/video/phone-144p/seg_00000.m4s',
    ),
  );
});

test('signature swapped, load.json edited, signed by an untrusted key: refused', async () => {
  const other = generateSigningKeys();
  const load = contentLoad.parse(JSON.parse(fs.readFileSync(path.join(loadDir, 'load.json'), 'utf8')));
  const { signature: _s, ...unsigned } = load;
  const swapped = copyLoad('swapped');
  const otherSig = signContentLoad({ ...unsigned, version: 8 }, ground.privateKeyPem).signature;
  fs.writeFileSync(path.join(swapped, 'load.json'), JSON.stringify({ ...load, signature: otherSig }));
  assert.deepEqual(
    (await verifyContentLoad(swapped, [ground.publicKeyPem], during)).map((p) => p.code),
    ['SIGNATURE_INVALID'],
  );

  const edited = copyLoad('edited');
  fs.writeFileSync(path.join(edited, 'load.json'), JSON.stringify({ ...load, expiresAt: '2031-01-01T00:00:00Z' }));
  assert.deepEqual(
    (await verifyContentLoad(edited, [ground.publicKeyPem], during)).map((p) => p.code),
    ['SIGNATURE_INVALID'],
  );

  const untrusted = copyLoad('untrusted');
  fs.writeFileSync(path.join(untrusted, 'load.json'), JSON.stringify(signContentLoad(unsigned, other.privateKeyPem)));
  assert.deepEqual(
    (await verifyContentLoad(untrusted, [ground.publicKeyPem], during)).map((p) => p.code),
    ['SIGNATURE_UNTRUSTED'],
  );
  assert.deepEqual(await verifyContentLoad(untrusted, [ground.publicKeyPem, other.publicKeyPem], during), []);
});

test('licence windows: not yet open, expired, and the load itself expired', async () => {
  const before = await verifyContentLoad(loadDir, [ground.publicKeyPem], new Date('2026-10-15T00:00:00Z'));
  assert.deepEqual(
    before.map((p) => [p.code, p.titleId]),
    [['LICENCE_NOT_OPEN', 'early-window']],
  );
  assert.match(before[0]!.message, /title early-window: licence window opens 2026-11-01T00:00:00Z/);
  const january = await inspectContentLoad(loadDir, [ground.publicKeyPem], new Date('2027-01-15T00:00:00Z'));
  assert.deepEqual(
    january.problems.map((p) => [p.code, p.titleId]),
    [['LICENCE_EXPIRED', 'library-film']],
  );
  assert.equal(january.manifests.length, 2);
  const late = await verifyContentLoad(loadDir, [ground.publicKeyPem], new Date('2027-03-01T00:00:00Z'));
  assert.deepEqual(late.map((p) => p.code).sort(), ['LICENCE_EXPIRED', 'LICENCE_EXPIRED', 'LOAD_EXPIRED']);
});

test('load build refuses a tampered package and leaves no load behind', async () => {
  const pkg = path.join(work, 'tampered-pkg');
  fs.cpSync(path.join(work, 'packages', 'library-film'), pkg, { recursive: true });
  fs.appendFileSync(path.join(pkg, 'hls/master.m3u8'), '#EXT-X-FOO\n');
  await assert.rejects(
    buildContentLoad({
      packages: [pkg],
      out: path.join(work, 'never'),
      privateKeyPem: ground.privateKeyPem,
      cycle: '2026-12',
      airline: 'XA',
      fleet: 'A350',
    }),
    (e: unknown) =>
      e instanceof MediaError &&
      e.code === 'PACKAGE_INVALID' &&
      /checksum mismatch in hls\/master\.m3u8/.test(e.message),
  );
  assert.equal(fs.existsSync(path.join(work, 'never')), false);
  assert.equal(
    fs.readdirSync(work).some((f) => f.startsWith('.never')),
    false,
  );
});

test('a recommendation model is signed into the load with --reco, verified with it, and refused when changed or malformed', async () => {
  const model = {
    schemaVersion: 1,
    version: 3,
    trainedAt: '2026-11-30T00:00:00.000Z',
    trainedOn: { sessions: 2, viewings: 4 },
    titles: ['early-window', 'library-film'],
    neighbours: [[[1, 0.5]], [[0, 0.5]]],
    popular: [
      [0, 1],
      [1, 0.4],
    ],
    priors: { route: { 'LHR-NRT': [[1, 1]] }, region: {}, language: {}, timeOfDay: { evening: [[0, 1]] } },
  };
  fs.writeFileSync(path.join(work, 'model.json'), JSON.stringify(model));
  const args = [
    'load',
    'build',
    '--packages',
    'packages',
    '--key',
    'ground.key.pem',
    '--cycle',
    '2026-12',
    '--airline',
    'XA',
    '--fleet',
    'A350-900',
    '--version',
    '8',
  ];
  const r = runCli([...args, '--out', 'load-reco', '--reco', 'model.json'], work);
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(work, 'load-reco');
  const verified = await inspectContentLoad(dir, [ground.publicKeyPem], during);
  assert.deepEqual(verified.problems, []);
  assert.equal(verified.load?.recommendations?.version, 3);
  assert.deepEqual(verified.recommendations?.titles, ['early-window', 'library-film']);

  // Changed after signing: the sha256 in the signed load.json no longer matches.
  fs.writeFileSync(path.join(dir, 'recommendations/model.json'), JSON.stringify({ ...model, popular: [[1, 1]] }));
  const changed = await inspectContentLoad(dir, [ground.publicKeyPem], during);
  assert.deepEqual(
    changed.problems.map((p) => p.code),
    ['RECO_MODEL_CHECKSUM'],
  );
  assert.equal(changed.recommendations, null);
  fs.rmSync(path.join(dir, 'recommendations/model.json'));
  assert.deepEqual(
    (await verifyContentLoad(dir, [ground.publicKeyPem], during)).map((p) => p.code),
    ['RECO_MODEL_MISSING'],
  );

  // Garbage never gets signed.
  fs.writeFileSync(path.join(work, 'bad-model.json'), JSON.stringify({ ...model, neighbours: [[[99, 1]], []] }));
  const bad = runCli([...args, '--out', 'load-bad-reco', '--reco', 'bad-model.json'], work);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /RECO_MODEL_INVALID/);
  assert.equal(fs.existsSync(path.join(work, 'load-bad-reco')), false);
});
