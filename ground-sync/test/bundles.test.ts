/**
 * USB bundles between a real appliance and a real ground (PGlite): a bundle exported twice
 * and imported twice leaves no duplicates; USB and network mixed leave no duplicates and no
 * gaps; a tampered bundle, one for another aircraft and an old one replayed are refused with
 * the reason and change nothing. The two CLIs do the same on stopped processes.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test, { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadOrCreateIdentity } from '../../appliance/src/sync/identity.ts';
import { exportDownlinkBundle, importUplinkBundle } from '../src/bundles/bundles.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import {
  applianceEnv,
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
} from './support.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let ground: TestGround;
let link: LinkEmulator;
let aircraft: TestAircraft;
let token: string;
let apiKey: string;
const dir = tempDir('ifec-bundles-');
const TAIL = 'F-HMIX';

let lastExportSummary: string | null = null;

async function crewExport(file: string): Promise<number> {
  const res = await fetch(`${aircraft.url}/api/crew/sync/bundles/export`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  lastExportSummary = res.headers.get('x-ifec-bundle-summary');
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return Number(res.headers.get('x-ifec-bundle-sequence'));
}

async function crewImport(file: string): Promise<{
  status: number;
  body: { imported?: { acked: { critical: number; bulk: number } }; error?: { code: string; message: string } };
}> {
  const res = await fetch(`${aircraft.url}/api/crew/sync/bundles/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(fs.readFileSync(file)),
  });
  return { status: res.status, body: (await res.json()) as never };
}

async function groundImport(file: string) {
  const res = await fetch(`${ground.url}/admin/v1/bundles/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(fs.readFileSync(file)),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      imported?: { stored: number; acked: { critical: number; bulk: number } };
      error?: { code: string; message: string };
    },
  };
}

async function pa(action: 'start' | 'stop') {
  const res = await fetch(`${aircraft.url}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(action === 'start' ? { action, announcementId: 'seatbelt' } : { action }),
  });
  assert.ok(res.ok, await res.text());
}

before(async () => {
  ground = await startTestGround('pglite');
  apiKey = await tenantWithKey(ground, 'air-mix');
  link = await LinkEmulator.start({ host: '127.0.0.1', port: ground.port });
  aircraft = await startTestAircraft(ground, 'air-mix', TAIL, {
    IFEC_GROUND_URL: link.url,
    IFEC_SYNC_BATCH_RECORDS: '500',
  });
  // The network passes are driven by the test, one at a time.
  await aircraft.app.sync.service.stop();
  token = await crewToken(aircraft.url, aircraft.dataDir);
});
after(async () => {
  await aircraft?.app.stop();
  await link?.close();
  await ground?.dispose();
});

test('a bundle exported twice and imported twice: every record once', async () => {
  await pa('start');
  await pa('stop');
  await produceSeatHealth(aircraft.app, 3000);
  const first = path.join(dir, 'up-1.ifecb');
  const second = path.join(dir, 'up-2.ifecb');
  const s1 = await crewExport(first);
  await produceSeatHealth(aircraft.app, 1000, Date.UTC(2026, 10, 26));
  const s2 = await crewExport(second);
  assert.ok(s2 > s1);
  const a = await groundImport(first);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  const b = await importUplinkBundle(ground.db, second, { aircraftId: TAIL });
  // The second export's own audit record is written after it: it waits for the next bundle.
  const all = await outboxRows(aircraft.app);
  const expected = all.slice(0, -1);
  const { rows: last } = await aircraft.app.store.query<{ kind: string; action: string }>(
    'SELECT o.kind, a.action FROM outbox o JOIN audit a ON a.id = o.id WHERE o.seq = $1',
    [all.at(-1)!.seq],
  );
  assert.deepEqual(last[0], { kind: 'audit', action: 'sync.bundle-export' });
  assert.equal(a.body.imported!.stored + b.stored, expected.length, 'the overlap is stored once');
  assert.deepEqual(await groundRows(ground, TAIL), expected);
  assert.equal(
    expected.length,
    4004,
    '2 PA audit records + 4,000 seat summaries + the crew login and the first export, audited',
  );
  // Each stream is acknowledged up to the journal position the export saw, past the last record of the other stream too.
  assert.deepEqual(b.acked, { critical: expected.at(-1)!.seq, bulk: expected.at(-1)!.seq });
  // A crew export answers with its summary (what the maintenance screen shows).
  const summary = JSON.parse(lastExportSummary!) as {
    records: number;
    critical: { records: number };
    bulk: { records: number };
    bytes: number;
  };
  assert.equal(summary.records, summary.critical.records + summary.bulk.records);
  assert.equal(summary.bytes, fs.statSync(second).size);
});

test('an old bundle replayed, a tampered one, one for another aircraft: refused with the reason, nothing stored', async () => {
  const held = (await groundRows(ground, TAIL)).length;
  const again = await groundImport(path.join(dir, 'up-1.ifecb'));
  assert.equal(again.status, 422);
  assert.equal(again.body.error!.code, 'BUNDLE_REPLAYED');
  assert.match(again.body.error!.message, /old bundle replayed/);

  await produceSeatHealth(aircraft.app, 200, Date.UTC(2026, 10, 27));
  const fresh = path.join(dir, 'up-3.ifecb');
  await crewExport(fresh);
  const bytes = fs.readFileSync(fresh);
  const tamperedBlob = Buffer.from(bytes);
  const at = tamperedBlob.length - 10; // inside the last batch
  tamperedBlob.writeUInt8(tamperedBlob.readUInt8(at) ^ 0xff, at);
  fs.writeFileSync(path.join(dir, 'tampered-blob.ifecb'), tamperedBlob);
  const r1 = await groundImport(path.join(dir, 'tampered-blob.ifecb'));
  assert.deepEqual([r1.status, r1.body.error!.code], [422, 'BUNDLE_BLOB_CHECKSUM']);
  const text = bytes.toString('latin1');
  // Same length, one character changed inside the signed header.
  const tamperedHeader = Buffer.from(text.replace('"createdAt":"20', '"createdAt":"19'), 'latin1');
  assert.equal(tamperedHeader.length, bytes.length);
  fs.writeFileSync(path.join(dir, 'tampered-header.ifecb'), tamperedHeader);
  const r2 = await groundImport(path.join(dir, 'tampered-header.ifecb'));
  assert.deepEqual([r2.status, r2.body.error!.code], [422, 'BUNDLE_SIGNATURE']);
  // Expecting another aircraft's bundle at the gate: refused.
  await assert.rejects(importUplinkBundle(ground.db, fresh, { aircraftId: 'F-HOTH' }), {
    code: 'BUNDLE_WRONG_AIRCRAFT',
  });
  assert.equal((await groundRows(ground, TAIL)).length, held, 'nothing stored from refused bundles');
  // The good one still imports.
  assert.equal((await groundImport(fresh)).status, 200);

  // Downlink side: a bundle for another aircraft, a tampered one, an old one replayed.
  const other = loadOrCreateIdentity(tempDir('ifec-other-'));
  await registerAircraft(ground.db, 'air-mix', 'F-HOTH', other.publicKeyPem);
  await exportDownlinkBundle(ground.db, ground.signingKey, 'F-HOTH', path.join(dir, 'down-other.ifecb'));
  const wrong = await crewImport(path.join(dir, 'down-other.ifecb'));
  assert.deepEqual([wrong.status, wrong.body.error!.code], [422, 'BUNDLE_WRONG_AIRCRAFT']);
  await exportDownlinkBundle(ground.db, ground.signingKey, TAIL, path.join(dir, 'down-1.ifecb'));
  await exportDownlinkBundle(ground.db, ground.signingKey, TAIL, path.join(dir, 'down-2.ifecb'));
  const d1 = fs.readFileSync(path.join(dir, 'down-1.ifecb'));
  const forged = Buffer.from(d1.toString('latin1').replace('"expiresAt":"20', '"expiresAt":"29'), 'latin1');
  fs.writeFileSync(path.join(dir, 'down-forged.ifecb'), forged);
  const f = await crewImport(path.join(dir, 'down-forged.ifecb'));
  assert.deepEqual([f.status, f.body.error!.code], [422, 'BUNDLE_SIGNATURE']);
  assert.equal((await crewImport(path.join(dir, 'down-2.ifecb'))).status, 200);
  const old = await crewImport(path.join(dir, 'down-1.ifecb'));
  assert.deepEqual([old.status, old.body.error!.code], [422, 'BUNDLE_REPLAYED']);
});

test('USB and network mixed: no duplicates, no gaps', async () => {
  await produceSeatHealth(aircraft.app, 4000, Date.UTC(2026, 10, 28));
  await pa('start');
  // The network pass is cut part-way.
  link.cutAtBytes([20_000]);
  await assert.rejects(aircraft.app.sync.service.syncOnce());
  const partial = (await groundRows(ground, TAIL)).length;
  const total = (await outboxRows(aircraft.app)).length;
  assert.ok(partial < total, `the cut left records behind (${partial}/${total})`);
  // A stick carries the rest from where the aircraft last heard; meanwhile more records arrive.
  const stick = path.join(dir, 'up-mixed.ifecb');
  await crewExport(stick);
  await produceSeatHealth(aircraft.app, 700, Date.UTC(2026, 10, 29));
  await pa('stop');
  assert.equal((await groundImport(stick)).status, 200);
  // The network comes back and finishes.
  await aircraft.app.sync.service.syncOnce();
  const expected = await outboxRows(aircraft.app);
  const held = await groundRows(ground, TAIL);
  assert.deepEqual(held, expected, 'every record once, none missing');
  const status = await aircraft.app.sync.service.status();
  assert.deepEqual(status.backlog, { critical: 0, bulk: 0 });
  assert.equal(Math.max(status.acked.bulk, status.acked.critical), expected.at(-1)!.seq);
});

test('the CLIs export and import the same bundles on stopped processes, and refuse with exit code 3', async () => {
  await aircraft.app.stop();
  await ground.stop();
  const env = {
    ...process.env,
    ...applianceEnv(aircraft.dataDir, {
      IFEC_TAIL_NUMBER: TAIL,
      IFEC_GROUND_PUBLIC_KEY: path.join(aircraft.dataDir, 'ground-public-key.pem'),
    }),
    GROUND_DATA_DIR: ground.dataDir,
  };
  const tsx = ['--import', 'tsx'];
  const exported = await run(
    process.execPath,
    [...tsx, path.join(root, 'appliance/src/sync/cli.ts'), 'export-bundle', path.join(dir, 'cli-up.ifecb')],
    { env, cwd: root },
  );
  assert.match(exported.stdout, /uplink bundle \d+ for F-HMIX/);
  const imported = await run(
    process.execPath,
    [
      ...tsx,
      path.join(root, 'ground-sync/src/cli.ts'),
      'bundle',
      'import',
      path.join(dir, 'cli-up.ifecb'),
      '--aircraft',
      TAIL,
    ],
    { env, cwd: root },
  );
  assert.match(imported.stdout, /uplink bundle \d+ from F-HMIX: \d+ batches, \d+ records, 0 new/);
  const replay = await run(
    process.execPath,
    [...tsx, path.join(root, 'ground-sync/src/cli.ts'), 'bundle', 'import', path.join(dir, 'cli-up.ifecb')],
    { env, cwd: root },
  );
  assert.match(replay.stdout, /uplink bundle \d+ from F-HMIX: already imported, nothing to do/);
  const down = await run(
    process.execPath,
    [...tsx, path.join(root, 'ground-sync/src/cli.ts'), 'bundle', 'export', TAIL, path.join(dir, 'cli-down.ifecb')],
    { env, cwd: root },
  );
  assert.match(down.stdout, /downlink bundle \d+ for F-HMIX/);
  const applied = await run(
    process.execPath,
    [...tsx, path.join(root, 'appliance/src/sync/cli.ts'), 'import-bundle', path.join(dir, 'cli-down.ifecb')],
    { env, cwd: root },
  );
  assert.match(applied.stdout, /downlink bundle \d+: \d+ publications/);
  // The same stick again: success, nothing applied (exit 0).
  const again = await run(
    process.execPath,
    [...tsx, path.join(root, 'appliance/src/sync/cli.ts'), 'import-bundle', path.join(dir, 'cli-down.ifecb')],
    { env, cwd: root },
  );
  assert.match(again.stdout, /downlink bundle \d+: already imported, nothing to do/);
});
