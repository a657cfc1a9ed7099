/**
 * The flight plan from the ground, on a real ground (PGlite) and a real appliance over the
 * link emulator: the ground publishes an aircraft's next flight (flight number, airports,
 * scheduled times, route) as a `flight-plan` publication; the appliance verifies it with the
 * rest of the downlink and its flight domain puts it in force (GET /api/flight, retained
 * flight/phase). Crew can override it on the console; the ground's next plan replaces the
 * override. A plan that is not one aircraft's valid plan is refused on the ground with 422.
 */

import assert from 'node:assert/strict';
import test, { after, before } from 'node:test';
import { FLIGHT_PLAN_PUBLICATION, type FlightPhaseState, flightPhaseState, topics } from '@ifec/protocol';
import mqtt from 'mqtt';
import { TokenSigner } from '../../appliance/src/access/tokens.ts';
import { publishFlightPlan } from '../src/downlink/flight-plan.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import {
  crewToken,
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tenantWithKey,
  waitFor,
} from './support.ts';

const TAIL = 'G-XFPL';
let ground: TestGround;
let link: LinkEmulator;
let aircraft: TestAircraft;
let apiKey: string;

const admin = (method: string, p: string, body?: unknown) =>
  fetch(`${ground.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const flightOf = async (): Promise<{ phase: FlightPhaseState; route: { lat: number; lon: number }[] }> =>
  (await (await fetch(`${aircraft.url}/api/flight`)).json()) as {
    phase: FlightPhaseState;
    route: { lat: number; lon: number }[];
  };

const PLAN = {
  flightNumber: 'BA11',
  origin: 'LHR',
  destination: 'SIN',
  scheduledDeparture: '2026-12-02T21:10:00Z',
  scheduledArrival: '2026-12-03T17:05:00Z',
  route: [
    { ident: 'DVR', lat: 51.1628, lon: 1.3597 },
    { ident: 'KFK', lat: 41.9, lon: 28.2 },
    { lat: 25.2, lon: 55.4 },
  ],
};

before(async () => {
  ground = await startTestGround('pglite');
  apiKey = await tenantWithKey(ground, 'air-fp');
  link = await LinkEmulator.start({ host: '127.0.0.1', port: ground.port });
  aircraft = await startTestAircraft(ground, 'air-fp', TAIL, { IFEC_GROUND_URL: link.url });
});
after(async () => {
  await aircraft?.app.stop();
  await link?.close();
  await ground?.dispose();
});

test('the ground refuses a flight plan that is not one aircraft’s valid plan (422 FLIGHT_PLAN_INVALID)', async () => {
  const bad = [
    { aircraftId: null, payload: PLAN, why: 'no aircraft' },
    {
      aircraftId: TAIL,
      payload: { ...PLAN, scheduledArrival: '2026-12-02T20:00:00Z' },
      why: 'arrives before it leaves',
    },
    { aircraftId: TAIL, payload: { ...PLAN, origin: 'london' }, why: 'not an airport code' },
    { aircraftId: TAIL, payload: { ...PLAN, route: [{ lat: 95, lon: 0 }] }, why: 'a waypoint off the globe' },
    { aircraftId: TAIL, payload: { ...PLAN, extra: 1 }, why: 'an unknown field' },
  ];
  for (const b of bad) {
    const res = await admin('POST', '/admin/v1/publications', {
      kind: 'flight-plan',
      name: FLIGHT_PLAN_PUBLICATION,
      version: 1,
      aircraftId: b.aircraftId,
      payload: b.payload,
    });
    assert.equal(res.status, 422, b.why);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'FLIGHT_PLAN_INVALID', b.why);
  }
  const { rows } = await ground.db.query("SELECT seq FROM publications WHERE kind = 'flight-plan'");
  assert.equal(rows.length, 0, 'nothing refused was published');
});

test('a flight plan published on the ground is in force aboard after the next downlink; crew override it; the next plan replaces the override', async () => {
  const res = await admin('POST', '/admin/v1/publications', {
    kind: 'flight-plan',
    name: FLIGHT_PLAN_PUBLICATION,
    version: 1,
    aircraftId: TAIL,
    payload: PLAN,
  });
  assert.equal(res.status, 201, await res.clone().text());
  aircraft.app.sync.service.wake();
  // The flight domain reads the verified publications every few seconds: wait for the plan, not for a time.
  const applied = await waitFor(
    async () => {
      const f = await flightOf();
      return f.phase.flightNumber === 'BA11' && f;
    },
    60_000,
    'the ground’s flight plan in force aboard',
  );
  assert.equal(applied.phase.planFrom, 'ground');
  assert.equal(applied.phase.origin?.icao, 'EGLL');
  assert.equal(applied.phase.destination?.icao, 'WSSS');
  assert.equal(applied.phase.scheduledDeparture, '2026-12-02T21:10:00Z');
  assert.equal(applied.phase.scheduledArrival, '2026-12-03T17:05:00Z');
  assert.deepEqual(
    applied.route.map((p) => [p.lat, p.lon]),
    PLAN.route.map((p) => [p.lat, p.lon]),
  );

  // The cabin hears it on the retained flight/phase (what the seats' flight strip and the reco clock read).
  const password = TokenSigner.fromDataDir(aircraft.dataDir).derive('service:fp-test');
  const client = mqtt.connect(`mqtt://127.0.0.1:${aircraft.app.mqttPort}`, {
    username: 'service:fp-test',
    password,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  try {
    const retained = await new Promise<FlightPhaseState>((resolve, reject) => {
      client.once('error', reject);
      client.on('message', (topic, payload) => {
        if (topic === topics.flightPhase) resolve(flightPhaseState.parse(JSON.parse(payload.toString())));
      });
      client.subscribe(topics.flightPhase, { qos: 1 });
    });
    assert.equal(retained.flightNumber, 'BA11');
    assert.equal(retained.planFrom, 'ground');
  } finally {
    client.end(true);
  }

  // Crew override the flight number on the console: the same leg keeps its schedule.
  const token = await crewToken(aircraft.url, aircraft.dataDir);
  const put = await fetch(`${aircraft.url}/api/crew/flight`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ flightNumber: 'BA15' }),
  });
  assert.equal(put.status, 200, await put.clone().text());
  assert.equal(
    await aircraft.app.flight.refreshFlightPlan(),
    false,
    'the plan already applied does not undo the override',
  );
  const overridden = await flightOf();
  assert.equal(overridden.phase.flightNumber, 'BA15');
  assert.equal(overridden.phase.planFrom, 'crew');
  assert.equal(overridden.phase.scheduledArrival, '2026-12-03T17:05:00Z');

  // The ground's next plan (its next version) replaces the override.
  const next = await publishFlightPlan(ground.db, ground.signingKey, 'air-fp', TAIL, {
    flightNumber: 'BA12',
    origin: 'SIN',
    destination: 'LHR',
    scheduledDeparture: '2026-12-04T23:05:00Z',
    scheduledArrival: '2026-12-05T05:30:00Z',
    route: [],
  });
  assert.equal(next.version, 2);
  aircraft.app.sync.service.wake();
  const replaced = await waitFor(
    async () => {
      const f = await flightOf();
      return f.phase.flightNumber === 'BA12' && f;
    },
    60_000,
    'the ground’s next flight plan in force aboard',
  );
  assert.equal(replaced.phase.planFrom, 'ground');
  assert.equal(replaced.phase.origin?.icao, 'WSSS');
  assert.equal(replaced.phase.destination?.icao, 'EGLL');
  assert.deepEqual(replaced.route, []);
});
