/**
 * Recommendations on a real appliance: seat and paired phone over HTTP, consent, signals,
 * the flight's route and ETA from the cabin bus, garbage refused, and reset for next flight
 * leaving no personal signal in the store.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pairingPaths, paths, type RecoRows, recoModel, recoRows, topics } from '@ifec/protocol';
import { trainModel } from '../../ground-sync/src/recommendations/train.ts';
import { activeLoadWith, recoTitle } from './reco-fixtures.ts';
import { pairedPhone, postJson, seatToken } from './resume-support.ts';
import { crewToken, startTestAppliance, type TestAppliance, tempDir, waitFor } from './support.ts';

let app: TestAppliance;
let token: string;
const seatId = '1A';

const catalogue = [
  ...['thriller-1', 'thriller-2', 'thriller-3', 'thriller-4'].map((id) =>
    recoTitle({ id, genres: ['thriller'], durationS: 6000 }),
  ),
  ...['comedy-1', 'comedy-2', 'comedy-3'].map((id) => recoTitle({ id, genres: ['comedy'], durationS: 4500 })),
  recoTitle({ id: 'seatback-thriller', genres: ['thriller'], rights: 'seatback-only' }),
  recoTitle({ id: 'long-epic', genres: ['drama'], durationS: 140 * 60 }),
];
const model = recoModel.parse(
  trainModel(
    {
      catalogue: catalogue.map((t) => t.id),
      counts: [
        ...Array.from({ length: 9 }, () => ({
          titleId: 'long-epic',
          cabinClass: 'economy',
          watchedS: 8400,
          completed: true,
          route: 'LHR-NRT',
        })),
        ...Array.from({ length: 5 }, () => ({
          titleId: 'comedy-1',
          cabinClass: 'economy',
          watchedS: 5000,
          completed: true,
          route: 'LHR-NRT',
        })),
      ],
      histories: [
        ...Array.from({ length: 20 }, (_, i) => ({
          session: `t${i}`,
          titles: ['thriller-1', 'thriller-2', 'seatback-thriller', i % 2 ? 'thriller-3' : 'thriller-4'],
        })),
        ...Array.from({ length: 20 }, (_, i) => ({
          session: `c${i}`,
          titles: ['comedy-1', 'comedy-2', 'comedy-3', 'long-epic'],
        })),
      ],
    },
    { version: 5, trainedAt: '2026-12-01T00:00:00Z' },
  ),
);

const airport = (iata: string, icao: string, city: string) => ({
  iata,
  icao,
  name: city,
  city,
  lat: 0,
  lon: 0,
  tz: 'UTC',
});

async function rows(auth: string, lang = 'en'): Promise<{ status: number; body: RecoRows }> {
  const res = await fetch(`${app.url}${paths.recommendations.rows}?lang=${lang}`, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as RecoRows };
}
const signal = (body: unknown, auth = `Bearer ${token}`) =>
  postJson(`${app.url}${paths.recommendations.signals}`, body, { authorization: auth });
const consent = (personalised: unknown, auth = `Bearer ${token}`) =>
  postJson(`${app.url}${paths.recommendations.consent}`, { personalised }, { authorization: auth }, 'PUT');
const basic = (deviceId: string, password: string) =>
  `Basic ${Buffer.from(`phone:${deviceId}:${password}`).toString('base64')}`;

before(async () => {
  app = await startTestAppliance();
  await app.recommendations.recommendations.useLoad(activeLoadWith(tempDir('reco-load-'), catalogue, model));
  token = await seatToken(app, seatId);
  // The flight domain's state, as it publishes it.
  await app.bus.publish(
    topics.flightPhase,
    JSON.stringify({
      phase: 'cruise',
      since: new Date().toISOString(),
      previous: 'climb',
      flightNumber: 'XA1',
      origin: airport('LHR', 'EGLL', 'London'),
      destination: airport('NRT', 'RJAA', 'Tokyo'),
    }),
    { retain: true },
  );
});

after(async () => {
  await app?.stop();
});

test('cold start over HTTP: a seat gets the route’s popular row with its reason, nothing personal, and the model version', async () => {
  const { status, body } = await rows(`Bearer ${token}`);
  assert.equal(status, 200);
  recoRows.parse(body);
  assert.equal(body.personalised, false);
  assert.equal(body.modelVersion, 5);
  assert.deepEqual(
    body.rows.map((r) => r.kind),
    ['popular-route'],
  );
  assert.deepEqual(body.rows[0]!.reason, { key: 'popular-route', place: 'Tokyo' });
  assert.equal(body.rows[0]!.items[0]!.titleId, 'long-epic');
});

test('without consent a signal is not kept; after the seat opts in, two thrillers bring thrillers first', async () => {
  assert.deepEqual((await signal({ kind: 'watched', titleId: 'thriller-1' })).json, { kept: false });
  const before = await fetch(`${app.url}${paths.recommendations.consent}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.deepEqual(await before.json(), { personalised: false, chosen: false });
  assert.equal((await consent(true)).status, 200);
  assert.deepEqual((await signal({ kind: 'watched', titleId: 'thriller-1' })).json, { kept: true });
  assert.deepEqual((await signal({ kind: 'finished', titleId: 'thriller-2' })).json, { kept: true });
  assert.equal((await signal({ kind: 'searched', query: 'spy' })).status, 202);
  const { body } = await rows(`Bearer ${token}`);
  assert.equal(body.personalised, true);
  assert.equal(body.rows[0]!.kind, 'for-you');
  const first = body.rows[0]!.items.slice(0, 2).map((i) => i.titleId);
  assert.ok(
    first.every((id) => id.includes('thriller')),
    first.join(', '),
  );
  assert.ok(body.rows.some((r) => r.kind === 'because-you-watched' && r.reason.title === 'thriller-2'));
  const { rows: stored } = await app.store.query<{ n: number }>('SELECT count(*)::int AS n FROM reco_signals');
  assert.equal(stored[0]!.n, 3);
  // Rows are cached per session, but a new signal is in the very next answer: abandoning the
  // title "because you watched" names drops that row's reason at once.
  assert.deepEqual((await signal({ kind: 'abandoned', titleId: 'thriller-2' })).json, { kept: true });
  const after = (await rows(`Bearer ${token}`)).body;
  assert.ok(
    !after.rows.some((r) => r.reason.title === 'thriller-2' || r.items.some((i) => i.titleId === 'thriller-2')),
    JSON.stringify(after.rows.map((r) => [r.kind, r.reason])),
  );
});

test('the ETA on flight/position gives a fits-before-landing row that never holds the 140-minute film with 90 minutes left', async () => {
  const eta = new Date(Date.now() + 90 * 60_000 + 30_000).toISOString();
  await app.bus.publish(
    topics.flightPosition,
    JSON.stringify({
      at: new Date().toISOString(),
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
      distanceToGoM: 1.3e6,
      eta,
      localTimes: { origin: null, destination: null, below: null },
    }),
    { retain: true },
  );
  const body = await waitFor(
    async () => {
      const r = (await rows(`Bearer ${token}`)).body;
      return r.minutesLeft === 90 ? r : undefined;
    },
    5000,
    'the ETA reaching the ranking',
  );
  const fits = body.rows.find((r) => r.kind === 'fits-before-landing')!;
  assert.ok(fits.items.length > 0);
  assert.ok(!fits.items.some((i) => i.titleId === 'long-epic'));
  assert.deepEqual(fits.reason, { key: 'fits-before-landing', minutes: 90 });
});

test('a paired phone gets the seat’s rows without seatback-only titles, and may not switch consent', async () => {
  const { phone, mqtt } = await pairedPhone(app, seatId);
  try {
    const seatCards = (await rows(`Bearer ${token}`)).body.rows.flatMap((r) => r.items.map((i) => i.titleId));
    assert.ok(seatCards.includes('seatback-thriller'), 'the seat is offered it');
    const { status, body } = await rows(basic(phone.deviceId, phone.password));
    assert.equal(status, 200);
    assert.equal(body.personalised, true);
    const cards = body.rows.flatMap((r) => r.items.map((i) => i.titleId));
    assert.ok(cards.length > 0);
    assert.ok(!cards.includes('seatback-thriller'));
    assert.equal((await consent(false, basic(phone.deviceId, phone.password))).json.error.code, 'DEVICE_MISMATCH');
    // A signal from the phone counts for the seat's session.
    assert.deepEqual(
      (await signal({ kind: 'favourited', titleId: 'comedy-3' }, basic(phone.deviceId, phone.password))).json,
      { kept: true },
    );
  } finally {
    mqtt.end(true);
  }
});

test('garbage is refused with a code: no credentials, a forged token, a bad body, an unknown kind, a long query, a flood', async () => {
  assert.equal((await fetch(`${app.url}${paths.recommendations.rows}`)).status, 401);
  const forged = await rows('Bearer not.a.token');
  assert.equal(forged.status, 401);
  assert.equal((forged.body as unknown as { error: { code: string } }).error.code, 'SEAT_LOGIN_REQUIRED');
  assert.equal((await rows(`Bearer ${token}`, 'NOT A LANGUAGE')).status, 400);
  for (const body of [
    '{not json',
    { kind: 'watched' },
    { kind: 'hacked', titleId: 'thriller-1' },
    { kind: 'watched', titleId: '../etc/passwd' },
    { kind: 'searched', query: 'x'.repeat(101) },
    { kind: 'watched', titleId: 'thriller-1', seat: '2B' },
  ]) {
    const r = await signal(body);
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  assert.equal((await consent('yes')).status, 400);
  const stranger = basic('no-such-phone', 'x');
  assert.equal((await rows(stranger)).status, 401);
  const seatBasic = (secret: string) => `Basic ${Buffer.from(`seat:${seatId}:${secret}`).toString('base64')}`;
  assert.equal((await rows(seatBasic('wrong'))).status, 401);
  assert.equal(
    (await rows(seatBasic(app.credentials.seats[seatId]!))).status,
    200,
    'the seat app’s Basic credentials work too',
  );
  let last: Awaited<ReturnType<typeof signal>> = { status: 0, json: undefined };
  for (let i = 0; i < 70; i++) last = await signal({ kind: 'watched', titleId: 'comedy-1' });
  assert.equal(last.status, 429);
  assert.equal(last.json.error.code, 'RECO_SIGNALS_TOO_FAST');
});

test('reset for next flight: no personal signal or consent stays in the store, and the new session gets no personal row', async () => {
  const crew = await crewToken(app);
  const reset = await postJson(`${app.url}${pairingPaths.resetForNextFlight}`, {}, { authorization: `Bearer ${crew}` });
  assert.equal(reset.status, 200, JSON.stringify(reset.json));
  for (const table of ['reco_signals', 'reco_consent']) {
    const { rows: left } = await app.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    assert.equal(left[0]!.n, 0, table);
  }
  // What went to the ground: the opted-in session's titles, under an id that is not its session's.
  const { rows: outbox } = await app.store.query<{ data: { session: string; titles: string[] } }>(
    "SELECT data FROM outbox WHERE kind = 'reco.watch.history'",
  );
  assert.equal(outbox.length, 1);
  assert.ok(outbox[0]!.data.titles.includes('thriller-1'));
  assert.ok(!JSON.stringify(outbox[0]!.data).includes(seatId));
  // The restarted seat: same token, new session, nothing personal.
  const { body } = await rows(`Bearer ${token}`);
  assert.equal(body.personalised, false);
  assert.ok(body.rows.every((r) => r.kind !== 'for-you' && r.kind !== 'because-you-watched'));
  assert.deepEqual((await signal({ kind: 'watched', titleId: 'thriller-1' })).json, { kept: false });
});
