/**
 * The flight state on recorded input: the London -> Singapore track (the simulator's flight
 * recorded with noise, test/fixtures/lhr-sin.csv) passes every phase in order at the right
 * moments and crosses international waters; noise never flaps the phase; a lost source goes
 * stale, then dead-reckons, then is lost.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FlightPhase, flightPhase, flightPosition } from '@ifec/protocol';
import { AirportDirectory } from '../src/flight/airports.ts';
import { FlightState, LOST_AFTER_MS } from '../src/flight/flight-state.ts';
import { distanceM } from '../src/flight/great-circle.ts';
import { parseTrack, TrackFileError } from '../src/flight/track-file.ts';
import { AirspaceIndex } from '../src/geo/airspace.ts';
import { lhrSinFlight, TRACK_START } from './fixtures/generate-lhr-sin.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const airports = AirportDirectory.bundled();
const airspace = AirspaceIndex.bundled();
const lhrSin = () => ({ flightNumber: 'SQ317', origin: airports.find('LHR')!, destination: airports.find('SIN')! });
const newState = () => new FlightState({ regionAt: (lat, lon) => airspace.lookup(lat, lon), plan: lhrSin() });

test('the replayed London -> Singapore track passes every phase in order, at the moments the flight did them', () => {
  const points = parseTrack(fs.readFileSync(path.join(here, 'fixtures', 'lhr-sin.csv'), 'utf8'));
  const state = newState();
  const changes: { phase: FlightPhase; t: number }[] = [];
  for (const p of points) {
    const result = state.accept(p, 'replay', p.at);
    if (result.phase) changes.push({ phase: result.phase.phase, t: (p.at - TRACK_START) / 1000 });
    assert.ok(flightPosition.safeParse(state.position(p.at)).success);
  }
  assert.deepEqual(
    changes.map((c) => c.phase),
    ['taxi_out', 'takeoff', 'climb', 'cruise', 'descent', 'approach', 'landed', 'taxi_in', 'gate'],
  );
  // When the simulated flight entered each phase (its ground truth), and how late detection may be:
  // the dwell of the rule plus the recorder's spacing (5 s on the ground, 20 s climbing, 120 s in cruise).
  const flight = lhrSinFlight();
  const truth = (phase: FlightPhase) => {
    if (phase === 'gate') return flight.durationS;
    for (let t = 0; t < flight.durationS; t += 1) if (flight.sample(t).phase === phase) return t;
    throw new Error(`the simulator never flew ${phase}`);
  };
  const lateBy: Record<FlightPhase, [number, number]> = {
    gate: [0, 45],
    taxi_out: [0, 20],
    takeoff: [0, 20],
    climb: [0, 30],
    cruise: [0, 300],
    descent: [0, 240],
    approach: [-60, 30],
    landed: [0, 15],
    taxi_in: [0, 30],
  };
  for (const c of changes) {
    const late = c.t - truth(c.phase);
    const [lo, hi] = lateBy[c.phase];
    assert.ok(
      late >= lo && late <= hi,
      `${c.phase} detected ${late.toFixed(0)} s after the flight entered it (allowed ${lo}..${hi})`,
    );
  }
  const end = state.position(points.at(-1)!.at)!;
  assert.equal(end.phase, 'gate');
  assert.equal(end.region, 'SG');
  assert.ok(
    Math.abs(end.distanceFlownM - flight.distanceM) < 0.01 * flight.distanceM,
    `flown ${end.distanceFlownM} of ${flight.distanceM}`,
  );
  assert.ok(end.distanceToGoM! < 100);
});

test('the track crosses the expected airspaces, international waters included', () => {
  const points = parseTrack(fs.readFileSync(path.join(here, 'fixtures', 'lhr-sin.csv'), 'utf8'));
  const state = newState();
  const regions: (string | null)[] = [];
  for (const p of points) {
    const { region } = state.accept(p, 'replay', p.at);
    if (region) regions.push(region.to);
  }
  assert.equal(regions[0], 'GB');
  assert.equal(regions.at(-1), 'SG');
  // In order along the route (others may come between): Europe, Central Asia, the subcontinent, the Bay of Bengal, South-East Asia.
  const expected: (string | null)[] = [
    'GB',
    null,
    'NL',
    'DE',
    'PL',
    'RU',
    'KZ',
    'UZ',
    'AF',
    'PK',
    'IN',
    null,
    'TH',
    'MY',
    'SG',
  ];
  let at = 0;
  for (const region of expected) {
    const found = regions.indexOf(region, at);
    assert.ok(
      found >= 0,
      `${region ?? 'international waters'} after position ${at} in ${regions.map((r) => r ?? 'INTL').join(' ')}`,
    );
    at = found + 1;
  }
});

test('GPS noise on a level cruise and at the gate does not flap the phase', () => {
  const state = new FlightState({
    regionAt: () => null,
    plan: lhrSin(),
    phase: { phase: 'cruise', since: 0, previous: 'climb' },
  });
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const t0 = Date.parse('2026-12-01T12:00:00Z');
  // 30 minutes at FL370 with ±4 m/s of vertical speed noise and ±15 m of altitude jitter, at 1 Hz.
  for (let s = 0; s < 1800; s++) {
    const changed = state.accept(
      {
        at: t0 + s * 1000,
        lat: 40,
        lon: 50 + s * 0.003,
        altitudeM: 11278 + noise() * 30,
        groundSpeedMps: 245 + noise() * 4,
        verticalSpeedMps: noise() * 8,
        trackDeg: 90,
      },
      'gdl90',
      t0 + s * 1000,
    );
    assert.equal(changed.phase, undefined, `cruise flapped at ${s} s`);
  }
  const ground = new FlightState({ regionAt: () => 'GB', plan: lhrSin() });
  for (let s = 0; s < 600; s++) {
    // Parked: the receiver reports up to 1.5 m/s of speed that is not there, now and then.
    const gs = s % 7 === 0 ? 1.5 : Math.abs(noise());
    assert.equal(
      ground.accept(
        { at: t0 + s * 1000, lat: 51.4706, lon: -0.4619, altitudeM: 25 + noise() * 10, groundSpeedMps: gs },
        'nmea',
        t0 + s * 1000,
      ).phase,
      undefined,
    );
  }
  assert.equal(ground.phase, 'gate');
});

test('a recorded take-off roll and rejected take-off: phases follow the aircraft, not single samples', () => {
  const state = new FlightState({ regionAt: () => 'GB', plan: lhrSin() });
  const t0 = Date.parse('2026-12-01T09:00:00Z');
  const at = (s: number) => t0 + s * 1000;
  const fix = (s: number, gs: number, alt = 25) =>
    state.accept({ at: at(s), lat: 51.47, lon: -0.46, altitudeM: alt, groundSpeedMps: gs }, 'nmea', at(s)).phase?.phase;
  assert.equal(fix(0, 0), undefined);
  // A 3 s push-back burst is not taxiing.
  assert.equal(fix(1, 3), undefined);
  assert.equal(fix(3, 0), undefined);
  const seen: (FlightPhase | undefined)[] = [];
  for (let s = 10; s <= 30; s++) seen.push(fix(s, 6));
  assert.deepEqual(seen.filter(Boolean), ['taxi_out']);
  for (let s = 31; s <= 60; s++) seen.push(fix(s, 6 + (s - 30) * 2));
  assert.equal(state.phase, 'takeoff');
  // Abort: braking to a stop on the runway.
  for (let s = 61; s <= 100; s++) fix(s, Math.max(0, 66 - (s - 60) * 3));
  assert.equal(state.phase, 'taxi_out', 'a rejected take-off goes back to taxi');
});

test('losing the source marks the position stale after 5 s, then dead-reckons along the track, then lost after 10 minutes', () => {
  const state = newState();
  const t0 = Date.parse('2026-12-01T12:00:00Z');
  const last = { at: t0, lat: 20, lon: 65, altitudeM: 11278, groundSpeedMps: 250, trackDeg: 90, verticalSpeedMps: 0 };
  state.accept(last, 'arinc429', t0);
  assert.equal(state.position(t0 + 4000)!.quality, 'live');
  const stale = state.position(t0 + 7000)!;
  assert.equal(stale.quality, 'stale');
  assert.deepEqual([stale.lat, stale.lon], [20, 65], 'a stale fix is shown where it was');
  const reckoned = state.position(t0 + 120_000)!;
  assert.equal(reckoned.quality, 'dead_reckoning');
  assert.equal(reckoned.source, 'arinc429');
  const moved = distanceM(last, reckoned);
  assert.ok(Math.abs(moved - 250 * 120) < 50, `moved ${moved} m in 2 minutes at 250 m/s`);
  assert.ok(reckoned.lon > 65 && Math.abs(reckoned.lat - 20) < 0.05, 'eastwards along the track');
  assert.equal(reckoned.at, new Date(t0 + 120_000).toISOString());
  const lost = state.position(t0 + LOST_AFTER_MS + 1000)!;
  assert.equal(lost.quality, 'lost');
  assert.equal(lost.source, null);
  assert.ok(flightPosition.safeParse(lost).success);
  // A fix again: live at once.
  state.accept({ ...last, at: t0 + LOST_AFTER_MS + 2000, lon: 70 }, 'nmea', t0 + LOST_AFTER_MS + 2000);
  assert.equal(state.position(t0 + LOST_AFTER_MS + 2500)!.quality, 'live');
});

test('local times at origin, destination and below come from offline time zones', () => {
  const state = newState();
  const at = Date.parse('2026-12-01T14:30:00Z');
  state.accept({ at, lat: 7, lon: 80.5, altitudeM: 11000, groundSpeedMps: 250, trackDeg: 110 }, 'simulator', at);
  const p = state.position(at)!;
  assert.deepEqual(p.localTimes.origin, { tz: 'Europe/London', time: '14:30', utcOffsetMin: 0 });
  assert.deepEqual(p.localTimes.destination, { tz: 'Asia/Singapore', time: '22:30', utcOffsetMin: 480 });
  assert.deepEqual(p.localTimes.below, { tz: 'Asia/Colombo', time: '20:00', utcOffsetMin: 330 });
  assert.equal(p.region, 'LK');
  assert.ok(p.eta && Date.parse(p.eta) > at);
});

test('track files: CSV and GeoJSON read alike; a bad file names its first bad row', () => {
  const csv = parseTrack(
    'time,lat,lon,altitude_m,ground_speed_mps\n2026-12-01T09:00:00Z,51.47,-0.46,25,0\n1796115605,51.48,-0.45,30,5\n',
  );
  assert.deepEqual(
    csv.map((p) => [p.lat, p.altitudeM, p.groundSpeedMps]),
    [
      [51.47, 25, 0],
      [51.48, 30, 5],
    ],
  );
  const geo = parseTrack(
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [-0.46, 51.47, 25] },
          properties: { time: '2026-12-01T09:00:00Z' },
        },
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [-0.45, 51.48, 30] },
          properties: { time: '2026-12-01T09:00:05Z', groundSpeedMps: 5 },
        },
      ],
    }),
  );
  assert.deepEqual(
    geo.map((p) => [p.lat, p.lon, p.altitudeM]),
    [
      [51.47, -0.46, 25],
      [51.48, -0.45, 30],
    ],
  );
  assert.throws(
    () => parseTrack('time,lat,lon\n2026-12-01T09:00:00Z,51,0\nyesterday,51,0\n'),
    (e: unknown) => e instanceof TrackFileError && /line 3/.test(e.message),
  );
  assert.throws(() => parseTrack('lat,lon\n1,2\n'), TrackFileError);
  assert.throws(() => parseTrack('{"type":"Feature"'), TrackFileError);
  assert.throws(() => parseTrack('time,lat,lon\n2026-12-01T09:00:05Z,51,0\n2026-12-01T09:00:00Z,51,0\n'), /backwards/);
  assert.ok(flightPhase.options.length === 9);
});
