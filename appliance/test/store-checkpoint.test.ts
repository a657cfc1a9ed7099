/**
 * Store checkpoints (src/store/checkpoint.ts): the journal is compacted so a start replays only
 * its tail, and nothing acknowledged is lost when the process is killed in the middle of a
 * checkpoint (kill -9 as soon as one begins, at a random point of it) or the power goes at any
 * file operation of one (the fault injector of test/power-cut-files.ts; the store's directory is
 * then lost and must come back from the checkpoint's copy plus the journal after it).
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'node:test';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../src/main.ts';
import { readCheckpoint } from '../src/store/checkpoint.ts';
import { type FileOps, nodeFileOps } from '../src/store/files.ts';
import { journalSegments } from '../src/store/journal.ts';
import { type ChildAppliance, spawnAppliance } from './child-appliance.ts';
import { PowerCutFiles } from './power-cut-files.ts';
import { connectMqtt, tempDir } from './support.ts';

const quiet = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));

async function crewToken(url: string, credentials: IssuedCredentials): Promise<string> {
  const purser = credentials.crew.find((c) => c.role === 'purser')!;
  const res = await fetch(`${url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: purser.crewId, pin: purser.pin }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

async function storedFaultIds(url: string, credentials: IssuedCredentials): Promise<Set<string>> {
  const token = await crewToken(url, credentials);
  const res = await fetch(`${url}/api/crew/seats`, { headers: { authorization: `Bearer ${token}` } });
  const { seats } = (await res.json()) as { seats: { faults: { id: string }[] }[] };
  return new Set(seats.flatMap((s) => s.faults.map((f) => f.id)));
}

/** Seats sending QoS 1 faults until told to stop or their connection dies; acknowledged ids go in `acked`. */
function sendFaults(clients: { client: MqttClient; seatId: string }[], acked: Set<string>, until: () => boolean) {
  return Promise.all(
    clients.map(async ({ client, seatId }) => {
      const closed = new Promise<'closed'>((resolve) => client.once('close', () => resolve('closed')));
      while (!until()) {
        const id = crypto.randomUUID();
        const fault = { id, code: 'SELF_TEST', message: `checkpoint ${seatId}`, at: new Date().toISOString() };
        try {
          const outcome = await Promise.race([
            client.publishAsync(`seat/${seatId}/fault`, JSON.stringify(fault), { qos: 1 }),
            closed,
            new Promise<'late'>((r) => setTimeout(() => r('late'), 5000)),
          ]);
          if (outcome === 'closed') return;
          if (outcome !== 'late') acked.add(id);
        } catch {
          return;
        }
      }
    }),
  );
}

async function seats(mqttPort: number, credentials: IssuedCredentials, ids: string[]) {
  return Promise.all(
    ids.map(async (seatId) => {
      const client = await connectMqtt(`mqtt://127.0.0.1:${mqttPort}`, {
        username: `seat:${seatId}`,
        password: credentials.seats[seatId]!,
        clientId: `ckpt-${seatId}-${crypto.randomUUID().slice(0, 8)}`,
      });
      client.on('error', () => {});
      return { client, seatId };
    }),
  );
}

/** Resolves when the child logs its next "store checkpoint begins" after `from` characters of output. */
async function nextCheckpointBegins(app: ChildAppliance, from: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (app.output().slice(from).includes('"msg":"store checkpoint begins"')) return;
    if (app.proc.exitCode !== null) throw new Error(`the appliance exited:\n${app.output()}`);
    if (Date.now() > deadline)
      throw new Error(`no checkpoint began within 120 s; the appliance said:\n${app.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('kill -9 in the middle of checkpoints: every acknowledged fault survives, and the journal is compacted', {
  timeout: 600_000,
}, async () => {
  const dataDir = tempDir('ifec-ckpt-kill-');
  const env = { IFEC_STORE_CHECKPOINT_RECORDS: '100', IFEC_LOG_LEVEL: 'info' };
  const acked = new Set<string>();
  let app = await spawnAppliance(dataDir, env);
  try {
    for (let round = 0; round < 4; round++) {
      const clients = await seats(app.mqttPort, app.credentials, ['1A', '1C', '2D', '7B']);
      let stop = false;
      const writing = sendFaults(clients, acked, () => stop);
      // Skip one checkpoint per round so each kill lands after some have completed, then kill
      // as soon as the next begins, 0–60 ms into it (rotation, the store copy, marker, drop).
      const seen = app.output().length;
      await nextCheckpointBegins(app, seen);
      const later = app.output().length;
      await nextCheckpointBegins(app, later);
      await new Promise((r) => setTimeout(r, Math.random() * 60));
      app.proc.kill('SIGKILL');
      await app.exited;
      stop = true;
      await writing;
      for (const { client } of clients) client.end(true);
      app = await spawnAppliance(dataDir, env);
      const stored = await storedFaultIds(app.url, app.credentials);
      const lost = [...acked].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `round ${round}: ${lost.length} of ${acked.size} acknowledged faults lost`);
    }
    // Checked with the appliance stopped (kill -9: one may be in the middle of a checkpoint).
    app.proc.kill('SIGKILL');
    await app.exited;
    const marker = readCheckpoint(dataDir);
    assert.ok(marker && marker.through > 0, 'a checkpoint completed');
    assert.ok(fs.existsSync(path.join(dataDir, marker.snapshot, 'PG_VERSION')), 'its store copy is there');
    const segments = journalSegments(path.join(dataDir, 'journal.log'));
    assert.ok(segments[0]!.firstSeq > 1, 'segments the store holds were dropped');
    const replays = [...app.output().matchAll(/"records":(\d+),"msg":"journal replayed"/g)].map((m) => Number(m[1]));
    assert.equal(replays.length, 1);
    assert.ok(
      replays[0]! < acked.size,
      `the last start replayed ${replays[0]} records, fewer than the ${acked.size} acknowledged`,
    );
    const copies = fs.readdirSync(dataDir).filter((n) => n.startsWith('pglite.checkpoint-') && !n.endsWith('-tmp'));
    assert.deepEqual(copies, [marker.snapshot], 'one finished store copy is kept');
  } finally {
    if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
    await app.exited;
  }
});

function start(dataDir: string, files: FileOps): Promise<RunningAppliance> {
  const config = loadConfig({
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    IFEC_LIVE_CHANNELS: 'welcome',
    // Checkpoints only when the test takes them.
    IFEC_STORE_CHECKPOINT_RECORDS: '10000000',
    IFEC_STORE_CHECKPOINT_MAX_AGE_S: '0',
  });
  return startAppliance(config, quiet, () => {}, files);
}

const credentialsOf = (dataDir: string) =>
  JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as IssuedCredentials;

test('a power cut during a checkpoint (six points from its first file operation to its last), with the store lost: restored from the copy and the journal, nothing acknowledged lost', {
  timeout: 600_000,
}, async () => {
  const dataDir = tempDir('ifec-ckpt-cut-');
  const acked = new Set<string>();
  // Count a checkpoint's durable file operations once, without a cut.
  let app = await start(dataDir, nodeFileOps);
  const credentials = credentialsOf(dataDir);
  const write = async (app: RunningAppliance, n: number) => {
    const clients = await seats(app.mqttPort, credentials, ['3A', '8B']);
    let sent = 0;
    await sendFaults(clients, acked, () => sent++ >= n);
    for (const { client } of clients) client.end(true);
  };
  await write(app, 40);
  await app.stop();
  const probe = new PowerCutFiles();
  app = await start(dataDir, probe);
  await write(app, 40);
  const before = probe.ops;
  await app.checkpoints.checkpoint();
  const operations = probe.ops - before;
  await app.stop();
  assert.ok(operations >= 6, `a checkpoint does ${operations} durable file operations`);
  // Six cut points spread over the checkpoint, both ends included (each costs two starts).
  const points = [...new Set(Array.from({ length: 6 }, (_, i) => Math.round((i * operations) / 5)))];
  for (const cutAfter of points) {
    const files = new PowerCutFiles();
    app = await start(dataDir, files);
    await write(app, 30);
    files.cutAfter(cutAfter);
    try {
      await app.checkpoints.checkpoint();
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'POWER_CUT', `cut after ${cutAfter}: ${String(error)}`);
    }
    await app.stop().catch(() => undefined);
    files.materialise(dataDir); // unsynced bytes and renames undone; the store's directory gone
    app = await start(dataDir, nodeFileOps);
    try {
      assert.equal(app.store.rebuilt, true);
      const stored = await storedFaultIds(`http://127.0.0.1:${app.httpPort}`, credentials);
      const lost = [...acked].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `cut after ${cutAfter} of ${operations}: ${lost.length} of ${acked.size} lost`);
    } finally {
      await app.stop();
    }
  }
});
