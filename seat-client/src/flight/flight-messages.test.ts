import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlightPosition } from '@ifec/protocol';
import { parseFlightMessage } from './flight-messages.ts';
import { FlightAwareness } from './flight-state.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

function fix(over: Partial<FlightPosition> = {}): FlightPosition {
  return {
    at: '2026-12-01T14:00:00.000Z',
    lat: 48.3,
    lon: 45.6,
    altitudeM: 11_000,
    groundSpeedMps: 250,
    trackDeg: 110,
    verticalSpeedMps: 0,
    quality: 'live',
    source: 'simulator',
    phase: 'cruise',
    region: 'KZ',
    distanceFlownM: 3_000_000,
    distanceToGoM: 7_000_000,
    eta: null,
    localTimes: { origin: null, destination: null, below: null },
    ...over,
  };
}

const policy = {
  at: '2026-12-01T14:00:00.000Z',
  policyId: 'demo',
  policyVersion: 1,
  region: 'CN',
  tags: [],
  phase: 'cruise',
  wifi: { value: false, rule: 'default' },
  voip: { value: false, rule: 'default' },
  messaging: { value: true, rule: 'default' },
  priceZone: { value: 'land', rule: 'default' },
  blocked: { titles: ['the-last-runway'], genres: ['thriller'], rules: ['no-thrillers'] },
};

test("a valid position, phase and policy are accepted; other topics are not the flight parser's", () => {
  const p = parseFlightMessage('flight/position', bytes(JSON.stringify(fix())));
  assert.ok(p?.ok && p.message.kind === 'position' && p.message.value.lat === 48.3);
  const ph = parseFlightMessage(
    'flight/phase',
    bytes(
      JSON.stringify({
        phase: 'climb',
        since: '2026-12-01T13:00:00.000Z',
        previous: 'takeoff',
        flightNumber: 'BA11',
        origin: null,
        destination: null,
      }),
    ),
  );
  assert.ok(ph?.ok && ph.message.kind === 'phase');
  const pol = parseFlightMessage('policy/current', bytes(JSON.stringify(policy)));
  assert.ok(pol?.ok && pol.message.kind === 'policy');
  assert.equal(parseFlightMessage('cabin/pa', bytes('{}')), undefined);
  assert.equal(parseFlightMessage('flight/something-else', bytes('{}')), undefined);
});

test('garbage is refused with a reason that names the field', () => {
  const cases: [string, string, RegExp][] = [
    ['flight/position', 'not json', /not valid JSON/],
    ['flight/position', '', /empty/],
    ['flight/position', JSON.stringify(fix({ lat: 200 })), /lat/],
    ['flight/position', JSON.stringify({ ...fix(), extra: 1 }), /extra|Unrecognized/i],
    ['flight/position', JSON.stringify(fix({ quality: 'great' as never })), /quality/],
    ['flight/phase', JSON.stringify({ phase: 'hovering' }), /phase/],
    ['policy/current', JSON.stringify({ ...policy, blocked: 'everything' }), /blocked/],
    ['policy/current', '\u0000\u0001\u0002', /not valid JSON/],
  ];
  for (const [topic, payload, reason] of cases) {
    const r = parseFlightMessage(topic, bytes(payload));
    assert.ok(r && !r.ok, `${topic} ${payload.slice(0, 40)} is refused`);
    assert.match(r.reason, reason);
  }
});

test('a payload over the cabin bus limit is refused before it is parsed', () => {
  const r = parseFlightMessage('flight/position', new Uint8Array(17 * 1024).fill(32));
  assert.ok(r && !r.ok && /limit/.test(r.reason));
});

test('an empty retained policy withdraws it: nothing is blocked any more', () => {
  const flight = new FlightAwareness();
  const on = parseFlightMessage('policy/current', bytes(JSON.stringify(policy)));
  assert.ok(on?.ok && on.message.kind === 'policy');
  flight.setPolicy(on.message.value, on.message.blocks);
  assert.equal(flight.blocks({ id: 'the-last-runway' }), true);
  assert.equal(
    flight.blocks({ id: 'copper-sky', kind: 'movie', genres: ['thriller'] }),
    true,
    'a blocked tag matches a genre, whatever its case',
  );
  assert.equal(flight.blocks({ id: 'little-cloud', kind: 'kids', genres: ['animation'] }), false);
  const off = parseFlightMessage('policy/current', new Uint8Array());
  assert.ok(off?.ok && off.message.kind === 'policy' && off.message.value === null);
  flight.setPolicy(off.message.value, off.message.blocks);
  assert.equal(flight.blocks({ id: 'the-last-runway' }), false);
});

test('the track keeps a breadcrumb every 10 km, ignores older retained fixes and restarts on a new flight', () => {
  const flight = new FlightAwareness();
  let changes = 0;
  flight.subscribe(() => changes++);
  flight.setPosition(fix({ at: '2026-12-01T14:00:00.000Z', distanceFlownM: 1_000_000, lon: 40 }));
  flight.setPosition(fix({ at: '2026-12-01T14:00:01.000Z', distanceFlownM: 1_000_250, lon: 40.01 }));
  flight.setPosition(fix({ at: '2026-12-01T14:00:40.000Z', distanceFlownM: 1_010_000, lon: 40.1 }));
  assert.deepEqual(
    flight.track.map(([lon]) => lon),
    [40, 40.1],
  );
  assert.equal(flight.position?.lon, 40.1);
  flight.setPosition(fix({ at: '2026-12-01T13:59:00.000Z', lon: 10 }));
  assert.equal(
    flight.position?.lon,
    40.1,
    'an older fix (a retained message replayed) does not move the aircraft back',
  );
  flight.setPosition(fix({ at: '2026-12-02T08:00:00.000Z', distanceFlownM: 0, lon: -0.46 }));
  assert.deepEqual(
    flight.track.map(([lon]) => lon),
    [-0.46],
    'distance flown went back: a new flight, a new track',
  );
  assert.equal(changes, 4);
  for (let i = 1; i <= 3000; i++)
    flight.setPosition(
      fix({
        at: new Date(Date.parse('2026-12-02T08:00:00.000Z') + i * 1000).toISOString(),
        distanceFlownM: i * 10_000,
        lon: -0.46 + i * 0.01,
      }),
    );
  assert.ok(flight.track.length <= 1200, `bounded (${flight.track.length})`);
  assert.equal(
    flight.track.at(-1)![0],
    flight.position!.lon,
    'the newest breadcrumb is kept when the track is thinned',
  );
  assert.equal(flight.track[0]![0], -0.46, 'and so is the first');
});
