/**
 * The seat unit's A/B update on RAUC itself: real signed bundles (`rauc bundle`, a test
 * certificate from openssl), RAUC's service installing into the inactive slot of a GPT disk
 * image attached as loop devices, its boot state held by the custom backend (a file). Skipped,
 * with one line saying why, where loop devices or RAUC cannot be used.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import type { UpdateAssignment } from '@ifec/protocol';
import { FolderTransport } from '../src/unit-agent/folder-transport.ts';
import { RaucError } from '../src/unit-agent/rauc.ts';
import { UpdateAgent, UpdateRefused } from '../src/unit-agent/update-agent.ts';
import { RaucRig, raucUnavailable } from './rauc-rig.ts';

const unavailable = raucUnavailable();
if (unavailable) console.log(`RAUC A/B test skipped: ${unavailable}`);

/** Puts the bundle on the stick with an `install` assignment (protocol/src/updates.ts) naming it. */
function offerFor(bundle: string, folder: string, version: string): UpdateAssignment {
  const bytes = fs.readFileSync(bundle);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(bundle, path.join(folder, `${sha256}.raucb`));
  const assignment: UpdateAssignment = {
    seatId: '12A',
    action: 'install',
    rolloutId: 'stick-1',
    target: {
      name: `IFE-SEAT-0100/${version}/seat.raucb`,
      partNumber: 'IFE-SEAT-0100',
      version,
      length: bytes.length,
      sha256,
      url: `${sha256}.raucb`,
    },
    pollAfterS: 60,
  };
  fs.writeFileSync(path.join(folder, 'assignment.json'), JSON.stringify(assignment));
  return assignment;
}

describe('seat unit update on RAUC (A/B slots on loop devices)', { skip: unavailable }, () => {
  let rig: RaucRig;
  afterEach(async () => {
    await rig?.tearDown();
  });

  /** A unit running 1.0.0 from slot A, with an agent whose transport is a folder and whose health is `probe`. */
  async function unitOnV1(probe: () => Promise<boolean>, healthDeadlineMs = 20_000) {
    rig = new RaucRig();
    rig.setUp('1.0.0');
    assert.equal(await rig.powerOn(), 'A');
    const gate = path.join(rig.dir, 'gate');
    const transport = new FolderTransport(gate, '12A');
    const reboots: string[] = [];
    const agent = new UpdateAgent({
      rauc: rig.rauc,
      transport,
      stateDir: rig.dataDir,
      runningVersion: async () => rig.slotVersion((await rig.rauc.status()).booted as 'A' | 'B'),
      reboot: async () => {
        reboots.push((await rig.rauc.status()).booted);
      },
      probe,
      healthDeadlineMs,
      healthIntervalMs: 50,
    });
    assert.equal(await agent.afterBoot(), undefined, 'nothing pending on the factory slot');
    assert.equal(rig.bootStateNow().A_TRY, '0', 'an ordinary boot is confirmed');
    return { agent, transport, reboots, gate };
  }

  async function powerCycle(): Promise<string> {
    await rig.powerOff();
    return rig.powerOn();
  }

  test('a good update goes into the inactive slot, boots, is healthy in time and is marked good', async () => {
    // Health: the slot running is the one installed (its /etc/ifec-version says so).
    const { agent, transport, reboots, gate } = await unitOnV1(
      async () => fs.readFileSync(path.join(rig.dir, 'booted-version'), 'utf8') === '2.0.0',
    );
    const offer = offerFor(rig.bundle('2.0.0'), gate, '2.0.0');
    await agent.install(offer);

    assert.deepEqual(reboots, ['A'], 'the agent asked for a reboot while still on A');
    assert.equal(rig.slotVersion('B'), '2.0.0', 'RAUC wrote the bundle into slot B');
    assert.equal(rig.slotVersion('A'), '1.0.0', 'slot A is untouched');
    assert.equal(rig.bootStateNow().ORDER, 'B A', 'B boots next');

    assert.equal(await powerCycle(), 'B');
    fs.writeFileSync(path.join(rig.dir, 'booted-version'), rig.slotVersion('B'));
    const report = await agent.afterBoot();
    assert.deepEqual(report, { rolloutId: 'stick-1', step: 'healthy', version: '2.0.0', slot: 'rootfs.1' });
    const status = await rig.rauc.status();
    assert.equal(status.slots.find((s) => s.bootname === 'B')?.bootStatus, 'good');
    assert.equal(agent.pending(), undefined);

    assert.equal(await powerCycle(), 'B', 'a confirmed slot keeps booting');
    assert.deepEqual(
      transport.reports().map((r) => r.step),
      ['downloaded', 'installed', 'rebooted', 'healthy'],
    );
  });

  test('health that does not come in time marks the new slot bad and boots the old slot again', async () => {
    const { agent, transport, reboots, gate } = await unitOnV1(async () => {
      throw new Error('the kiosk did not start');
    }, 400);
    await agent.install(offerFor(rig.bundle('2.0.0'), gate, '2.0.0'));
    assert.equal(await powerCycle(), 'B');

    // A stick cannot decide: the unit rolls back on its own, and reports from the old slot.
    assert.equal(await agent.afterBoot(), undefined);
    assert.deepEqual(reboots, ['A', 'B'], 'installed on A, then rolled back from B');
    const status = await rig.rauc.status();
    assert.equal(status.slots.find((s) => s.bootname === 'B')?.bootStatus, 'bad', 'RAUC holds B bad');
    assert.equal(rig.bootStateNow().ORDER, 'A B', 'A is primary again');

    assert.equal(await powerCycle(), 'A', 'the old slot boots');
    assert.equal(rig.slotVersion('A'), '1.0.0');
    const report = await agent.afterBoot();
    assert.equal(report?.step, 'rolled-back');
    assert.equal(report?.version, '1.0.0', 'with the version it runs again');
    assert.match(report?.detail ?? '', /not healthy within 400 ms: the kiosk did not start/);
    assert.equal(await agent.afterBoot(), undefined, 'nothing left to decide');
    assert.equal(await powerCycle(), 'A', 'and keeps booting');
    assert.deepEqual(
      transport.reports().map((r) => r.step),
      ['downloaded', 'installed', 'rebooted', 'rolled-back'],
    );
  });

  test('a new slot that never confirms is skipped by the bootloader at the next power-on, and reported', async () => {
    const { agent, transport, gate } = await unitOnV1(async () => true);
    await agent.install(offerFor(rig.bundle('2.0.0'), gate, '2.0.0'));
    assert.equal(await powerCycle(), 'B');
    // The unit hangs before the agent runs (no health, no mark): the watchdog cuts power.
    assert.equal(await powerCycle(), 'A', 'B was tried once and not confirmed');

    const report = await agent.afterBoot();
    assert.equal(report?.step, 'rolled-back');
    assert.equal(report?.version, '1.0.0');
    assert.match(report?.detail ?? '', /slot B did not come up; the bootloader booted A again/);
    const status = await rig.rauc.status();
    assert.equal(status.slots.find((s) => s.bootname === 'B')?.bootStatus, 'bad');
    assert.equal(transport.reports().at(-1)?.step, 'rolled-back');
  });

  test('RAUC refuses a bundle signed by another key; the running slot stays primary', async () => {
    const { agent, transport, gate } = await unitOnV1(async () => true);
    const other = new RaucRig();
    try {
      other.setUp('0.0.0'); // only for its own certificate and key
      const forged = other.bundle('6.6.6', 'ifec-seat-unit-test');
      await assert.rejects(agent.install(offerFor(forged, gate, '6.6.6')), (e: unknown) => {
        assert.ok(e instanceof RaucError);
        assert.match(e.message, /signature|verif|certificate/i);
        return true;
      });
    } finally {
      await other.tearDown();
    }
    assert.equal(rig.bootStateNow().ORDER, 'A B');
    assert.equal(agent.pending(), undefined);
    assert.equal(transport.reports().at(-1)?.step, 'failed');
    assert.equal(await powerCycle(), 'A');
  });

  test('a bundle that does not match its offer is refused before RAUC sees it', async () => {
    const { agent, gate } = await unitOnV1(async () => true);
    const offer = offerFor(rig.bundle('2.0.0'), gate, '2.0.0');
    fs.appendFileSync(path.join(gate, `${offer.target!.sha256}.raucb`), 'tampered');
    await assert.rejects(
      agent.install(offer),
      (e: unknown) => e instanceof UpdateRefused && e.code === 'BUNDLE_CHECKSUM',
    );
    assert.equal(rig.bootStateNow().ORDER, 'A B');
    assert.equal(rig.bootStateNow().B_OK, '0', 'slot B was not touched');
  });
});
