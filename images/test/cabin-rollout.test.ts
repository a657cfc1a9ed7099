/**
 * The whole update path on real parts: the real appliance in process at the gate (HTTP on
 * loopback, its journal and PGlite) verifies a TUF-signed release holding a real RAUC bundle
 * and rolls it out; a seat unit on loop devices (./rauc-rig.ts: RAUC's service, A/B slots, a
 * file-backed bootloader) runs the update agent with the cabin transport and its provisioned
 * identity. Good health → slot marked good, the appliance shows it healthy; health that does
 * not come in time → the appliance says roll back, the slot is marked bad, the old slot boots,
 * the appliance records rolled-back. Skipped, with one line, where RAUC cannot run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { type FlightPhase, type UpdatesOverview, updatesPaths } from '@ifec/protocol';
import { crewToken, startTestAppliance, type TestAppliance, tempDir } from '../../appliance/test/support.ts';
import { addLoad } from '../../ground-sync/src/software/publish.ts';
import { SoftwareRepository } from '../../ground-sync/src/software/repository.ts';
import { CabinTransport } from '../src/unit-agent/cabin-transport.ts';
import { UpdateAgent } from '../src/unit-agent/update-agent.ts';
import { RaucRig, raucUnavailable } from './rauc-rig.ts';

const unavailable = raucUnavailable();
if (unavailable) console.log(`cabin rollout on RAUC skipped: ${unavailable}`);

describe('a RAUC seat unit updated by the real appliance over the cabin transport', { skip: unavailable }, () => {
  const work = tempDir('ifec-cabin-rollout-');
  const dataDir = tempDir('ifec-cabin-app-');
  const repoDir = path.join(work, 'repo');
  let app: TestAppliance;
  let token: string;
  let target: string;
  let rig: RaucRig | undefined;
  /** Each rollout needs a unit whose bundle the appliance verified: one signing rig for both. */
  let signer: RaucRig;

  function setPhase(phase: FlightPhase): void {
    fs.mkdirSync(path.join(dataDir, 'flight'), { recursive: true });
    fs.writeFileSync(
      path.join(dataDir, 'flight', 'state.json'),
      JSON.stringify({
        flightNumber: null,
        origin: null,
        destination: null,
        phase: { phase, since: 0, previous: null },
      }),
    );
  }

  async function crew(method: string, url: string, body?: unknown) {
    const res = await fetch(`${app.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  before(async () => {
    // The bundle is signed with the signer rig's certificate; each unit's RAUC trusts that one.
    signer = new RaucRig();
    signer.setUp('0.0.0');
    const repo = SoftwareRepository.create(repoDir);
    const bundle = signer.bundle('2.0.0');
    ({ target } = addLoad(repo, { file: bundle, partNumber: 'IFE-SEAT-0200', version: '2.0.0', kind: 'os-image' }));
    setPhase('gate');
    app = await startTestAppliance(
      { IFEC_AIRCRAFT: 'a380', IFEC_UPDATES_TRUSTED_ROOT: path.join(repoDir, 'metadata', '1.root.json') },
      dataDir,
    );
    assert.equal(app.flight.state.phase, 'gate');
    token = await crewToken(
      app,
      app.credentials.crew.findIndex((c) => c.role === 'maintenance'),
    );
    const verified = await crew('POST', updatesPaths.crewVerify, { from: 'folder', dir: repoDir });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
  });
  after(async () => {
    await app?.stop();
    await signer?.tearDown();
    fs.rmSync(work, { recursive: true, force: true });
  });
  afterEach(async () => {
    await rig?.tearDown();
    rig = undefined;
  });

  /** A unit on 1.0.0 in slot A, trusting the signer's certificate, with the agent on the cabin transport. */
  async function unit(seatId: string, probe: () => Promise<boolean>) {
    rig = new RaucRig();
    rig.setUp('1.0.0');
    fs.copyFileSync(path.join(signer.dir, 'signing.cert.pem'), path.join(rig.dir, 'signing.cert.pem'));
    assert.equal(await rig.powerOn(), 'A');
    const r = rig;
    const identityFile = path.join(r.dir, 'seat-unit.json');
    fs.writeFileSync(
      identityFile,
      JSON.stringify({ seatId, secret: app.credentials.seats[seatId], applianceUrl: app.url }),
      { mode: 0o600 },
    );
    const reboots: string[] = [];
    const agent = new UpdateAgent({
      rauc: r.rauc,
      transport: new CabinTransport({ identity: CabinTransport.identityFromFile(identityFile) }),
      stateDir: r.dataDir,
      runningVersion: async () => {
        const booted = (await r.rauc.status()).booted;
        return r.slotVersion(booted as 'A' | 'B');
      },
      reboot: async () => {
        reboots.push((await r.rauc.status()).booted);
      },
      probe,
      healthDeadlineMs: 600_000,
      healthIntervalMs: 100,
      rollbackWaitMs: 120_000,
    });
    assert.equal(await agent.afterBoot(), undefined, 'nothing pending on the factory slot');
    return { agent, reboots, r };
  }

  async function unitRow(seatId: string) {
    const o = (await crew('GET', updatesPaths.crewOverview)).body as unknown as UpdatesOverview;
    return { o, row: o.rollout?.units.find((u) => u.seatId === seatId) };
  }

  test('assigned, installed into the inactive slot, rebooted, healthy in time, marked good; the appliance shows it healthy', {
    timeout: 300_000,
  }, async () => {
    const seatId = Object.keys(app.credentials.seats)[0]!;
    const started = await crew('POST', updatesPaths.crewRollouts, {
      target,
      canary: [seatId],
      seats: [seatId],
      healthDeadlineS: 600,
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    // Healthy: the slot running holds the installed version.
    const { agent, reboots, r } = await unit(
      seatId,
      async () => r.slotVersion('B') === '2.0.0' && (await r.rauc.status()).booted === 'B',
    );

    const polled = await agent.poll();
    assert.deepEqual(polled.outcome, { did: 'installed', version: '2.0.0' });
    assert.deepEqual(reboots, ['A'], 'the agent asked for a reboot while still on A');
    assert.equal(r.slotVersion('B'), '2.0.0', 'RAUC wrote the bundle into slot B');
    assert.equal(r.slotVersion('A'), '1.0.0', 'slot A is untouched');
    assert.equal((await unitRow(seatId)).row?.state, 'installed');

    await r.powerOff();
    assert.equal(await r.powerOn(), 'B');
    const report = await agent.afterBoot();
    assert.equal(report?.step, 'healthy');
    assert.equal(report?.version, '2.0.0');
    const status = await r.rauc.status();
    assert.equal(status.slots.find((s) => s.bootname === 'B')?.bootStatus, 'good', 'RAUC marked B good');
    assert.equal(agent.pending(), undefined);

    const { o, row } = await unitRow(seatId);
    assert.equal(row?.state, 'healthy');
    assert.equal(row?.version, '2.0.0');
    assert.equal(o.versions[seatId], '2.0.0');
    assert.equal(o.rollout?.state, 'done');
    // Asked again, the unit already runs the target: nothing to do.
    assert.equal((await agent.poll()).outcome.did, 'nothing');
    await r.powerOff();
    assert.equal(await r.powerOn(), 'B', 'a confirmed slot keeps booting');
  });

  test('health that does not come in time: the appliance says roll back, B is marked bad, A boots, rolled-back recorded', {
    timeout: 300_000,
  }, async () => {
    const seatId = Object.keys(app.credentials.seats)[1]!;
    const started = await crew('POST', updatesPaths.crewRollouts, {
      target,
      canary: [seatId],
      seats: [seatId],
      healthDeadlineS: 5,
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const { agent, reboots, r } = await unit(seatId, async () => {
      throw new Error('the kiosk did not start');
    });
    assert.deepEqual((await agent.poll()).outcome, { did: 'installed', version: '2.0.0' });
    await r.powerOff();
    assert.equal(await r.powerOn(), 'B');

    // Waits for health until the rollout's deadline, then for the appliance's roll-back.
    assert.equal(await agent.afterBoot(), undefined, 'rolled-back is reported from the old slot');
    assert.deepEqual(reboots, ['A', 'B'], 'installed on A, then rolled back from B');
    assert.equal((await r.rauc.status()).slots.find((s) => s.bootname === 'B')?.bootStatus, 'bad', 'RAUC holds B bad');
    assert.equal(r.bootStateNow().ORDER, 'A B', 'A is primary again');
    assert.equal((await unitRow(seatId)).row?.state, 'timed-out');

    await r.powerOff();
    assert.equal(await r.powerOn(), 'A', 'the old slot boots');
    const report = await agent.afterBoot();
    assert.equal(report?.step, 'rolled-back');
    assert.equal(report?.version, '1.0.0');
    assert.match(report?.detail ?? '', /not healthy within .*the kiosk did not start; the appliance said roll back/);

    const { o, row } = await unitRow(seatId);
    assert.equal(row?.state, 'rolled-back');
    assert.equal(row?.version, '1.0.0');
    assert.equal(o.rollout?.state, 'stopped');
    assert.equal(agent.pending(), undefined);
    assert.equal(await agent.afterBoot(), undefined, 'nothing left to decide');
    await r.powerOff();
    assert.equal(await r.powerOn(), 'A', 'and keeps booting');
  });
});
