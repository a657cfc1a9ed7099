/**
 * Crew PIN guessing on the real appliance over real sockets: a parallel burst cannot race the
 * lockout, a passenger's wrong PINs cannot lock the crew out, an unknown crew id answers as
 * slowly as a real one, and a login burst delays neither the PA nor a journalled fault.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import test, { after, before } from 'node:test';
import type { MqttClient } from 'mqtt';
import { address, loginFrom, percentile, requestFrom, wrongPin } from './hostile-support.ts';
import { crewToken, seatClient, startTestAppliance, type TestAppliance, waitFor } from './support.ts';

let app: TestAppliance;
let purserToken: string;
const pinOf = (crewId: string) => app.credentials.crew.find((c) => c.crewId === crewId)!.pin;
const purserClears = (crewId: string) =>
  requestFrom('127.0.0.1', `${app.url}/api/crew/logins/${crewId}/clear`, {
    method: 'POST',
    headers: { authorization: `Bearer ${purserToken}` },
  });

before(async () => {
  app = await startTestAppliance();
  purserToken = await crewToken(app, 0); // P100, the purser
});
after(async () => {
  await app.stop();
});

for (const sources of [1, 50]) {
  test(`1,000 parallel wrong PINs plus the right one from ${sources} address(es) log nobody in`, {
    timeout: 120_000,
  }, async () => {
    const crewId = 'M300';
    const pin = pinOf(crewId);
    // The right PIN goes last, as an attacker's 1,000th guess would; all are in flight at once.
    const guesses = [...Array.from({ length: 1000 }, (_, i) => wrongPin(pin, i)), pin];
    const answers = await Promise.all(
      guesses.map((guess, i) => loginFrom(address(10 + sources, i % sources), app.url, crewId, guess)),
    );
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    assert.equal(statuses.get(200) ?? 0, 0, `logins: ${JSON.stringify([...statuses])}`);
    assert.deepEqual(
      [...statuses.keys()].filter((s) => ![401, 429, 503].includes(s)),
      [],
      'only refusals',
    );
    assert.ok(
      (statuses.get(401) ?? 0) <= 5 * sources,
      `at most 5 PINs per address were checked: ${JSON.stringify([...statuses])}`,
    );
    assert.equal((await purserClears(crewId)).status, 200);
  });
}

test("a passenger's five wrong PINs slow the crew member down for seconds, not minutes; the purser clears it", {
  timeout: 120_000,
}, async () => {
  const crewId = 'C200';
  const pin = pinOf(crewId);
  const passenger = address(80, 0);
  for (let i = 0; i < 5; i++) {
    let answer = await loginFrom(passenger, app.url, crewId, wrongPin(pin, i));
    // After a few failures the crew id itself asks for a pause; a patient guesser obeys it.
    while (answer.status === 429) {
      await new Promise((r) => setTimeout(r, Number(answer.headers['retry-after']) * 1000));
      answer = await loginFrom(passenger, app.url, crewId, wrongPin(pin, i));
    }
    assert.equal(answer.status, 401, answer.body);
  }
  const sixth = await loginFrom(passenger, app.url, crewId, pin);
  assert.equal(sixth.status, 429, 'the guessing address itself is blocked, even with the right PIN');

  // The crew member's own handheld, elsewhere in the cabin: waits what it is told, then is in.
  const handheld = address(80, 1);
  const started = Date.now();
  let answer = await loginFrom(handheld, app.url, crewId, pin);
  while (answer.status === 429 && Date.now() - started < 60_000) {
    const wait = Number(answer.headers['retry-after']);
    assert.ok(wait >= 1 && wait <= 30, `Retry-After ${answer.headers['retry-after']}`);
    await new Promise((r) => setTimeout(r, wait * 1000));
    answer = await loginFrom(handheld, app.url, crewId, pin);
  }
  assert.equal(answer.status, 200, answer.body);
  assert.ok(Date.now() - started < 35_000, `crew waited ${Date.now() - started} ms`);

  // More wrong PINs from elsewhere: the purser's override lets the crew member in at once.
  for (let i = 0; i < 5; i++) await loginFrom(address(80, 2 + i), app.url, crewId, wrongPin(pin, i));
  assert.equal((await loginFrom(handheld, app.url, crewId, pin)).status, 429);
  const cleared = await purserClears(crewId);
  assert.equal(cleared.status, 200, cleared.body);
  assert.equal((await loginFrom(handheld, app.url, crewId, pin)).status, 200);
  // Only a purser may clear.
  const cabinCrew = JSON.parse((await loginFrom(handheld, app.url, crewId, pin)).body) as { token: string };
  const refused = await requestFrom(handheld, `${app.url}/api/crew/logins/M300/clear`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cabinCrew.token}` },
  });
  assert.equal(refused.status, 403);
});

test('an unknown crew id is refused as slowly as a real one with a wrong PIN', { timeout: 60_000 }, async () => {
  const timings = { real: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < 6; i++) {
    for (const [kind, crewId] of [
      ['real', 'P100'],
      ['unknown', `X${900 + i}`],
    ] as const) {
      const t0 = performance.now();
      const answer = await loginFrom(
        address(90, i * 2 + (kind === 'real' ? 0 : 1)),
        app.url,
        crewId,
        wrongPin(pinOf('P100'), i),
      );
      timings[kind].push(performance.now() - t0);
      assert.equal(answer.status, 401, `${kind}: ${answer.body}`);
      assert.deepEqual(JSON.parse(answer.body).error.code, 'BAD_CREDENTIALS');
    }
    if (i % 3 === 2) await purserClears('P100'); // stay under the crew id's free failures
  }
  const real = percentile(timings.real, 50);
  const unknown = percentile(timings.unknown, 50);
  assert.ok(unknown > real * 0.5, `unknown id ${unknown.toFixed(1)} ms vs real ${real.toFixed(1)} ms`);
});

test('during a burst of 1,000 logins a PA start reaches the seat and a fault is acknowledged in time', {
  timeout: 120_000,
}, async () => {
  const token = purserToken;
  const seat: MqttClient = await seatClient(app, '12A');
  let paAt = 0;
  seat.on('message', (topic, payload) => {
    if (topic === 'cabin/pa' && payload.length > 0) paAt = performance.now();
  });
  await seat.subscribeAsync('cabin/pa', { qos: 1 });
  // Wrong PINs for the real crew ids and for invented ones, from 200 addresses: every one is a
  // PIN check the appliance must do or refuse.
  const ids = ['C200', 'M300', 'P100'];
  const burst = Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      loginFrom(address(100, i % 200), app.url, i % 2 ? `B${i}` : ids[i % 3]!, wrongPin(pinOf(ids[i % 3]!), i)),
    ),
  );
  // A failure below must not leave the burst running into the next test (its logins would be 503s).
  try {
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const started = await requestFrom('127.0.0.1', `${app.url}/api/crew/pa`, {
      body: { action: 'start', announcementId: 'seatbelt' },
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: 3000,
    });
    assert.equal(started.status, 201, started.body);
    await waitFor(() => paAt > 0, 6000, 'the PA at the seat');
    const paMs = paAt - t0;
    const f0 = performance.now();
    const fault = {
      id: crypto.randomUUID(),
      code: 'SELF_TEST',
      message: 'during a login burst',
      at: new Date().toISOString(),
    };
    await Promise.race([
      seat.publishAsync('seat/12A/fault', JSON.stringify(fault), { qos: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('fault not acknowledged within 6 s')), 6000)),
    ]);
    const faultMs = performance.now() - f0;
    const answers = await burst;
    assert.equal(answers.filter((a) => a.status === 200).length, 0);
    assert.ok(
      answers.some((a) => a.status === 503),
      'past the hashing queue bound, logins are refused at once',
    );
    console.log(`PA start to seat ${paMs.toFixed(0)} ms, fault ack ${faultMs.toFixed(0)} ms during the burst`);
    await requestFrom('127.0.0.1', `${app.url}/api/crew/pa`, {
      body: { action: 'stop' },
      headers: { authorization: `Bearer ${token}` },
    });
  } finally {
    await burst.catch(() => undefined);
    for (const id of ids) await purserClears(id);
    await seat.endAsync();
  }
});

test('/metrics answers maintenance crew and appliance services only', { timeout: 60_000 }, async () => {
  const get = (authorization?: string) =>
    fetch(`${app.url}/metrics`, { headers: authorization ? { authorization } : {} });
  assert.equal((await get()).status, 401, 'anonymous');
  assert.equal((await get(`Bearer ${purserToken}`)).status, 401, 'a purser');
  assert.equal(
    (await get(`Basic ${Buffer.from('service:prometheus:guess').toString('base64')}`)).status,
    401,
    'a wrong service password',
  );
  const maintenance = app.credentials.crew.findIndex((c) => c.role === 'maintenance');
  await purserClears('M300');
  const ok = await get(`Bearer ${await crewToken(app, maintenance)}`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /ifec_/);
});
