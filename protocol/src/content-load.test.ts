import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { contentLoad, titleMetadata, type UnsignedContentLoad } from './index.ts';
import {
  canonicalJson,
  checkLoadSignature,
  generateSigningKeys,
  publicKeyFingerprint,
  signContentLoad,
  verifyContentLoad,
} from './node.ts';

const unsigned: UnsignedContentLoad = {
  schemaVersion: 1,
  id: 'XA-A350-2026-12-1',
  cycle: '2026-12',
  airline: 'XA',
  fleet: 'A350',
  version: 1,
  createdAt: '2026-11-25T10:00:00Z',
  expiresAt: '2027-02-01T00:00:00Z',
  packages: [],
  keys: [],
};

test('canonical JSON sorts keys at every level and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
  );
});

test('a signed load verifies with its key and fails with another or when changed', () => {
  const keys = generateSigningKeys();
  const other = generateSigningKeys();
  const load = signContentLoad(unsigned, keys.privateKeyPem);
  assert.equal(contentLoad.parse(load).signature.keyId, publicKeyFingerprint(keys.publicKeyPem));
  assert.equal(checkLoadSignature(load, [other.publicKeyPem, keys.publicKeyPem]), null);
  assert.equal(checkLoadSignature(load, [other.publicKeyPem])?.code, 'SIGNATURE_UNTRUSTED');
  assert.equal(checkLoadSignature({ ...load, fleet: 'A320' }, [keys.publicKeyPem])?.code, 'SIGNATURE_INVALID');
});

test('verifyContentLoad names a missing load.json and an expired load', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-load-'));
  try {
    const keys = generateSigningKeys();
    assert.deepEqual(
      (await verifyContentLoad(dir, [keys.publicKeyPem], new Date())).map((p) => p.code),
      ['LOAD_MISSING'],
    );
    fs.writeFileSync(path.join(dir, 'load.json'), JSON.stringify(signContentLoad(unsigned, keys.privateKeyPem)));
    assert.deepEqual(await verifyContentLoad(dir, [keys.publicKeyPem], new Date('2026-12-15T00:00:00Z')), []);
    const late = await verifyContentLoad(dir, [keys.publicKeyPem], new Date('2027-03-01T00:00:00Z'));
    assert.deepEqual(
      late.map((p) => p.code),
      ['LOAD_EXPIRED'],
    );
    const rollback = await verifyContentLoad(dir, [keys.publicKeyPem], new Date('2026-12-15T00:00:00Z'), {
      activeVersion: 2,
    });
    assert.deepEqual(
      rollback.map((p) => p.code),
      ['LOAD_ROLLBACK'],
    );
    assert.deepEqual(
      await verifyContentLoad(dir, [keys.publicKeyPem], new Date('2026-12-15T00:00:00Z'), { activeVersion: 1 }),
      [],
    );
    fs.writeFileSync(path.join(dir, 'load.json'), '{"id":');
    assert.equal((await verifyContentLoad(dir, [keys.publicKeyPem], new Date()))[0]?.code, 'LOAD_INVALID');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('title metadata: an episode needs its series, ids are path-safe, EIDR is checked', () => {
  const base = {
    id: 'jet-stream-s1e1',
    kind: 'episode',
    titles: { en: 'Departure' },
    synopses: { en: 'x' },
    genres: [],
    cast: [],
    rating: { system: 'TVPG', value: 'TV-PG' },
    originalLanguage: 'en',
    licence: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
    regions: { allowed: ['*'], blocked: [] },
    rights: 'all-devices',
    priceTier: 'included',
  };
  const noSeries = titleMetadata.safeParse(base);
  assert.equal(noSeries.success, false);
  assert.deepEqual(
    noSeries.error?.issues.map((i) => i.path.join('.')),
    ['series'],
  );
  assert.equal(
    titleMetadata.safeParse({
      ...base,
      series: { id: 'jet-stream', titles: { en: 'Jet Stream' }, season: 1, episode: 1 },
    }).success,
    true,
  );
  assert.equal(titleMetadata.safeParse({ ...base, kind: 'movie', id: '../etc' }).success, false);
  assert.equal(
    titleMetadata.safeParse({ ...base, kind: 'movie', eidr: '10.5240/7791-8534-2C23-9030-8610-5' }).success,
    true,
  );
  assert.equal(
    titleMetadata.safeParse({
      ...base,
      kind: 'movie',
      licence: { start: '2027-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
    }).success,
    false,
  );
});
