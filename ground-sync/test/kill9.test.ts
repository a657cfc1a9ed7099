/**
 * The appliance killed with kill -9 in the middle of an upload over a slow link: after a
 * restart it resumes from the ground's checkpoint and nothing is lost — neither the records
 * it held before nor the seat faults it acknowledged (PUBACK) just before it died.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { CREDENTIALS_FILE } from '../../appliance/src/demo/first-run.ts';
import { loadOrCreateIdentity } from '../../appliance/src/sync/identity.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import {
  applianceEnv,
  outboxRows,
  produceSeatHealth,
  startTestAircraft,
  startTestGround,
  tempDir,
  tenantWithKey,
  waitFor,
} from './support.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TAIL = 'F-HKIL';

function spawnAppliance(env: Record<string, string>): {
  child: ChildProcess;
  ports: Promise<{ http: number; mqtt: number }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'appliance/src/main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, IFEC_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ports = new Promise<{ http: number; mqtt: number }>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const m = /"httpPort":(\d+),"mqttPort":(\d+)/.exec(text);
      if (m) resolve({ http: Number(m[1]), mqtt: Number(m[2]) });
    });
    child.once('exit', (code) => reject(new Error(`appliance exited with ${code}: ${text.slice(-500)}`)));
  });
  return { child, ports };
}

test('kill -9 mid-upload: the restarted appliance resumes and nothing is lost', { timeout: 420_000 }, async () => {
  const ground = await startTestGround('pglite');
  const dataDir = tempDir('ifec-aircraft-kill-');
  let child: ChildProcess | undefined;
  try {
    await tenantWithKey(ground, 'air-kill');
    // Before the flight: 20,000 records in the outbox.
    const before = await startTestAircraft(undefined, undefined, TAIL, {}, dataDir);
    await produceSeatHealth(before.app, 20_000);
    const held = await outboxRows(before.app);
    await before.app.stop();
    await registerAircraft(ground.db, 'air-kill', TAIL, loadOrCreateIdentity(dataDir).publicKeyPem);
    // A thin link so the upload takes a while.
    const link = await LinkEmulator.start(
      { host: '127.0.0.1', port: ground.port },
      { bitsPerSecond: 64_000, rttMs: 100 },
    );
    const env = applianceEnv(dataDir, {
      IFEC_TAIL_NUMBER: TAIL,
      IFEC_GROUND_URL: link.url,
      IFEC_SYNC_BATCH_RECORDS: '500',
    });
    const first = spawnAppliance(env);
    child = first.child;
    const ports = await first.ports;
    // Seats report faults; each is acknowledged (PUBACK) only once journalled.
    const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as {
      seats: Record<string, string>;
    };
    const [seatId, secret] = Object.entries(credentials.seats)[0]!;
    const seat = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
      username: `seat:${seatId}`,
      password: secret,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    const faultIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = crypto.randomUUID();
      await seat.publishAsync(
        `seat/${seatId}/fault`,
        JSON.stringify({ id, code: 'SCREEN_BLANK', message: `blank ${i}`, at: new Date().toISOString() }),
        { qos: 1 },
      );
      faultIds.push(id);
    }
    await seat.endAsync(true);
    const acked = async () =>
      (await ground.db.query<{ acked_bulk: number }>('SELECT acked_bulk FROM aircraft WHERE aircraft_id = $1', [TAIL]))
        .rows[0]!.acked_bulk;
    await waitFor(async () => (await acked()) > held[2_000]!.seq, 180_000, 'part of the upload done');
    const partial = await acked();
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    assert.ok(partial < held.at(-1)!.seq, 'killed mid-upload');

    const second = spawnAppliance(env);
    child = second.child;
    await second.ports;
    await waitFor(
      async () =>
        (
          await ground.db.query<{ n: number }>('SELECT count(*)::int AS n FROM uplink_records WHERE aircraft_id = $1', [
            TAIL,
          ])
        ).rows[0]!.n >=
        held.length + faultIds.length,
      300_000,
      'everything on the ground',
    );
    const { rows } = await ground.db.query<{ seq: number; id: string; kind: string }>(
      'SELECT seq, record_id AS id, kind FROM uplink_records WHERE aircraft_id = $1 ORDER BY seq',
      [TAIL],
    );
    assert.equal(rows.length, held.length + faultIds.length, 'nothing lost, nothing twice');
    assert.deepEqual(
      rows.filter((r) => r.kind === 'seat.health.summary').map((r) => ({ seq: r.seq, id: r.id })),
      held,
    );
    assert.deepEqual(
      rows
        .filter((r) => r.kind === 'seat.fault')
        .map((r) => r.id)
        .sort(),
      [...faultIds].sort(),
    );
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    await link.close();
  } finally {
    child?.kill('SIGKILL');
    await ground.dispose();
  }
});
