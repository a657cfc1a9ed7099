/**
 * The crew console's views on a real appliance: the cabin plan from the provisioned A380
 * layout (both decks, every seat once) and the PA history read back from the journalled
 * audit trail (newest first, who started and ended it); both for crew only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type CabinPlan, cabinPlan, crewConsolePaths, type PaHistoryEntry, paths } from '@ifec/protocol';
import { crewToken, startTestAppliance, type TestAppliance } from './support.ts';

let app: TestAppliance;
let token: string;

before(async () => {
  app = await startTestAppliance({ IFEC_AIRCRAFT: 'a380' });
  token = await crewToken(app); // the purser
});
after(async () => {
  await app?.stop();
});

const get = (path: string, bearer?: string) =>
  fetch(`${app.url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

test('the cabin plan draws both A380 decks with every provisioned seat once, for crew only', async () => {
  assert.equal((await get(crewConsolePaths.cabinPlan)).status, 401);
  const res = await get(crewConsolePaths.cabinPlan, token);
  assert.equal(res.status, 200);
  const plan: CabinPlan = cabinPlan.parse(await res.json());
  assert.deepEqual(
    plan.decks.map((d) => d.deck),
    ['upper', 'main'],
  );
  const seats = plan.decks.flatMap((d) =>
    d.rows.flatMap((r) => r.groups.flat().flatMap((s) => (s.seatId ? [s.seatId] : []))),
  );
  assert.equal(new Set(seats).size, seats.length);
  assert.equal(
    seats.length,
    Object.keys(app.credentials.seats).length,
    'every seat that has credentials is on the plan',
  );
});

test('the PA history lists starts and stops newest first, with who did them', async () => {
  const pa = (body: unknown) =>
    fetch(`${app.url}${paths.crew.pa}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  assert.equal((await pa({ action: 'start', announcementId: 'turbulence' })).status, 201);
  assert.equal((await pa({ action: 'stop' })).status, 200);
  assert.equal((await pa({ action: 'start', text: 'Crew, doors to manual' })).status, 201);
  assert.equal((await get(crewConsolePaths.paHistory)).status, 401);
  const { history } = (await (await get(crewConsolePaths.paHistory, token)).json()) as { history: PaHistoryEntry[] };
  assert.deepEqual(
    history.slice(0, 3).map((e) => [e.action, e.announcementId, e.text]),
    [
      ['start', null, 'Crew, doors to manual'],
      ['stop', null, null],
      ['start', 'turbulence', null],
    ],
  );
  const purser = app.credentials.crew[0]!.crewId;
  assert.ok(history.every((e) => e.by === `crew:${purser}`));
  await pa({ action: 'stop' });
});
