/**
 * The rollout on the real appliance (HTTP on loopback, the journal, PGlite) with 300
 * simulated seat units speaking the unit protocol of protocol/src/updates.ts: refused while
 * the flight phase is cruise; in waves at the gate (no unit of the rest is handed the update
 * before every canary is healthy); one canary that never reports health is told to roll back
 * at its deadline and stops the wave (the rest never get it); the rollout survives a restart,
 * serves nobody in cruise, and finishes at the gate; every step is audited for the ground.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test, { after } from 'node:test';
import {
  type FlightPhase,
  type UnitReport,
  type UpdateAssignment,
  type UpdatesOverview,
  updatesPaths,
} from '@ifec/protocol';
import { addLoad } from '../../ground-sync/src/software/publish.ts';
import { SoftwareRepository } from '../../ground-sync/src/software/repository.ts';
import { crewToken, startTestAppliance, type TestAppliance, tempDir, waitFor } from './support.ts';

const work = tempDir('ifec-rollout-');
const dataDir = tempDir('ifec-rollout-app-');
const repoDir = path.join(work, 'repo');
const bundleBytes = 'a RAUC bundle for the seat units, 2.0.0';
const OLD_VERSION = '1.9.0';
const NEW_VERSION = '2.0.0';
let app: TestAppliance | undefined;
after(async () => app?.stop());

function setPhase(phase: FlightPhase): void {
  fs.mkdirSync(path.join(dataDir, 'flight'), { recursive: true });
  fs.writeFileSync(
    path.join(dataDir, 'flight', 'state.json'),
    JSON.stringify({ flightNumber: null, origin: null, destination: null, phase: { phase, since: 0, previous: null } }),
  );
}

async function start(phase: FlightPhase): Promise<{ app: TestAppliance; token: string }> {
  setPhase(phase);
  const a = await startTestAppliance(
    { IFEC_AIRCRAFT: 'a380', IFEC_UPDATES_TRUSTED_ROOT: path.join(repoDir, 'metadata', '1.root.json') },
    dataDir,
  );
  assert.equal(a.flight.state.phase, phase);
  const index = a.credentials.crew.findIndex((c) => c.role === 'maintenance');
  return { app: a, token: await crewToken(a, index) };
}

async function crew(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(`${app!.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, never> & { error?: { code: string } } };
}

/** What a simulated unit saw, for the assertions. */
interface UnitLog {
  installHandedAt?: number;
  healthyAt?: number;
  /** When it sent its healthy report (the appliance opens the next wave only after receiving it). */
  healthySentAt?: number;
  rolledBack?: boolean;
  actions: string[];
}

type Behaviour = 'good' | 'never-healthy';

/**
 * One seat unit's update agent, as protocol/src/updates.ts describes it (RAUC's part is the
 * version it reports): poll, download and check, installed, rebooted, healthy — or, told to
 * roll back, rolled-back on the old version. Runs until `until()` is true.
 */
async function runUnit(
  seatId: string,
  behaviour: Behaviour,
  log: UnitLog,
  until: () => boolean,
  runs = OLD_VERSION,
): Promise<void> {
  const login = await fetch(`${app!.url}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret: app!.credentials.seats[seatId] }),
  });
  assert.equal(login.status, 200, `seat ${seatId} login`);
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  const report = async (r: UnitReport) => {
    const res = await fetch(`${app!.url}${updatesPaths.report}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(r),
    });
    assert.equal(res.status, 200, `${seatId} ${r.step}: ${await res.clone().text()}`);
    return (await res.json()) as { next: string };
  };
  let running = runs;
  while (!until()) {
    const res = await fetch(`${app!.url}${updatesPaths.assignment}`, { headers: auth });
    assert.equal(
      res.status,
      200,
      `${seatId} assignment: ${await res.clone().text()} ${app!.logLines.filter((l) => l.includes('"level":50')).slice(-2)}`,
    );
    const a = (await res.json()) as UpdateAssignment;
    log.actions.push(a.action === 'none' ? `none:${a.reason}` : a.action);
    if (a.action === 'install' && a.target && running !== a.target.version) {
      log.installHandedAt ??= Date.now();
      const bundle = await fetch(`${app!.url}${a.target.url}`, { headers: auth });
      assert.equal(bundle.status, 200);
      const bytes = Buffer.from(await bundle.arrayBuffer());
      assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), a.target.sha256);
      await report({ rolloutId: a.rolloutId!, step: 'downloaded' });
      const installed = await report({ rolloutId: a.rolloutId!, step: 'installed' });
      assert.equal(installed.next, 'reboot');
      if (behaviour === 'never-healthy') {
        running = a.target.version; // booted the new slot; its health never comes
        continue;
      }
      running = a.target.version;
      await report({ rolloutId: a.rolloutId!, step: 'rebooted', version: running, slot: 'rootfs.1' });
      log.healthySentAt = Date.now();
      const healthy = await report({ rolloutId: a.rolloutId!, step: 'healthy', version: running });
      assert.equal(healthy.next, 'mark-good');
      log.healthyAt = Date.now();
    } else if (a.action === 'install' && a.target && behaviour === 'good' && !log.healthyAt) {
      // Already on the release (installed by an earlier rollout): it checks its health and says so.
      log.healthySentAt = Date.now();
      const healthy = await report({ rolloutId: a.rolloutId!, step: 'healthy', version: running });
      assert.equal(healthy.next, 'mark-good');
      log.healthyAt = Date.now();
    } else if (a.action === 'roll-back') {
      running = OLD_VERSION; // rauc status mark-bad booted; reboot into the old slot
      await report({ rolloutId: a.rolloutId!, step: 'rolled-back', version: running, slot: 'rootfs.0' });
      log.rolledBack = true;
    }
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 200));
  }
}

test('300 seat units: refused in cruise; in waves at the gate; a failing canary rolls back and stops the wave', {
  timeout: 600_000,
}, async () => {
  const repo = SoftwareRepository.create(repoDir);
  const file = path.join(work, 'seat-2.0.0.raucb');
  fs.writeFileSync(file, bundleBytes);
  const { target } = addLoad(repo, { file, partNumber: 'IFE-SEAT-0100', version: NEW_VERSION, kind: 'os-image' });

  // ---- cruise: nothing is served, a rollout cannot start, maintenance mode is for the ground
  let started = await start('cruise');
  app = started.app;
  let token = started.token;
  const verified = await crew('POST', updatesPaths.crewVerify, token, { from: 'folder', dir: repoDir });
  assert.equal(verified.status, 200, JSON.stringify(verified.body));
  const seats = Object.keys(app.credentials.seats).slice(0, 300);
  assert.equal(seats.length, 300);
  const canary = seats.slice(0, 3);
  const inCruise = await crew('POST', updatesPaths.crewRollouts, token, { target, canary, seats, healthDeadlineS: 5 });
  assert.equal(inCruise.status, 409);
  assert.equal(inCruise.body.error?.code, 'UPDATE_NOT_ON_GROUND');
  const mm = await crew('POST', updatesPaths.crewMaintenanceMode, token, { on: true });
  assert.equal(mm.body.error?.code, 'UPDATE_NOT_ON_GROUND');
  await app.stop();

  // ---- at the gate: rollout 1, canary 1 of 3 never reports health
  started = await start('gate');
  app = started.app;
  token = started.token;
  const r1 = await crew('POST', updatesPaths.crewRollouts, token, { target, canary, seats, healthDeadlineS: 5 });
  assert.equal(r1.status, 201, JSON.stringify(r1.body));
  const busy = await crew('POST', updatesPaths.crewRollouts, token, { target, canary, seats });
  assert.equal(busy.body.error?.code, 'UPDATE_ROLLOUT_ACTIVE');
  const logs1 = new Map(seats.map((s) => [s, { actions: [] } as UnitLog]));
  let stop1 = false;
  const units1 = seats.map((s) => runUnit(s, s === canary[0] ? 'never-healthy' : 'good', logs1.get(s)!, () => stop1));
  const stopped = await waitFor(
    async () => {
      const o = (await crew('GET', updatesPaths.crewOverview, token)).body as unknown as UpdatesOverview;
      return o.rollout?.state === 'stopped' && logs1.get(canary[0]!)!.rolledBack ? o : undefined;
    },
    120_000,
    'the failing canary to stop the rollout and roll back',
  );
  stop1 = true;
  await Promise.all(units1);
  assert.match(stopped.rollout!.stoppedBecause!, new RegExp(`canary ${canary[0]} timed-out`));
  // The same reason as a code with its values, for the crew console to put in its language.
  const was = /\(was ([a-z-]+)\)$/.exec(stopped.rollout!.stoppedBecause!)?.[1];
  assert.deepEqual(stopped.rollout!.stop, {
    code: 'CANARY_FAILED',
    seatId: canary[0],
    state: 'timed-out',
    detail: stopped.rollout!.stoppedBecause!.replace(/^canary \S+ timed-out: /, ''),
    detailCode: { code: 'NO_HEALTH_REPORT', afterS: 5, was },
  });
  assert.match(stopped.rollout!.stoppedBecause!, /: no health report within 5 s \(was [a-z-]+\)$/);
  const unitsBySeat = new Map(stopped.rollout!.units.map((u) => [u.seatId, u]));
  assert.equal(unitsBySeat.get(canary[0]!)!.state, 'rolled-back');
  assert.equal(unitsBySeat.get(canary[0]!)!.version, OLD_VERSION);
  for (const s of seats.slice(3)) {
    assert.equal(logs1.get(s)!.installHandedAt, undefined, `rest seat ${s} was handed the update`);
    assert.equal(unitsBySeat.get(s)!.state, 'waiting');
  }

  // ---- rollout 2: all good; the rest only after every canary is healthy; then a restart in cruise
  const r2 = await crew('POST', updatesPaths.crewRollouts, token, { target, canary, seats, healthDeadlineS: 120 });
  assert.equal(r2.status, 201, JSON.stringify(r2.body));
  const logs2 = new Map(seats.map((s) => [s, { actions: [] } as UnitLog]));
  let stop2 = false;
  // First only the canaries and 20 of the rest run; the cabin restarts in cruise before the others come.
  const early = [...canary, ...seats.slice(3, 23)];
  // The second canary was healthy on the new version in rollout 1: it is already on it.
  const earlyUnits = early.map((s) =>
    runUnit(s, 'good', logs2.get(s)!, () => stop2, s === canary[1] ? NEW_VERSION : OLD_VERSION),
  );
  await waitFor(
    async () => early.every((s) => logs2.get(s)!.healthyAt) || undefined,
    120_000,
    'canaries and the first of the rest to be healthy',
  );
  stop2 = true;
  await Promise.all(earlyUnits);
  assert.equal(logs2.get(canary[1]!)!.installHandedAt, undefined, 'a canary already on the release installs nothing');
  const lastCanaryHealthy = Math.max(...canary.map((s) => logs2.get(s)!.healthySentAt!));
  for (const s of seats.slice(3, 23))
    assert.ok(logs2.get(s)!.installHandedAt! >= lastCanaryHealthy, `seat ${s} before the canaries`);
  await app.stop();

  // Cruise again (the same data dir): the journalled rollout is there, and nobody is served.
  started = await start('cruise');
  app = started.app;
  token = started.token;
  const inFlight = (await crew('GET', updatesPaths.crewOverview, token)).body as unknown as UpdatesOverview;
  assert.equal(inFlight.rollout?.state, 'rest');
  assert.equal(inFlight.servable.allowed, false);
  assert.equal(inFlight.rollout?.counts.healthy, 23);
  const cruiseLogs = { actions: [] } as UnitLog;
  let polls = 0;
  await runUnit(seats[100]!, 'good', cruiseLogs, () => ++polls > 3);
  assert.deepEqual(new Set(cruiseLogs.actions), new Set(['none:not-at-gate']));
  await app.stop();

  // At the gate: the other 277 units finish the rollout.
  started = await start('gate');
  app = started.app;
  token = started.token;
  let stop3 = false;
  const rest = seats.slice(23);
  const restUnits = rest.map((s) => runUnit(s, 'good', logs2.get(s)!, () => stop3));
  const done = await waitFor(
    async () => {
      const o = (await crew('GET', updatesPaths.crewOverview, token)).body as unknown as UpdatesOverview;
      return o.rollout?.state === 'done' ? o : undefined;
    },
    300_000,
    'the rollout to finish',
  );
  stop3 = true;
  await Promise.all(restUnits);
  assert.equal(done.rollout!.counts.healthy, 300);
  for (const s of seats) assert.equal(done.versions[s], NEW_VERSION, `seat ${s} version`);

  // Every step went to the audit (for the ground): starts, assignments, reports, the stop, the waves.
  const { rows } = await app.store.query<{ action: string; n: number }>(
    "SELECT action, count(*)::int AS n FROM audit WHERE action LIKE 'updates.%' GROUP BY action",
  );
  const audited = Object.fromEntries(rows.map((r) => [r.action, r.n]));
  assert.equal(audited['updates.rollout-started'], 2);
  assert.equal(audited['updates.rollout-stopped'], 1);
  // The ground reads the stop's English `reason`; the code rides beside it.
  const { rows: stops } = await app.store.query<{ detail: { reason: unknown; stop: { code: string } } }>(
    "SELECT detail FROM audit WHERE action = 'updates.rollout-stopped'",
  );
  assert.match(String(stops[0]!.detail.reason), /^canary \S+ timed-out: no health report within 5 s/);
  assert.equal(stops[0]!.detail.stop.code, 'CANARY_FAILED');
  assert.equal(audited['updates.unit-timed-out'], 1);
  assert.equal(audited['updates.unit-rolled-back'], 1);
  assert.equal(audited['updates.unit-healthy'], 300 + 2);
  assert.equal(audited['updates.wave-rest'], 1);
  assert.equal(audited['updates.rollout-done'], 1);
  assert.equal(audited['updates.verified'], 1);
  const outbox = await app.store.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox WHERE kind = 'audit' AND data::text LIKE '%updates.%'",
  );
  assert.ok(outbox.rows[0]!.n >= 600, `audit records in the outbox: ${outbox.rows[0]!.n}`);
});

test('a unit cannot report for a rollout it is not in, download what it was not handed, or send garbage', {
  timeout: 120_000,
}, async () => {
  assert.ok(app, 'runs after the rollout test');
  const seatId = Object.keys(app.credentials.seats)[400]!;
  const login = await fetch(`${app.url}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret: app.credentials.seats[seatId] }),
  });
  const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  const a = (await (await fetch(`${app.url}${updatesPaths.assignment}`, { headers: auth })).json()) as UpdateAssignment;
  assert.equal(a.action, 'none');
  const post = (body: string) =>
    fetch(`${app!.url}${updatesPaths.report}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });
  assert.equal((await post(JSON.stringify({ rolloutId: 'R1', step: 'healthy' }))).status, 409);
  assert.equal((await post('{"rolloutId":')).status, 400);
  assert.equal((await post(JSON.stringify({ rolloutId: 'R1', step: 'exploded' }))).status, 400);
  assert.equal((await post(JSON.stringify({ rolloutId: 'x'.repeat(100_000), step: 'healthy' }))).status, 413);
  const sha = crypto.createHash('sha256').update(bundleBytes).digest('hex');
  const dl = await fetch(`${app.url}/api/seat/updates/bundles/${sha}`, { headers: auth });
  assert.equal(dl.status, 409);
  assert.equal((await fetch(`${app.url}/api/seat/updates/bundles/../../etc/passwd`, { headers: auth })).status, 404);
  assert.equal((await fetch(`${app.url}${updatesPaths.assignment}`)).status, 401);

  // A flood from one seat is cut off with a reason; its neighbour is served as usual.
  const flood = await Promise.all(
    Array.from({ length: 60 }, () => fetch(`${app!.url}${updatesPaths.assignment}`, { headers: auth })),
  );
  const refused = flood.filter((r) => r.status === 429);
  assert.ok(refused.length >= 30, `${refused.length} of 60 refused`);
  assert.equal(((await refused[0]!.json()) as { error: { code: string } }).error.code, 'UPDATE_TOO_FAST');
  const neighbour = Object.keys(app.credentials.seats)[401]!;
  const nLogin = await fetch(`${app.url}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId: neighbour, secret: app.credentials.seats[neighbour] }),
  });
  const nAuth = { authorization: `Bearer ${((await nLogin.json()) as { token: string }).token}` };
  assert.equal((await fetch(`${app.url}${updatesPaths.assignment}`, { headers: nAuth })).status, 200);
});
