/**
 * Downlink and links on a real appliance and a real ground (PGlite): publications (policy,
 * price list, deny list, a content load with files) reach the aircraft over a gate link; a
 * cut in the middle of a file resumes by Range instead of starting over; the load is checked
 * and activated; the state shows on GET /api/crew/sync and on MQTT sync/status (retained).
 * Over satcom only the critical stream moves, and the byte budget stops it.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test, { after, before } from 'node:test';
import { syncStatus, type UnsignedContentLoad } from '@ifec/protocol';
import { signContentLoad } from '@ifec/protocol/node';
import mqtt from 'mqtt';
import { CREDENTIALS_FILE } from '../../appliance/src/demo/first-run.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import {
  crewToken,
  groundRows,
  outboxRows,
  produceSeatHealth,
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tempDir,
  tenantWithKey,
  waitFor,
} from './support.ts';

const TAIL = 'F-HDWN';
let ground: TestGround;
let link: LinkEmulator;
let aircraft: TestAircraft;
let apiKey: string;
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const admin = (method: string, p: string, body?: unknown, raw?: Buffer) =>
  fetch(`${ground.url}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': raw ? 'application/octet-stream' : 'application/json',
    },
    body: raw ? new Uint8Array(raw) : body !== undefined ? JSON.stringify(body) : undefined,
  });

before(async () => {
  ground = await startTestGround('pglite');
  apiKey = await tenantWithKey(ground, 'air-dl');
  link = await LinkEmulator.start({ host: '127.0.0.1', port: ground.port });
  const dataDir = tempDir('ifec-aircraft-dl-');
  // The test signs its content load with the ground key, so the media domain trusts that key.
  fs.writeFileSync(path.join(dataDir, 'content-key.pem'), ground.publicKeyPem);
  aircraft = await startTestAircraft(
    ground,
    'air-dl',
    TAIL,
    { IFEC_GROUND_URL: link.url, IFEC_CONTENT_TRUSTED_KEYS: path.join(dataDir, 'content-key.pem') },
    dataDir,
  );
});
after(async () => {
  await aircraft?.app.stop();
  await link?.close();
  await ground?.dispose();
});

test('publications and a content load arrive over the gate link; a cut file download resumes by Range; the load is activated', async () => {
  const keyId = crypto.randomBytes(16).toString('hex');
  const keyBytes = crypto.randomBytes(16);
  const video = crypto.randomBytes(3 * 1024 * 1024);
  const now = Date.now();
  const unsigned: UnsignedContentLoad = {
    schemaVersion: 1,
    id: 'XA-TEST-2026-12-v1',
    cycle: '2026-12',
    airline: 'Air DL',
    fleet: 'A320',
    version: 1,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 30 * 86400_000).toISOString(),
    packages: [],
    keys: [{ keyId, path: `keys/${keyId}.key`, sha256: sha(keyBytes) }],
  };
  const loadJson = Buffer.from(JSON.stringify(signContentLoad(unsigned, ground.signingKey)));
  const files = [
    { path: 'load.json', bytes: loadJson },
    { path: `keys/${keyId}.key`, bytes: keyBytes },
    { path: 'extras/safety-video.bin', bytes: video },
  ];
  for (const f of files)
    assert.equal((await admin('PUT', `/admin/v1/files/${sha(f.bytes)}`, undefined, f.bytes)).status, 201, f.path);
  const publish = async (body: unknown) => {
    const res = await admin('POST', '/admin/v1/publications', body);
    assert.equal(res.status, 201, await res.clone().text());
  };
  await publish({
    kind: 'policy',
    name: 'geo',
    version: 3,
    aircraftId: null,
    payload: { wifi: { FR: true, IR: false } },
  });
  await publish({
    kind: 'price-list',
    name: 'EUR',
    version: 12,
    aircraftId: TAIL,
    payload: { items: [{ sku: 'WIFI-1H', price: 7.99 }] },
  });
  await publish({
    kind: 'deny-list',
    name: 'cards',
    version: 40,
    aircraftId: null,
    payload: { binHashes: ['ab12', 'cd34'] },
  });
  await publish({
    kind: 'content-load',
    name: 'XA-TEST',
    version: 1,
    aircraftId: null,
    payload: { loadId: unsigned.id },
    files: files.map((f) => ({ path: f.path, size: f.bytes.length, sha256: sha(f.bytes) })),
  });
  // Cut the link in the middle of the 3 MB file.
  const carriedBefore = link.bytesCarried;
  link.cutAtBytes([carriedBefore + 1_500_000]);
  aircraft.app.sync.service.wake();
  await waitFor(
    async () =>
      (await aircraft.app.sync.publications.list()).every((p) => p.state === 'active') &&
      (await aircraft.app.sync.publications.list()).length === 4,
    120_000,
    'every publication active',
  );
  assert.equal(link.cuts, 1, 'the download was cut once');
  assert.ok(
    link.bytesCarried - carriedBefore < video.length + 1_000_000,
    `resumed, not restarted (${link.bytesCarried - carriedBefore} bytes)`,
  );
  const list = await aircraft.app.sync.publications.list();
  assert.deepEqual(
    list.map((p) => [p.kind, p.state]),
    [
      ['policy', 'active'],
      ['price-list', 'active'],
      ['deny-list', 'active'],
      ['content-load', 'active'],
    ],
  );
  assert.deepEqual((await aircraft.app.sync.publications.latest('policy'))?.payload, { wifi: { FR: true, IR: false } });
  const { rows } = await aircraft.app.store.query<{ value: { loadId: string } }>(
    "SELECT value FROM media_state WHERE key = 'active-content-load'",
  );
  assert.equal(rows[0]?.value.loadId, unsigned.id, 'the media domain activated the verified load');
  assert.ok(fs.readFileSync(path.join(aircraft.dataDir, 'sync/files', sha(video))).equals(video));
  // The ground knows the aircraft applied them.
  const status = (await (await admin('GET', `/admin/v1/aircraft/${TAIL}`)).json()) as {
    aircraft: { downlinkApplied: number; lastLink: string };
  };
  await waitFor(
    async () =>
      ((await (await admin('GET', `/admin/v1/aircraft/${TAIL}`)).json()) as typeof status).aircraft.downlinkApplied ===
      4,
    20_000,
    'downlinkApplied reported',
  );
  assert.equal(status.aircraft.lastLink, 'gate');
});

test('sync state on GET /api/crew/sync and retained on MQTT sync/status', async () => {
  await produceSeatHealth(aircraft.app, 500);
  aircraft.app.sync.service.wake();
  const token = await crewToken(aircraft.url, aircraft.dataDir);
  const body = await waitFor(
    async () => {
      const res = await fetch(`${aircraft.url}/api/crew/sync`, { headers: { authorization: `Bearer ${token}` } });
      const b = (await res.json()) as {
        status: { link: string; state: string; backlog: { bulk: number } };
        publicKey: string;
      };
      return b.status.backlog.bulk === 0 && b.status.state === 'idle' ? b : undefined;
    },
    60_000,
    'caught up',
  );
  assert.equal(body.status.link, 'gate');
  assert.match(body.publicKey, /BEGIN PUBLIC KEY/);
  assert.equal((await fetch(`${aircraft.url}/api/crew/sync`)).status, 401);
  const credentials = JSON.parse(fs.readFileSync(path.join(aircraft.dataDir, CREDENTIALS_FILE), 'utf8')) as {
    seats: Record<string, string>;
  };
  const [seatId, secret] = Object.entries(credentials.seats)[0]!;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${aircraft.app.mqttPort}`, {
    username: `seat:${seatId}`,
    password: secret,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  try {
    // A live status publish may arrive before the retained copy: wait for the one flagged retained.
    const message = new Promise<{ payload: Buffer; retain: boolean }>((resolve) =>
      client.on('message', (_t, payload, packet) => {
        if (packet.retain) resolve({ payload, retain: packet.retain });
      }),
    );
    await client.subscribeAsync('sync/status', { qos: 1 });
    const { payload, retain } = await message;
    assert.equal(retain, true);
    const status = syncStatus.parse(JSON.parse(payload.toString('utf8')));
    assert.equal(status.aircraftId, TAIL);
    assert.equal(status.link, 'gate');
  } finally {
    await client.endAsync();
  }
});

test('over satcom only critical records move, within the byte budget', async () => {
  const dataDir = aircraft.dataDir;
  await aircraft.app.stop();
  aircraft = await startTestAircraft(
    undefined,
    undefined,
    TAIL,
    { IFEC_GROUND_SATCOM_URL: link.url, IFEC_GROUND_PUBLIC_KEY: path.join(dataDir, 'ground-public-key.pem') },
    dataDir,
  );
  const token = await crewToken(aircraft.url, dataDir);
  const heldBefore = (await groundRows(ground, TAIL)).length;
  await produceSeatHealth(aircraft.app, 1000, Date.UTC(2026, 11, 1));
  for (const action of ['start', 'stop']) {
    const res = await fetch(`${aircraft.url}/api/crew/pa`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(action === 'start' ? { action, text: 'Cabin crew, prepare for landing' } : { action }),
    });
    assert.ok(res.ok);
  }
  aircraft.app.sync.service.wake();
  const status = await waitFor(
    async () => {
      const s = await aircraft.app.sync.service.status();
      return s.backlog.critical === 0 && s.link === 'satcom' && s.state === 'idle' ? s : undefined;
    },
    60_000,
    'critical records sent over satcom',
  );
  const held = await groundRows(ground, TAIL);
  assert.equal(held.length, heldBefore + 3, 'the crew login and the two PA audit records, no statistics');
  assert.equal(status.backlog.bulk, 1000, 'statistics wait for the gate');
  assert.ok(status.satcomBytesUsed > 0 && status.satcomBytesUsed < status.satcomBudgetBytes);
  const all = await outboxRows(aircraft.app);
  assert.ok(all.length > held.length);

  // With the budget spent, even critical records wait.
  await aircraft.app.stop();
  aircraft = await startTestAircraft(
    undefined,
    undefined,
    TAIL,
    {
      IFEC_GROUND_SATCOM_URL: link.url,
      IFEC_GROUND_PUBLIC_KEY: path.join(dataDir, 'ground-public-key.pem'),
      IFEC_SYNC_SATCOM_BUDGET_BYTES: String(status.satcomBytesUsed + 100),
    },
    dataDir,
  );
  const res = await fetch(`${aircraft.url}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await crewToken(aircraft.url, dataDir)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'start', text: 'Budget test' }),
  });
  assert.ok(res.ok);
  aircraft.app.sync.service.wake();
  const spent = await waitFor(
    async () => {
      const s = await aircraft.app.sync.service.status();
      return s.state === 'budget-exhausted' ? s : undefined;
    },
    60_000,
    'budget exhausted',
  );
  assert.equal(spent.backlog.critical, 2, 'the crew login and the PA, audited');
  assert.ok(
    spent.satcomBytesUsed <= spent.satcomBudgetBytes + 2000,
    'stays about within the budget (requests already sent finish)',
  );
  assert.equal((await groundRows(ground, TAIL)).length, heldBefore + 3);
});
