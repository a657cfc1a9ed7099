/**
 * A store rebuilt after a power cut (its directory gone) or because it will not open (corrupt):
 * what lived only in PGlite comes back from the last checkpoint's copy, and what is journalled
 * (passenger sessions, phone pairings) comes back exactly, checkpoint or not. Directories of
 * stores that would not open are kept for a post-mortem, at most IFEC_STORE_KEEP_BROKEN of them.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'node:test';
import { pairingPaths } from '@ifec/protocol';
import { pino } from 'pino';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../src/main.ts';
import { claim, pairingCode, postJson, registerPhone, seatToken } from './resume-support.ts';
import { tempDir } from './support.ts';

const quiet = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));

async function start(dataDir: string) {
  const config = loadConfig({
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    IFEC_LIVE_CHANNELS: 'welcome',
    IFEC_STORE_CHECKPOINT_RECORDS: '10000000',
    IFEC_STORE_CHECKPOINT_MAX_AGE_S: '0',
    IFEC_STORE_KEEP_BROKEN: '1',
  });
  const app: RunningAppliance = await startAppliance(config, quiet);
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as IssuedCredentials;
  return { app, endpoint: { url: `http://127.0.0.1:${app.httpPort}`, ...app, credentials } };
}

type Started = Awaited<ReturnType<typeof start>>;

async function purser({ endpoint }: Started): Promise<Record<string, string>> {
  const p = endpoint.credentials.crew.find((c) => c.role === 'purser')!;
  const { json } = await postJson(`${endpoint.url}/api/crew/login`, { crewId: p.crewId, pin: p.pin });
  return { authorization: `Bearer ${json.token}` };
}

async function pairPhone(s: Started, seatId: string): Promise<string> {
  const phone = await registerPhone(s.endpoint);
  const { code } = await pairingCode(s.endpoint, seatId);
  const { status, json } = await claim(s.endpoint, phone, code);
  assert.equal(status, 200, JSON.stringify(json));
  return phone.deviceId;
}

async function cabinAsTold(s: Started) {
  const controls = await fetch(`${s.endpoint.url}/api/crew/seat-controls`, { headers: await purser(s) });
  const phones = await fetch(`${s.endpoint.url}${pairingPaths.seatPhones}`, {
    headers: { authorization: `Bearer ${await seatToken(s.endpoint, '2C')}` },
  });
  const seat = (await phones.json()) as { sessionId: string; phones: { deviceId: string }[] };
  const { controls: all } = (await controls.json()) as {
    controls: Record<string, { locked: boolean; parentalLock: boolean }>;
  };
  return {
    sessions: Object.fromEntries(s.app.passengers.sessions.all().map((x) => [x.seatId, x.sessionId])),
    phonesOf2C: seat.phones.map((p) => p.deviceId).sort(),
    sessionOf2C: seat.sessionId,
    controlsOf2C: all['2C'] && { locked: all['2C'].locked, parentalLock: all['2C'].parentalLock },
  };
}

const broken = (dataDir: string) => fs.readdirSync(dataDir).filter((n) => n.startsWith('pglite.broken-'));

test('a store lost or corrupt is rebuilt with the seat controls of the last checkpoint and every session and pairing', {
  timeout: 400_000,
}, async () => {
  const dataDir = tempDir('ifec-rebuild-');
  let s = await start(dataDir);
  const lock = await postJson(
    `${s.endpoint.url}/api/crew/seats/2C/command`,
    { action: 'parental-lock', on: true },
    await purser(s),
  );
  assert.equal(lock.status, 200, JSON.stringify(lock.json));
  const first = await pairPhone(s, '2C');
  await s.app.checkpoints.checkpoint();
  // After the checkpoint: only the journal has it.
  const second = await pairPhone(s, '2C');
  const told = await cabinAsTold(s);
  assert.deepEqual(told.phonesOf2C, [first, second].sort());
  assert.deepEqual(told.controlsOf2C, { locked: false, parentalLock: true });
  await s.app.stop();

  // A power cut took the whole directory, and a checkpoint's half-made copy was left behind.
  fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true, force: true });
  fs.mkdirSync(path.join(dataDir, 'pglite.checkpoint-tmp'));
  s = await start(dataDir);
  try {
    assert.equal(s.app.store.rebuilt, true);
    assert.deepEqual(
      fs.readdirSync(dataDir).filter((n) => n.startsWith('pglite.checkpoint-')),
      [`pglite.checkpoint-${s.app.checkpoints.through}`],
      'only the copy the marker names is kept',
    );
    assert.deepEqual(await cabinAsTold(s), told, 'after the store was lost');
    // A pairing ended after the checkpoint stays ended.
    const { status } = await postJson(
      `${s.endpoint.url}${pairingPaths.seatPhones}`,
      undefined,
      { authorization: `Bearer ${await seatToken(s.endpoint, '2C')}` },
      'DELETE',
    );
    assert.equal(status, 200);
  } finally {
    await s.app.stop();
  }
  const unpaired = { ...told, phonesOf2C: [] };

  // Corrupt twice (PostgreSQL's control file emptied): set aside, restored; one broken dir kept.
  for (let round = 0; round < 2; round++) {
    fs.writeFileSync(path.join(dataDir, 'pglite', 'global', 'pg_control'), '');
    s = await start(dataDir);
    try {
      assert.equal(s.app.store.rebuilt, true);
      assert.deepEqual(await cabinAsTold(s), unpaired, `after corruption ${round + 1}`);
    } finally {
      await s.app.stop();
    }
    assert.equal(broken(dataDir).length, 1, 'the newest broken store is kept, older ones removed');
  }
});
