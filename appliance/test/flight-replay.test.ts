/**
 * A recorded London -> Singapore track replayed at 4,000x into a real appliance: flight/phase
 * goes through every phase in order on the bus, and arriving at the gate (taxi_in -> gate)
 * runs the reset for next flight.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FlightPhaseState, flightPhaseState } from '@ifec/protocol';
import { seatClient, startTestAppliance, type TestAppliance, waitFor } from './support.ts';

const track = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lhr-sin.csv');
let app: TestAppliance;

before(async () => {
  app = await startTestAppliance({ IFEC_FLIGHT_SOURCES: `replay:${track}@4000` });
});

after(async () => {
  await app?.stop();
});

test('the replayed flight publishes each phase once, in order, and the arrival at the gate resets the cabin for the next flight', async () => {
  const seat = await seatClient(app, Object.keys(app.credentials.seats)[0]!);
  const phases: FlightPhaseState[] = [];
  seat.on('message', (topic, payload) => {
    if (topic !== 'flight/phase') return;
    const parsed = flightPhaseState.safeParse(JSON.parse(payload.toString()));
    assert.ok(parsed.success, payload.toString());
    phases.push(parsed.data);
  });
  await seat.subscribeAsync('flight/phase');
  const started = Date.now();
  await waitFor(
    () => phases.some((p) => p.phase === 'gate' && p.previous === 'taxi_in'),
    30_000,
    'arrival at the gate',
  );
  assert.ok(Date.now() - started < 20_000, `the 12.7 h flight took ${Date.now() - started} ms at 4,000x`);
  // The replay starts with the appliance, before this seat has logged in: the log has every change, the bus the ones since.
  const changes = app.logLines
    .map((l) => JSON.parse(l) as { msg: string; from?: string; to?: string; rule?: string })
    .filter((l) => l.msg === 'flight phase changed');
  assert.deepEqual(
    changes.map((c) => c.to),
    ['taxi_out', 'takeoff', 'climb', 'cruise', 'descent', 'approach', 'landed', 'taxi_in', 'gate'],
  );
  assert.ok(
    changes.every((c) => c.rule),
    'each change names its rule',
  );
  const onBus = phases.map((p) => p.phase).filter((p, i, all) => i === 0 || p !== all[i - 1]);
  assert.deepEqual(onBus.slice(-4), ['approach', 'landed', 'taxi_in', 'gate']);
  assert.deepEqual(phases.at(-1)!.previous, 'taxi_in');
  await waitFor(
    () =>
      app.logLines.some(
        (l) => l.includes('reset for next flight: personal state wiped') && l.includes('taxi_in -> gate'),
      ),
    5000,
    'the reset',
  );
  const flight = (await (await fetch(`${app.url}/api/flight`)).json()) as {
    position: { region: string; source: string; sourceId: string };
  };
  assert.equal(flight.position.region, 'SG');
  assert.equal(flight.position.source, 'replay');
  await seat.endAsync();
});
