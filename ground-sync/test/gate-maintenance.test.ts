/**
 * Maintenance at the gate, on a real appliance and a real ground (PGlite): the same downlink
 * bundle imported twice succeeds the second time with nothing applied (HTTP and CLI); a
 * downlink import reports what it activated; a fault re-sent with the same id reaches the
 * ground once; a flight's viewing counts and seat summaries arrive after the reset, with the
 * reset and crew logins audited; `aircraft register` refuses a private key; `ifec-sync
 * public-key` refuses a data dir with no aircraft; a wrong ground key shows on board and on
 * the ground; config errors name the variable; fleet-wide is the default publication.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test, { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { downlinkImportSummary, syncHistory } from '@ifec/protocol';
import mqtt from 'mqtt';
import { CREDENTIALS_FILE } from '../../appliance/src/demo/first-run.ts';
import { runUntilExit } from '../../appliance/test/child-appliance.ts';
import { exportDownlinkBundle } from '../src/bundles/bundles.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import {
  applianceEnv,
  crewToken,
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tempDir,
  tenantWithKey,
  waitFor,
} from './support.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SYNC_CLI = path.join(root, 'appliance/src/sync/cli.ts');
const GROUND_CLI = path.join(root, 'ground-sync/src/cli.ts');
const TAIL = 'F-HGTE';
const dir = tempDir('ifec-gate-');
let ground: TestGround;
let aircraft: TestAircraft;
let apiKey: string;
let token: string;

const admin = (method: string, p: string, body?: unknown) =>
  fetch(`${ground.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });

async function crewImport(file: string) {
  const res = await fetch(`${aircraft.url}/api/crew/sync/bundles/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(fs.readFileSync(file)),
  });
  return {
    status: res.status,
    body: (await res.json()) as { imported?: unknown; message?: string; error?: { code: string } },
  };
}

async function groundRecords(kind: string): Promise<{ record_id: string; data: Record<string, unknown> }[]> {
  return (
    await ground.db.query<{ record_id: string; data: Record<string, unknown> }>(
      'SELECT record_id, data FROM uplink_records WHERE aircraft_id = $1 AND kind = $2 ORDER BY seq',
      [TAIL, kind],
    )
  ).rows;
}

async function seatClient() {
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
  return { seatId, client };
}

before(async () => {
  ground = await startTestGround('pglite');
  apiKey = await tenantWithKey(ground, 'air-gate');
  // A long interval: the test asks for each pass ("Sync now").
  aircraft = await startTestAircraft(ground, 'air-gate', TAIL, {
    IFEC_GROUND_URL: ground.url,
    IFEC_SYNC_INTERVAL_MS: '600000',
  });
  token = await crewToken(aircraft.url, aircraft.dataDir);
});
after(async () => {
  await aircraft?.app.stop();
  await ground?.dispose();
});

async function syncNow(): Promise<void> {
  await aircraft.app.sync.service.syncOnce();
}

test('a fleet-wide publication needs no aircraftId; the downlink bundle reports it activated; the same bundle again is "already imported, nothing to do"', async () => {
  const res = await admin('POST', '/admin/v1/publications', {
    kind: 'policy',
    name: 'geo',
    version: 1,
    payload: { wifi: { FR: true } },
  });
  assert.equal(res.status, 201, await res.clone().text());
  assert.equal(
    ((await res.json()) as { publication: { aircraftId: string | null } }).publication.aircraftId,
    null,
    'fleet-wide by default',
  );
  const file = path.join(dir, 'down-1.ifecb');
  await exportDownlinkBundle(ground.db, ground.signingKey, TAIL, file);
  const first = await crewImport(file);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const summary = downlinkImportSummary.parse(first.body.imported);
  assert.equal(summary.alreadyImported, false);
  assert.equal(summary.applied, 1);
  assert.deepEqual(
    summary.activated.map((p) => [p.kind, p.name, p.state]),
    [['policy', 'geo', 'active']],
    'not activated: [] while it sits in ready',
  );
  const outboxBefore = (await aircraft.app.store.query('SELECT 1 FROM outbox')).rows.length;

  const again = await crewImport(file);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  const second = downlinkImportSummary.parse(again.body.imported);
  assert.equal(second.alreadyImported, true);
  assert.equal(second.applied, 0);
  assert.deepEqual(second.activated, []);
  assert.match(again.body.message!, /already imported, nothing to do/);
  // Both imports are audited for the ground, and listed in the history.
  const { rows } = await aircraft.app.store.query<{ action: string; detail: { alreadyImported?: boolean } }>(
    "SELECT action, detail FROM audit WHERE action = 'sync.bundle-import' ORDER BY seq",
  );
  assert.deepEqual(
    rows.map((r) => r.detail.alreadyImported ?? false),
    [false, true],
  );
  assert.equal(
    (await aircraft.app.store.query('SELECT 1 FROM outbox')).rows.length,
    outboxBefore + 1,
    'the second import is one audit record, nothing else',
  );
  const history = syncHistory.parse(
    await (
      await fetch(`${aircraft.url}/api/crew/sync/history`, { headers: { authorization: `Bearer ${token}` } })
    ).json(),
  );
  assert.match(history.history[0]!.summary, /already imported, nothing to do/);
  assert.equal(history.history[0]!.kind, 'bundle-import');
});

test('a fault re-sent with the same id is journalled once and reaches the ground once', async () => {
  const { seatId, client } = await seatClient();
  const fault = { id: crypto.randomUUID(), code: 'SCREEN_BLANK', message: 'no picture', at: new Date().toISOString() };
  try {
    // What a seat does after a lost PUBACK: the same fault again (and once more at the same time).
    await client.publishAsync(`seat/${seatId}/fault`, JSON.stringify(fault), { qos: 1 });
    await Promise.all([
      client.publishAsync(`seat/${seatId}/fault`, JSON.stringify(fault), { qos: 1 }),
      client.publishAsync(`seat/${seatId}/fault`, JSON.stringify(fault), { qos: 1 }),
    ]);
  } finally {
    await client.endAsync();
  }
  const journal = fs.readFileSync(path.join(aircraft.dataDir, 'journal.log'), 'utf8');
  assert.equal(journal.split('\n').filter((line) => line.includes(fault.id)).length, 1, 'journalled once');
  await syncNow();
  const onGround = (await groundRecords('seat.fault')).filter((r) => r.record_id === fault.id);
  assert.equal(onGround.length, 1, 'on the ground once');
});

test("a flight's viewing counts and seat summaries arrive on the ground after the reset; the reset and crew logins are audited", async () => {
  const { seatId, client } = await seatClient();
  try {
    const health = (playing: string | null, uptimeS: number) =>
      client.publishAsync(`seat/${seatId}/health`, JSON.stringify({ appVersion: '1.4.2', uptimeS, playing }), {
        qos: 1,
      });
    await health('T-GATE-FILM', 100);
    await new Promise((r) => setTimeout(r, 1100));
    await health('T-GATE-FILM', 101);
    await health('T-GATE-SERIES', 102); // the passenger changed titles: the film's viewing ends
    await new Promise((r) => setTimeout(r, 200));
    await health('T-GATE-SERIES', 3); // a reboot
  } finally {
    await client.endAsync();
  }
  const flightId = aircraft.app.sync.flight.flightId;
  const reset = await fetch(`${aircraft.url}/api/crew/flight/reset`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(reset.status, 200, await reset.clone().text());
  await syncNow();
  const viewings = (await groundRecords('viewing.count')).map((r) => r.data);
  assert.deepEqual(viewings.map((v) => [v.titleId, v.flightId]).sort(), [
    ['T-GATE-FILM', flightId],
    ['T-GATE-SERIES', flightId],
  ]);
  assert.ok((viewings.find((v) => v.titleId === 'T-GATE-FILM')!.watchedS as number) >= 1);
  assert.ok(
    viewings.every((v) => !('seatId' in v)),
    'anonymous: no seat, no passenger',
  );
  const summaries = (await groundRecords('seat.health.summary'))
    .map((r) => r.data)
    .filter((s) => s.flightId === flightId);
  assert.deepEqual(
    summaries.map((s) => [s.seatId, s.reboots]),
    [[seatId, 1]],
  );
  const audits = (await groundRecords('audit')).map((r) => r.data as { action: string; actor: string });
  assert.ok(
    audits.some((a) => a.action === 'flight.reset'),
    'reset for next flight audited to the ground',
  );
  assert.ok(
    audits.some((a) => a.action === 'crew.login' && /^crew:/.test(a.actor)),
    'crew login audited to the ground',
  );
  assert.notEqual(aircraft.app.sync.flight.flightId, flightId, 'a new flight started');
});

test('`aircraft register` refuses a private key with a clear message (API and CLI)', async () => {
  const privatePem = fs.readFileSync(path.join(aircraft.dataDir, 'sync/aircraft-key.pem'), 'utf8');
  await assert.rejects(registerAircraft(ground.db, 'air-gate', 'F-HPRV', privatePem), {
    code: 'PRIVATE_KEY_REFUSED',
    message: /private key.*ifec-sync public-key/,
  });
  const res = await admin('POST', '/admin/v1/aircraft', { aircraftId: 'F-HPRV', publicKey: privatePem });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'PRIVATE_KEY_REFUSED');
  assert.equal((await admin('GET', '/admin/v1/aircraft/F-HPRV')).status, 404, 'nothing registered');
  // The CLI on a stopped ground (PGlite: one process).
  const groundDir = tempDir('ifec-gate-ground-');
  const env = { ...process.env, GROUND_DATA_DIR: groundDir };
  await run(process.execPath, ['--import', 'tsx', GROUND_CLI, 'tenant', 'create', 'air-cli', 'Air CLI'], {
    env,
    cwd: root,
  });
  fs.writeFileSync(path.join(dir, 'aircraft-key.pem'), privatePem);
  const refused = await run(
    process.execPath,
    ['--import', 'tsx', GROUND_CLI, 'aircraft', 'register', 'air-cli', 'F-HPRV', path.join(dir, 'aircraft-key.pem')],
    { env, cwd: root },
  ).catch((e: { code: number; stderr: string }) => e);
  assert.equal((refused as { code: number }).code, 3);
  assert.match((refused as { stderr: string }).stderr, /refused: PRIVATE_KEY_REFUSED: this is a private key/);
});

test('`ifec-sync public-key` on an empty data dir refuses and creates nothing; on the aircraft it prints the key the console shows', async () => {
  const empty = tempDir('ifec-empty-');
  const r = await run(process.execPath, ['--import', 'tsx', SYNC_CLI, 'public-key'], {
    env: { PATH: process.env.PATH, IFEC_DATA_DIR: empty },
    cwd: root,
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  assert.equal((r as { code: number }).code, 2);
  assert.match((r as { stderr: string }).stderr, /no aircraft is provisioned in .*ifec-empty-/);
  assert.equal((r as { stdout: string }).stdout, '', 'no key printed');
  assert.deepEqual(fs.readdirSync(empty), [], 'nothing created');
  const ok = await run(process.execPath, ['--import', 'tsx', SYNC_CLI, 'public-key'], {
    env: { PATH: process.env.PATH, IFEC_DATA_DIR: aircraft.dataDir },
    cwd: root,
  });
  const console = (await (
    await fetch(`${aircraft.url}/api/crew/sync`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { publicKey: string; publicKeyFingerprint: string };
  assert.equal(ok.stdout, console.publicKey);
  assert.match(ok.stderr, new RegExp(console.publicKeyFingerprint.slice(0, 16)));
  assert.doesNotMatch(ok.stdout, /PRIVATE/);
});

test('ifec-sync: usage on --help (exit 0), exit 2 on a bad command, and a progress bar for a transfer against the running appliance', async () => {
  const help = await run(process.execPath, ['--import', 'tsx', SYNC_CLI, '--help'], {
    env: { PATH: process.env.PATH },
    cwd: root,
  });
  assert.match(help.stdout, /usage: ifec-sync <command>/);
  const bad = await run(process.execPath, ['--import', 'tsx', SYNC_CLI, 'explode'], {
    env: { PATH: process.env.PATH },
    cwd: root,
  }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((bad as { code: number }).code, 2);
  assert.match((bad as { stderr: string }).stderr, /unknown command explode[\s\S]*usage: ifec-sync/);
  const credentials = JSON.parse(fs.readFileSync(path.join(aircraft.dataDir, CREDENTIALS_FILE), 'utf8')) as {
    crew: { crewId: string; pin: string; role: string }[];
  };
  const engineer = credentials.crew.find((c) => c.role === 'maintenance')!;
  const env = { PATH: process.env.PATH, CREW_PIN: engineer.pin };
  const out = path.join(dir, 'cli-http-up.ifecb');
  const exported = await run(
    process.execPath,
    ['--import', 'tsx', SYNC_CLI, 'export-bundle', out, '--appliance', aircraft.url, '--crew', engineer.crewId],
    { env, cwd: root },
  );
  assert.match(
    exported.stdout,
    /uplink bundle \d+ for F-HGTE: \d+ records in \d+ batches .* bytes, publications acknowledged through 1/,
  );
  assert.match(exported.stderr, /download 0%[\s\S]*download 100%/);
  assert.ok(fs.statSync(out).size > 0);
  const down = path.join(dir, 'down-cli.ifecb');
  await exportDownlinkBundle(ground.db, ground.signingKey, TAIL, down);
  const args = [
    '--import',
    'tsx',
    SYNC_CLI,
    'import-bundle',
    down,
    '--appliance',
    aircraft.url,
    '--crew',
    engineer.crewId,
  ];
  const imported = await run(process.execPath, args, { env, cwd: root });
  assert.match(imported.stdout, /downlink bundle \d+: 0 publications \(0 new\)/);
  assert.match(imported.stderr, /upload 100%/);
  const again = await run(process.execPath, args, { env, cwd: root });
  assert.match(again.stdout, /already imported, nothing to do/, 'exit 0 the second time');
});

test('config errors name the variable before anything starts; a wrong ground key fails the signature check on board and shows on the ground', async () => {
  const missing = path.join(dir, 'no-such-ground-key.pem');
  const started = await runUntilExit(
    applianceEnv(tempDir('ifec-badkey-'), { IFEC_GROUND_PUBLIC_KEY: missing, IFEC_LOG_LEVEL: 'info' }),
  );
  assert.equal(started.code, 2, 'a config error');
  const lines = started.output.trim().split('\n');
  assert.equal(lines.length, 1, started.output);
  assert.match(
    lines[0]!,
    /IFEC_GROUND_PUBLIC_KEY: cannot read the ground's public key file .*no-such-ground-key.pem \(no such file\)/,
  );
  assert.doesNotMatch(started.output, /ENOENT/);
  const cli = await run(process.execPath, ['--import', 'tsx', SYNC_CLI, 'export-bundle', path.join(dir, 'x.ifecb')], {
    env: { PATH: process.env.PATH, IFEC_DATA_DIR: aircraft.dataDir, IFEC_GROUND_PUBLIC_KEY: missing },
    cwd: root,
  }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((cli as { code: number }).code, 2);
  assert.match((cli as { stderr: string }).stderr, /^ifec-sync: invalid config: IFEC_GROUND_PUBLIC_KEY: /);

  // An aircraft given another ground's key: every publication fails its signature check.
  const wrongKeyFile = path.join(dir, 'wrong-ground.pem');
  fs.writeFileSync(
    wrongKeyFile,
    crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  const wrongTail = 'F-HWRG';
  assert.equal(
    (
      await admin('POST', '/admin/v1/publications', {
        kind: 'price-list',
        name: 'EUR',
        version: 3,
        payload: { items: [] },
      })
    ).status,
    201,
  );
  const wrong = await startTestAircraft(ground, 'air-gate', wrongTail, {
    IFEC_GROUND_URL: ground.url,
    IFEC_GROUND_PUBLIC_KEY: wrongKeyFile,
  });
  try {
    const wrongToken = await crewToken(wrong.url, wrong.dataDir);
    const body = await waitFor(
      async () => {
        const b = (await (
          await fetch(`${wrong.url}/api/crew/sync`, { headers: { authorization: `Bearer ${wrongToken}` } })
        ).json()) as { status: { lastError: string | null }; lastErrorInWords: string | null };
        return b.status.lastError?.startsWith('PUBLICATION_SIGNATURE') ? b : undefined;
      },
      30_000,
      'the signature check failing on board',
    );
    assert.match(body.lastErrorInWords!, /IFEC_GROUND_PUBLIC_KEY is not this ground's key/);
    const status = await waitFor(
      async () => {
        const s = (await (await admin('GET', `/admin/v1/aircraft/${wrongTail}`)).json()) as {
          aircraft: { errors: { code: string; message: string }[] };
        };
        return s.aircraft.errors.length ? s.aircraft : undefined;
      },
      30_000,
      'the ground showing the failed check',
    );
    assert.equal(status.errors[0]!.code, 'AIRCRAFT_REFUSED_PUBLICATION_SIGNATURE');
    assert.match(status.errors[0]!.message, /not signed by the ground key this aircraft trusts/);
    // Reported once, not once per retry.
    await new Promise((r) => setTimeout(r, 500));
    const again = (await (await admin('GET', `/admin/v1/aircraft/${wrongTail}`)).json()) as {
      aircraft: { errors: unknown[] };
    };
    assert.equal(again.aircraft.errors.length, 1);
  } finally {
    await wrong.app.stop();
  }
});

test('the bundle import endpoint is hostile-input safe: garbage, empty, too large, wrong role, no login', async () => {
  const post = (body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
    fetch(`${aircraft.url}/api/crew/sync/bundles/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
      body,
    });
  const garbage = await post(new Uint8Array(crypto.randomBytes(4096)));
  assert.equal(garbage.status, 422);
  assert.equal(((await garbage.json()) as { error: { code: string } }).error.code, 'BUNDLE_MALFORMED');
  const empty = await post(new Uint8Array(0));
  assert.equal(empty.status, 400);
  assert.equal(((await empty.json()) as { error: { code: string } }).error.code, 'BUNDLE_MISSING');
  // A declared size over the limit is refused before a byte is stored.
  const huge = await new Promise<number>((resolve, reject) => {
    const url = new URL(`${aircraft.url}/api/crew/sync/bundles/import`);
    import('node:http').then(({ request }) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/octet-stream',
            'content-length': String(2 * 1024 ** 3),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(crypto.randomBytes(1024));
    }, reject);
  });
  assert.equal(huge, 413);
  const credentials = JSON.parse(fs.readFileSync(path.join(aircraft.dataDir, CREDENTIALS_FILE), 'utf8')) as {
    crew: { crewId: string; pin: string; role: string }[];
  };
  const cabin = credentials.crew.find((c) => c.role === 'cabin_crew')!;
  const login = (await (
    await fetch(`${aircraft.url}/api/crew/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ crewId: cabin.crewId, pin: cabin.pin }),
    })
  ).json()) as { token: string };
  assert.equal(
    (await post(new Uint8Array(10), { authorization: `Bearer ${login.token}` })).status,
    403,
    'cabin crew may not import',
  );
  assert.equal(
    (await fetch(`${aircraft.url}/api/crew/sync/bundles/import`, { method: 'POST', body: new Uint8Array(10) })).status,
    401,
  );
  // History records the refusals in words for the engineer.
  const history = syncHistory.parse(
    await (
      await fetch(`${aircraft.url}/api/crew/sync/history`, { headers: { authorization: `Bearer ${token}` } })
    ).json(),
  );
  assert.ok(history.history.some((e) => !e.ok && e.code === 'BUNDLE_MALFORMED'));
});

test('sync/status is republished when the outbox grows and after a USB import, without a sync pass', async () => {
  const { seatId, client } = await seatClient();
  try {
    const seen: { outboxHead: number; acked: { critical: number }; downlinkApplied: number }[] = [];
    client.on('message', (_t, payload) => seen.push(JSON.parse(payload.toString('utf8'))));
    await client.subscribeAsync('sync/status', { qos: 1 });
    await waitFor(() => seen.length > 0, 5000, 'the retained status');
    const head = seen.at(-1)!.outboxHead;
    // A fault is journalled for the ground: the status follows within a second or two.
    const fault = { id: crypto.randomUUID(), code: 'AUDIO_JACK', message: 'crackles', at: new Date().toISOString() };
    await client.publishAsync(`seat/${seatId}/fault`, JSON.stringify(fault), { qos: 1 });
    await waitFor(() => seen.some((s) => s.outboxHead > head), 5000, 'a status with the outbox grown');
    // A stick from the ground moves the acknowledgement: republished too.
    assert.equal(
      (
        await admin('POST', '/admin/v1/publications', {
          kind: 'deny-list',
          name: 'cards',
          version: 9,
          payload: { binHashes: [] },
        })
      ).status,
      201,
    );
    const file = path.join(dir, 'down-status.ifecb');
    await exportDownlinkBundle(ground.db, ground.signingKey, TAIL, file);
    const applied = seen.at(-1)!.downlinkApplied;
    assert.equal((await crewImport(file)).status, 200);
    await waitFor(() => seen.some((s) => s.downlinkApplied > applied), 5000, 'a status after the USB import');
  } finally {
    await client.endAsync();
  }
});
