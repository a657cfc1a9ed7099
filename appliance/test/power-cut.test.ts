/**
 * Power cuts, through the fault injector of test/power-cut-files.ts (see there for how a cut is
 * modelled): during the first start, during writes and during recovery, the appliance comes back
 * with every acknowledged record, a whole signing key and credentials that log in; it never
 * starts with an empty key and never accepts a token forged with one.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'node:test';
import { pairingPaths, paths, replicationPaths } from '@ifec/protocol';
import { pino } from 'pino';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../src/main.ts';
import { DurableRecords } from '../src/store/durable-records.ts';
import { type FileOps, nodeFileOps } from '../src/store/files.ts';
import { Journal } from '../src/store/journal.ts';
import { Store } from '../src/store/store.ts';
import { applySyncCheckpoints, SYNC_CHECKPOINTS, SyncState } from '../src/sync/sync-state.ts';
import { PowerCutFiles } from './power-cut-files.ts';
import { connectMqtt, tempDir } from './support.ts';

const quiet = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));

function start(dataDir: string, files: FileOps): Promise<RunningAppliance> {
  const config = loadConfig({
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    IFEC_LIVE_CHANNELS: 'welcome',
  });
  return startAppliance(config, quiet, () => {}, files);
}

const url = (app: RunningAppliance) => `http://127.0.0.1:${app.httpPort}`;
const credentialsOf = (dataDir: string) =>
  JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as IssuedCredentials;

async function login(app: RunningAppliance, crew: { crewId: string; pin: string }): Promise<Response> {
  return fetch(`${url(app)}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
}

/** A purser token signed with an empty HMAC key: what an empty appliance.secret would accept. */
function forgedWithEmptyKey(): string {
  const body = Buffer.from(
    JSON.stringify({ sub: 'P100', role: 'purser', typ: 'crew', exp: Math.floor(Date.now() / 1000) + 3600 }),
  ).toString('base64url');
  return `${body}.${crypto.createHmac('sha256', Buffer.alloc(0)).update(body).digest('base64url')}`;
}

async function assertSoundStart(app: RunningAppliance, dataDir: string, what: string): Promise<void> {
  assert.equal(fs.readFileSync(path.join(dataDir, 'appliance.secret')).length, 32, `${what}: a whole signing key`);
  assert.ok(
    fs.existsSync(path.join(dataDir, CREDENTIALS_FILE)),
    `${what}: the credentials of the provisioned aircraft were kept`,
  );
  const purser = credentialsOf(dataDir).crew.find((c) => c.role === 'purser')!;
  const res = await login(app, purser);
  assert.equal(res.status, 200, `${what}: the purser's PIN from the file logs in`);
  const forged = await fetch(`${url(app)}/api/crew/seats`, {
    headers: { authorization: `Bearer ${forgedWithEmptyKey()}` },
  });
  assert.equal(forged.status, 401, `${what}: a token forged with an empty key is refused`);
}

test('a power cut at every file operation of the first start leaves an appliance that starts whole', {
  timeout: 300_000,
}, async () => {
  // Count the first start's durable operations once, without a cut.
  const probeDir = tempDir('ifec-cut-');
  const probe = new PowerCutFiles();
  await (await start(probeDir, probe)).stop();
  const operations = probe.ops;
  assert.ok(operations >= 8, `the first start does ${operations} durable file operations`);
  // Ten cut points spread over the start (each costs two starts), both ends included.
  const points = [...new Set(Array.from({ length: 10 }, (_, i) => Math.round((i * operations) / 9)))];
  for (const cutAt of points) {
    const dataDir = tempDir('ifec-cut-');
    const files = new PowerCutFiles();
    files.cutAt = cutAt;
    let first: RunningAppliance | undefined;
    try {
      first = await start(dataDir, files);
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'POWER_CUT', `cut at ${cutAt}: ${String(error)}`);
    }
    await first?.stop();
    files.materialise(dataDir);
    const second = await start(dataDir, nodeFileOps);
    try {
      await assertSoundStart(second, dataDir, `cut at operation ${cutAt} of ${operations}`);
    } finally {
      await second.stop();
    }
  }
});

async function faultIds(app: RunningAppliance, token: string): Promise<Set<string>> {
  const res = await fetch(`${url(app)}/api/crew/seats`, { headers: { authorization: `Bearer ${token}` } });
  const { seats } = (await res.json()) as { seats: { faults: { id: string }[] }[] };
  return new Set(seats.flatMap((s) => s.faults.map((f) => f.id)));
}

test('power cuts during writes and during recovery lose no acknowledged fault or PA', {
  timeout: 300_000,
}, async () => {
  const dataDir = tempDir('ifec-cut-');
  const acked = new Set<string>();
  let lastPa: string | undefined;
  let rng = 7;
  const random = (n: number) => {
    rng = (rng * 1103515245 + 12345) % 2 ** 31;
    return rng % n;
  };
  for (let round = 0; round < 4; round++) {
    const files = new PowerCutFiles();
    const app = await start(dataDir, files);
    const creds = credentialsOf(dataDir);
    const purser = creds.crew.find((c) => c.role === 'purser')!;
    const { token } = (await (await login(app, purser)).json()) as { token: string };
    const pa = await fetch(`${url(app)}/api/crew/pa`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ action: 'start', text: `round ${round}` }),
    });
    assert.equal(pa.status, 201);
    lastPa = `round ${round}`;
    const seat = await connectMqtt(`mqtt://127.0.0.1:${app.mqttPort}`, {
      username: 'seat:1A',
      password: creds.seats['1A']!,
      clientId: `cut-${round}`,
    });
    seat.on('error', () => {});
    // Faults in flight eight at a time; the power goes somewhere in the middle.
    const cutAfterAcks = 20 + random(40);
    let sent = 0;
    const sender = async () => {
      while (!files.isCut && sent < 400) {
        const id = crypto.randomUUID();
        sent++;
        const fault = { id, code: 'SELF_TEST', message: `round ${round}`, at: new Date().toISOString() };
        const ack = await Promise.race([
          seat.publishAsync('seat/1A/fault', JSON.stringify(fault), { qos: 1 }).then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((r) => setTimeout(() => r(false), 1000)),
        ]);
        if (ack) acked.add(id);
        if (acked.size >= cutAfterAcks * (round + 1) && files.cutAt === Number.POSITIVE_INFINITY)
          files.cutAfter(1 + random(6));
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    assert.ok(files.isCut, `round ${round}: the power was cut`);
    seat.end(true);
    await app.stop();
    files.materialise(dataDir);
    // Recovery, cut again after a few operations (or none: the start completes).
    const recovery = new PowerCutFiles();
    recovery.cutAt = random(4);
    try {
      await (await start(dataDir, recovery)).stop();
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'POWER_CUT', String(error));
    }
    recovery.materialise(dataDir);
  }
  const app = await start(dataDir, nodeFileOps);
  try {
    await assertSoundStart(app, dataDir, 'after eight cuts');
    const { token } = (await (
      await login(app, credentialsOf(dataDir).crew.find((c) => c.role === 'purser')!)
    ).json()) as { token: string };
    const present = await faultIds(app, token);
    const lost = [...acked].filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged faults lost`);
    const pa = (await (
      await fetch(`${url(app)}/api/crew/pa`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { pa: { text?: string } | null };
    assert.equal(pa.pa?.text, lastPa, 'the last acknowledged PA is on');
  } finally {
    await app.stop();
  }
});

test('seat settings and favourites a seat was told are stored survive a store lost to a power cut; a reset stays a reset', {
  timeout: 180_000,
}, async () => {
  const dataDir = tempDir('ifec-cut-');
  const seatCall = async (app: RunningAppliance, method: string, route: string, body?: unknown) => {
    const login = await fetch(`${url(app)}${replicationPaths.seatLogin}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seatId: '1A', secret: credentialsOf(dataDir).seats['1A'] }),
    });
    const { token } = (await login.json()) as { token: string };
    assert.ok(token, `seat login ${login.status}`);
    return fetch(`${url(app)}${route}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const docs = async (app: RunningAppliance) =>
    (
      (await (await seatCall(app, 'GET', replicationPaths.seatStatePull)).json()) as {
        documents: { id: string; _deleted: boolean }[];
      }
    ).documents
      .filter((d) => !d._deleted)
      .map((d) => d.id)
      .sort();
  let app = await start(dataDir, nodeFileOps);
  const pushed = await seatCall(app, 'POST', replicationPaths.seatStatePush, [
    { newDocumentState: { id: 'settings', kind: 'settings', value: { uiLanguage: 'fr' }, _deleted: false } },
    {
      newDocumentState: {
        id: 'favourite:night-flight',
        kind: 'favourite',
        value: { titleId: 'night-flight', addedAt: new Date().toISOString() },
        _deleted: false,
      },
    },
  ]);
  assert.equal(pushed.status, 200, await pushed.clone().text());
  await app.stop();
  // The cut took PGlite's unsynced pages: the worst case is its whole directory.
  fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true, force: true });
  app = await start(dataDir, nodeFileOps);
  try {
    assert.deepEqual(await docs(app), ['favourite:night-flight', 'settings'], 'rebuilt from the journal');
    const purser = credentialsOf(dataDir).crew.find((c) => c.role === 'purser')!;
    const { token } = (await (await login(app, purser)).json()) as { token: string };
    const reset = await fetch(`${url(app)}${pairingPaths.resetForNextFlight}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    assert.equal(reset.status, 200, await reset.clone().text());
  } finally {
    // A failed check must not leave an appliance running: the test file would never end.
    await app.stop();
  }
  fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true, force: true });
  app = await start(dataDir, nodeFileOps);
  try {
    assert.deepEqual(await docs(app), [], 'the last flight does not come back');
  } finally {
    await app.stop();
  }
});

test('seat controls, recommendation consent and the ground sync position a crew member or passenger was told are saved survive a store lost after its last checkpoint', {
  timeout: 180_000,
}, async () => {
  const dataDir = tempDir('ifec-cut-');
  const crewToken = async (app: RunningAppliance) => {
    const purser = credentialsOf(dataDir).crew.find((c) => c.role === 'purser')!;
    return ((await (await login(app, purser)).json()) as { token: string }).token;
  };
  const seatToken = async (app: RunningAppliance, seatId: string) => {
    const res = await fetch(`${url(app)}${replicationPaths.seatLogin}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seatId, secret: credentialsOf(dataDir).seats[seatId] }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const call = (app: RunningAppliance, token: string, method: string, route: string, body?: unknown) =>
    fetch(`${url(app)}${route}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let app = await start(dataDir, nodeFileOps);
  // The checkpoint copy is made first: what follows lives only in the journal and the store.
  await app.checkpoints.checkpoint();
  const crew = await crewToken(app);
  for (const [seatId, action] of [
    ['1A', { action: 'lock' }],
    ['1C', { action: 'parental-lock', on: true }],
  ] as const) {
    const res = await call(app, crew, 'POST', paths.crew.seatCommand.replace(':seatId', seatId), action);
    assert.equal(res.status, 200, await res.clone().text());
  }
  const seat = await seatToken(app, '1A');
  const consent = await call(app, seat, 'PUT', paths.recommendations.consent, { personalised: true });
  assert.equal(consent.status, 200, await consent.clone().text());
  await app.stop();
  // The cut took PGlite's unsynced pages: the worst case is its whole directory; the rebuild starts from the copy.
  fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true, force: true });
  app = await start(dataDir, nodeFileOps);
  try {
    const crewAfter = await crewToken(app);
    const { controls } = (await (await call(app, crewAfter, 'GET', paths.crew.seatControls)).json()) as {
      controls: Record<string, { locked: boolean; parentalLock: boolean }>;
    };
    assert.equal(controls['1A']?.locked, true, 'the seat the crew locked is still locked');
    assert.equal(controls['1C']?.parentalLock, true, 'the parental lock the crew set is still set');
    const seatAfter = await seatToken(app, '1A');
    const chosen = (await (await call(app, seatAfter, 'GET', paths.recommendations.consent)).json()) as {
      personalised: boolean;
      chosen: boolean;
    };
    assert.deepEqual(chosen, { personalised: true, chosen: true }, "the passenger's consent is kept");
  } finally {
    await app.stop();
  }
});

test('the ground sync position is journalled: a store lost after a save comes back at it', {
  timeout: 60_000,
}, async () => {
  const dir = tempDir('ifec-cut-sync-');
  const open = async () => {
    const store = await Store.open(path.join(dir, 'pglite'), quiet);
    const journal = await Journal.open(path.join(dir, 'journal.log'), { groupCommitMs: 1 });
    const records = new DurableRecords(journal, store, quiet);
    records.register(SYNC_CHECKPOINTS, applySyncCheckpoints);
    await records.replay(0);
    const state = new SyncState(store, records);
    await state.load();
    const close = async () => {
      await journal.close();
      await store.close();
    };
    return { state, close };
  };
  const a = await open();
  a.state.advanceAcked({ critical: 41, bulk: 7 });
  a.state.update({ downlinkApplied: 12, satcomBytesUsed: 123_456 });
  await a.state.save();
  await a.close();
  fs.rmSync(path.join(dir, 'pglite'), { recursive: true, force: true });
  const b = await open();
  try {
    assert.deepEqual(b.state.current.acked, { critical: 41, bulk: 7 });
    assert.equal(b.state.current.downlinkApplied, 12);
    assert.equal(b.state.current.satcomBytesUsed, 123_456);
  } finally {
    await b.close();
  }
});
