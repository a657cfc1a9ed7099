import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config.ts';
import { FlightClock } from './flight-clock.ts';

const position = (eta: string | null) =>
  JSON.stringify({
    at: '2026-12-01T10:00:00Z',
    lat: 50,
    lon: 60,
    altitudeM: 11000,
    groundSpeedMps: 250,
    trackDeg: 80,
    verticalSpeedMps: 0,
    quality: 'live',
    source: 'simulator',
    phase: 'cruise',
    region: 'RU',
    distanceFlownM: 4e6,
    distanceToGoM: 1e6,
    eta,
    localTimes: { origin: null, destination: null, below: { tz: 'Asia/Almaty', time: '21:15', utcOffsetMin: 300 } },
  });
const phase = (p: string, since: string) =>
  JSON.stringify({
    phase: p,
    since,
    previous: null,
    flightNumber: 'XA1',
    origin: { iata: 'LHR', icao: 'EGLL', name: 'Heathrow', city: 'London', lat: 51, lon: 0, tz: 'Europe/London' },
    destination: { icao: 'RJAA', name: 'Narita', lat: 35, lon: 140, tz: 'Asia/Tokyo' },
  });

test('time left: the ETA when the flight domain gives one, else the planned duration from take-off, else unknown', () => {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = new FlightClock(undefined, 'GB', () => now);
  assert.equal(clock.remainingS(), undefined);
  clock.setPlannedDuration(3 * 3600);
  assert.equal(clock.remainingS(), 3 * 3600, 'at the gate the whole flight is ahead');
  clock.observePhase(phase('takeoff', '2026-12-01T09:00:00Z'));
  assert.equal(clock.remainingS(), 2 * 3600);
  clock.observePosition(position('2026-12-01T11:30:00Z'));
  assert.equal(clock.remainingS(), 90 * 60);
  now += 100 * 60_000;
  assert.equal(clock.remainingS(), 0, 'never negative');
});

test('context: route from the flight plan (IATA, else ICAO), region below, local hour; garbage on the bus is ignored', () => {
  const clock = new FlightClock(undefined, 'GB', () => Date.parse('2026-12-01T10:00:00Z'));
  assert.deepEqual(clock.context('fr'), { timeOfDay: 'morning', region: 'GB', language: 'fr' });
  clock.observePhase(phase('cruise', '2026-12-01T09:00:00Z'));
  clock.observePosition(position(null));
  for (const garbage of ['{', '"cruise"', JSON.stringify({ phase: 'warp' }), position('tomorrow')]) {
    clock.observePhase(garbage);
    clock.observePosition(garbage);
  }
  assert.deepEqual(clock.context('en'), {
    route: 'LHR-RJAA',
    destination: 'RJAA',
    region: 'RU',
    language: 'en',
    timeOfDay: 'evening',
  });
});

test('config: personalisation is off unless the airline says otherwise, and "false" means false', () => {
  const base = { IFEC_DATA_DIR: '/tmp/x' };
  assert.equal(loadConfig(base).recommendationsPersonalisedByDefault, false);
  assert.equal(
    loadConfig({ ...base, IFEC_RECOMMENDATIONS_PERSONALISED_BY_DEFAULT: 'false' }).recommendationsPersonalisedByDefault,
    false,
  );
  assert.equal(
    loadConfig({ ...base, IFEC_RECOMMENDATIONS_PERSONALISED_BY_DEFAULT: 'true' }).recommendationsPersonalisedByDefault,
    true,
  );
  assert.throws(
    () => loadConfig({ ...base, IFEC_RECOMMENDATIONS_PERSONALISED_BY_DEFAULT: 'yes' }),
    /recommendationsPersonalisedByDefault|IFEC_RECOMMENDATIONS/,
  );
  assert.equal(loadConfig({ ...base, IFEC_PLANNED_FLIGHT_MINUTES: '690' }).plannedFlightMinutes, 690);
});

test('time left without an ETA or a planned duration: the scheduled arrival of the ground’s flight plan', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  const clock = new FlightClock(undefined, 'GB', () => now);
  assert.equal(clock.remainingS(), undefined);
  clock.observePhase(
    JSON.stringify({
      ...JSON.parse(phase('cruise', '2026-12-01T09:00:00Z')),
      scheduledArrival: '2026-12-01T11:30:00Z',
    }),
  );
  assert.equal(clock.remainingS(), 90 * 60);
  clock.observePosition(position('2026-12-01T11:00:00Z'));
  assert.equal(clock.remainingS(), 60 * 60, 'the ETA wins once there is one');
});
