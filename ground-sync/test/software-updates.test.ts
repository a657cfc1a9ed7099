/**
 * Software from the ground to the seats, on a real ground (PGlite) and real appliances:
 * `ifec-ground software init` and `software publish <bundle> --part-number …` (the CLI, as a
 * process) sign a TUF target with its ARINC 665-style load list and publish the repository;
 * one aircraft gets it over the gate link, another from a USB downlink bundle; both verify it
 * from their downlink store with tuf-js and agree. A small rollout aboard is audited up, and
 * the ground shows each seat's version and the rollout's progress.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test, { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { loadList, type UpdateAssignment, type UpdatesOverview, updatesPaths } from '@ifec/protocol';
import { CREDENTIALS_FILE } from '../../appliance/src/demo/first-run.ts';
import { exportDownlinkBundle } from '../src/bundles/bundles.ts';
import { aircraftSoftwareStatus } from '../src/software/fleet-status.ts';
import { startTestAircraft, startTestGround, type TestAircraft, type TestGround, tempDir, waitFor } from './support.ts';

const run = promisify(execFile);
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/ifec-ground.mjs');
const groundDir = tempDir('ifec-sw-ground-');
const repoDir = path.join(tempDir('ifec-sw-repo-'), 'repo');
const TENANT = 'air-sw';
let ground: TestGround | undefined;
const aircraft: TestAircraft[] = [];
after(async () => {
  for (const a of aircraft) await a.app.stop();
  await ground?.dispose();
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, GROUND_DATA_DIR: groundDir },
  });
  return stdout;
}

async function maintenance(a: TestAircraft): Promise<string> {
  const credentials = JSON.parse(fs.readFileSync(path.join(a.dataDir, CREDENTIALS_FILE), 'utf8')) as {
    crew: { crewId: string; pin: string; role: string }[];
  };
  const crew = credentials.crew.find((c) => c.role === 'maintenance')!;
  const res = await fetch(`${a.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function verifyDownlink(a: TestAircraft, token: string) {
  const res = await fetch(`${a.url}${updatesPaths.crewVerify}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ from: 'downlink' }),
  });
  return { status: res.status, body: (await res.json()) as { releases: { target: string; sha256: string }[] } };
}

test('the CLI signs and publishes a load; the gate link and a USB bundle both bring it; the ground sees the rollout', {
  timeout: 300_000,
}, async () => {
  const bundle = path.join(path.dirname(repoDir), 'seat-os-3.1.0.raucb');
  const bytes = crypto.randomBytes(300_000);
  fs.writeFileSync(bundle, bytes);
  await cli('tenant', 'create', TENANT, 'Air SW');
  assert.match(await cli('software', 'init', '--repo', repoDir), /root v1/);
  const published = await cli(
    'software',
    'publish',
    bundle,
    '--part-number',
    'IFE-SEAT-0042',
    '--version',
    '3.1.0',
    '--kind',
    'os-image',
    '--repo',
    repoDir,
    '--tenant',
    TENANT,
  );
  assert.match(published, /target IFE-SEAT-0042\/3\.1\.0\/seat-os-3\.1\.0\.raucb/);
  assert.match(published, /published software repository .* to the fleet of air-sw/);
  // The load list an airline's data-loading records take: part number, header, CRC-32 and SHA-256 per file.
  const list = loadList.parse(
    JSON.parse(fs.readFileSync(path.join(repoDir, 'targets', 'IFE-SEAT-0042', '3.1.0', 'load-list.json'), 'utf8')),
  );
  assert.equal(list.header.partNumber, 'IFE-SEAT-0042');
  assert.deepEqual(list.header.targetHardware, ['seat-unit']);
  assert.equal(list.files[0]!.crc32, (zlib.crc32(bytes) >>> 0).toString(16).padStart(8, '0'));
  assert.equal(list.files[0]!.sha256, crypto.createHash('sha256').update(bytes).digest('hex'));
  // A bad part number is refused by name (exit 3).
  await assert.rejects(
    cli('software', 'publish', bundle, '--part-number', 'bad part', '--version', '3.2.0', '--repo', repoDir),
    (e: { code: number; stderr: string }) => e.code === 3 && /SOFTWARE_INVALID/.test(e.stderr),
  );

  ground = await startTestGround('pglite', groundDir);
  const rootAtFlashing = path.join(repoDir, 'metadata', '1.root.json');
  // Over the gate link.
  const gate = await startTestAircraft(ground, TENANT, 'F-HSWA', {
    IFEC_GROUND_URL: ground.url,
    IFEC_UPDATES_TRUSTED_ROOT: rootAtFlashing,
  });
  aircraft.push(gate);
  await waitFor(
    async () => (await gate.app.sync.publications.list()).some((p) => p.kind === 'software' && p.state === 'active'),
    60_000,
    'the software publication to arrive over the gate link',
  );
  const gateToken = await maintenance(gate);
  const viaGate = await verifyDownlink(gate, gateToken);
  assert.equal(viaGate.status, 200, JSON.stringify(viaGate.body));
  assert.deepEqual(
    viaGate.body.releases.map((r) => r.target),
    ['IFE-SEAT-0042/3.1.0/seat-os-3.1.0.raucb'],
  );

  // By USB: an aircraft with no link imports the ground's downlink bundle.
  const usb = await startTestAircraft(ground, TENANT, 'F-HSWB', { IFEC_UPDATES_TRUSTED_ROOT: rootAtFlashing });
  aircraft.push(usb);
  const file = path.join(tempDir('ifec-sw-usb-'), 'F-HSWB.downlink.ifecb');
  await exportDownlinkBundle(ground.db, ground.signingKey, 'F-HSWB', file, { tenantId: TENANT });
  const usbToken = await maintenance(usb);
  const imported = await fetch(`${usb.url}/api/crew/sync/bundles/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${usbToken}`, 'content-type': 'application/octet-stream' },
    body: fs.readFileSync(file),
  });
  assert.equal(imported.status, 200, await imported.clone().text());
  const viaUsb = await verifyDownlink(usb, usbToken);
  assert.equal(viaUsb.status, 200, JSON.stringify(viaUsb.body));
  const same = (r: { target: string; sha256: string }) => `${r.target} ${r.sha256}`;
  assert.deepEqual(viaUsb.body.releases.map(same), viaGate.body.releases.map(same));

  // A small rollout on the gate aircraft (at the gate by default): two units report, the ground sees it.
  const credentials = JSON.parse(fs.readFileSync(path.join(gate.dataDir, CREDENTIALS_FILE), 'utf8')) as {
    seats: Record<string, string>;
  };
  const seats = Object.keys(credentials.seats).slice(0, 2);
  const started = await fetch(`${gate.url}${updatesPaths.crewRollouts}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateToken}` },
    body: JSON.stringify({ target: viaGate.body.releases[0]!.target, seats, canary: [seats[0]] }),
  });
  assert.equal(started.status, 201, await started.clone().text());
  for (const seatId of seats) {
    const login = await fetch(`${gate.url}/api/seats/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seatId, secret: credentials.seats[seatId] }),
    });
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    const assignment = await waitFor(
      async () => {
        const a = (await (
          await fetch(`${gate.url}${updatesPaths.assignment}`, { headers: auth })
        ).json()) as UpdateAssignment;
        return a.action === 'install' ? a : undefined;
      },
      30_000,
      `an install for ${seatId}`,
    );
    const got = Buffer.from(
      await (await fetch(`${gate.url}${assignment.target!.url}`, { headers: auth })).arrayBuffer(),
    );
    assert.ok(got.equals(bytes));
    for (const step of ['downloaded', 'installed', 'rebooted', 'healthy'] as const) {
      const res = await fetch(`${gate.url}${updatesPaths.report}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          rolloutId: assignment.rolloutId,
          step,
          version: step === 'downloaded' ? undefined : '3.1.0',
        }),
      });
      assert.equal(res.status, 200, await res.clone().text());
    }
  }
  const aboard = (await (
    await fetch(`${gate.url}${updatesPaths.crewOverview}`, { headers: { authorization: `Bearer ${gateToken}` } })
  ).json()) as UpdatesOverview;
  assert.equal(aboard.rollout?.state, 'done');
  const seen = await waitFor(
    async () => {
      const s = await aircraftSoftwareStatus(ground!.db, TENANT, 'F-HSWA');
      return s.rollout?.state === 'done' ? s : undefined;
    },
    60_000,
    'the ground to see the rollout done',
  );
  assert.deepEqual(seen.versions, Object.fromEntries(seats.map((s) => [s, '3.1.0'])));
  assert.deepEqual(seen.rollout!.counts, { healthy: 2 });
  assert.equal(seen.lastVerification?.action, 'updates.verified');
  // The same over the admin API, with the airline's key.
  const apiKey = await (await import('../src/tenants/tenants.ts')).issueApiKey(ground.db, TENANT, 'test');
  const viaApi = await fetch(`${ground.url}/admin/v1/aircraft/F-HSWA/software`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  assert.equal(viaApi.status, 200);
  assert.deepEqual(((await viaApi.json()) as { software: unknown }).software, JSON.parse(JSON.stringify(seen)));
  // Another tenant sees nothing of it.
  assert.equal((await aircraftSoftwareStatus(ground.db, 'someone-else', 'F-HSWA')).rollout, null);
});
