/**
 * Nothing acknowledged is lost in a rollout: the real appliance (a child process) is killed
 * with kill -9 while units report; after the restart every report the appliance answered 200
 * is in the rollout, the units' deadlines still run, and the wave goes on from where it was.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test, { after } from 'node:test';
import { type UnitUpdateRow, type UpdateAssignment, type UpdatesOverview, updatesPaths } from '@ifec/protocol';
import { addLoad } from '../../ground-sync/src/software/publish.ts';
import { SoftwareRepository } from '../../ground-sync/src/software/repository.ts';
import { type ChildAppliance, spawnAppliance } from './child-appliance.ts';
import { tempDir } from './support.ts';

const work = tempDir('ifec-rollout-kill-');
let app: ChildAppliance | undefined;
after(() => app?.proc.kill('SIGKILL'));

async function login(a: ChildAppliance, body: object, url: string): Promise<string> {
  const res = await fetch(`${a.url}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

test('kill -9 mid-rollout: every acknowledged unit report survives, and the wave goes on', {
  timeout: 300_000,
}, async () => {
  const repoDir = path.join(work, 'repo');
  const repo = SoftwareRepository.create(repoDir);
  fs.writeFileSync(path.join(work, 'seat.raucb'), 'seat os 5.0.0');
  const { target } = addLoad(repo, {
    file: path.join(work, 'seat.raucb'),
    partNumber: 'IFE-SEAT-0500',
    version: '5.0.0',
    kind: 'os-image',
  });
  const dataDir = tempDir('ifec-rollout-kill-app-');
  const env = { IFEC_UPDATES_TRUSTED_ROOT: path.join(repoDir, 'metadata', '1.root.json') };
  app = await spawnAppliance(dataDir, env);
  const engineer = app.credentials.crew.find((c) => c.role === 'maintenance')!;
  let crew = await login(app, { crewId: engineer.crewId, pin: engineer.pin }, '/api/crew/login');
  const call = async (a: ChildAppliance, method: string, url: string, token: string, body?: unknown) =>
    fetch(`${a.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  assert.equal((await call(app, 'POST', updatesPaths.crewVerify, crew, { from: 'folder', dir: repoDir })).status, 200);
  const seats = Object.keys(app.credentials.seats).slice(0, 40);
  const canary = seats.slice(0, 10);
  const started = await call(app, 'POST', updatesPaths.crewRollouts, crew, {
    target,
    seats,
    canary,
    healthDeadlineS: 600,
  });
  assert.equal(started.status, 201);

  // Ten canary units work through their steps at once; the appliance is killed while they do.
  const acknowledged = new Map<string, string>();
  const a0 = app;
  const tokens = new Map<string, string>();
  for (const s of canary)
    tokens.set(s, await login(a0, { seatId: s, secret: a0.credentials.seats[s] }, '/api/seats/login'));
  const steps = ['downloaded', 'installed', 'rebooted', 'healthy'];
  const workers = canary.map(async (seatId, i) => {
    const auth = tokens.get(seatId)!;
    try {
      const a = (await (await call(a0, 'GET', updatesPaths.assignment, auth)).json()) as UpdateAssignment;
      // Canary i stops after step i % 4, so the kill finds them at every step.
      for (const step of steps.slice(0, (i % 4) + 1)) {
        const res = await call(a0, 'POST', updatesPaths.report, auth, {
          rolloutId: a.rolloutId,
          step,
          version: '5.0.0',
        });
        if (res.status !== 200) return;
        acknowledged.set(seatId, step);
      }
    } catch {
      // the connection died with the process: that report was not acknowledged
    }
  });
  await new Promise<void>((resolve) => {
    const check = () => (acknowledged.size >= 5 ? resolve() : setTimeout(check, 5));
    check();
  });
  app.proc.kill('SIGKILL');
  await app.exited;
  await Promise.all(workers);
  assert.ok(acknowledged.size >= 5);

  app = await spawnAppliance(dataDir, env);
  crew = await login(app, { crewId: engineer.crewId, pin: engineer.pin }, '/api/crew/login');
  const o = (await (await call(app, 'GET', updatesPaths.crewOverview, crew)).json()) as UpdatesOverview;
  assert.ok(o.rollout, 'the rollout is still there');
  const units = new Map<string, UnitUpdateRow>(o.rollout.units.map((u) => [u.seatId, u]));
  const order = ['waiting', 'assigned', ...steps];
  for (const [seatId, step] of acknowledged) {
    const state = units.get(seatId)!.state;
    assert.ok(
      order.indexOf(state) >= order.indexOf(step),
      `seat ${seatId}: acknowledged ${step}, after restart ${state}`,
    );
    assert.ok(units.get(seatId)!.deadlineAt, `seat ${seatId} keeps its deadline`);
  }
  // The wave goes on: the canaries finish, then the rest are served.
  const a1 = app;
  for (const seatId of canary) {
    const from = units.get(seatId)!.state;
    if (from === 'healthy') continue;
    const auth = await login(a1, { seatId, secret: a1.credentials.seats[seatId] }, '/api/seats/login');
    const a = (await (await call(a1, 'GET', updatesPaths.assignment, auth)).json()) as UpdateAssignment;
    assert.equal(a.action, 'install', `${seatId} is still assigned after the restart`);
    for (const step of steps.slice(Math.max(0, steps.indexOf(from) + 1))) {
      const res = await call(a1, 'POST', updatesPaths.report, auth, { rolloutId: a.rolloutId, step, version: '5.0.0' });
      assert.equal(res.status, 200, `${seatId} ${step}: ${await res.clone().text()}`);
    }
  }
  const restSeat = seats[20]!;
  const restAuth = await login(a1, { seatId: restSeat, secret: a1.credentials.seats[restSeat] }, '/api/seats/login');
  const restAssignment = (await (await call(a1, 'GET', updatesPaths.assignment, restAuth)).json()) as UpdateAssignment;
  assert.equal(restAssignment.action, 'install');
  assert.equal(restAssignment.wave, 'rest');
});
