/**
 * Pairing a phone with a seat on the real appliance: the remote and "what plays", a phone
 * paired with 12A kept out of 12B, unpair from either side, expired and reused codes, bad
 * bodies, and five wrong codes locking the phone out (last: it locks this test's address).
 */

import assert from 'node:assert/strict';
import test, { after, before } from 'node:test';
import { pairingPaths, resumeTopics, SEAT_DEVICE } from '@ifec/protocol';
import { mqttTransport, ResumeAccessDenied, ResumeClient } from '@ifec/protocol/resume-client';
import { positionsOf } from '@ifec/protocol/resume-doc';
import {
  claim,
  nextMessage,
  pairedPhone,
  pairingCode,
  phoneMqtt,
  postJson,
  registerPhone,
  seatResume,
  seatToken,
  subscribe,
} from './resume-support.ts';
import { metric, seatClient, startTestAppliance, type TestAppliance, waitFor } from './support.ts';

let app: TestAppliance;
before(async () => {
  app = await startTestAppliance({ IFEC_PAIRING_CODE_TTL_S: '1' });
});
after(async () => {
  await app.stop();
});

test('a paired phone is a remote for its seat and sees what plays on it', { timeout: 120_000 }, async () => {
  const seat = await seatClient(app, '12A', 'ws');
  await subscribe(seat, 'seat/12A/remote');
  const { code, url, expiresAt } = await pairingCode(app, '12A');
  assert.match(code, /^[0-9]{6}$/);
  assert.equal(url, `/#/pair?code=${code}`);
  assert.ok(Date.parse(expiresAt) > Date.now());
  const phone = await registerPhone(app);
  const claimed = await claim(app, phone, code);
  assert.equal(claimed.status, 200, JSON.stringify(claimed.json));
  assert.equal(claimed.json.seatId, '12A');
  const mqtt = await phoneMqtt(app, phone);

  const paused = nextMessage(seat, 'seat/12A/remote');
  await mqtt.publishAsync('seat/12A/remote', JSON.stringify({ action: 'seek', positionS: 41 }), { qos: 1 });
  assert.deepEqual(JSON.parse((await paused).toString()), { action: 'seek', positionS: 41 });

  // A command that is not one is refused by the appliance and never reaches the seat.
  const before = await metric(app, 'ifec_mqtt_rejected_payloads_total');
  const nothing = nextMessage(seat, 'seat/12A/remote', 600);
  await mqtt.publishAsync('seat/12A/remote', JSON.stringify({ action: 'self-destruct' }), { qos: 1 });
  await mqtt.publishAsync('seat/12A/remote', '{not json', { qos: 1 });
  await assert.rejects(nothing, /nothing on/);
  assert.equal((await metric(app, 'ifec_mqtt_rejected_payloads_total')) - before, 2);

  assert.equal(await subscribe(mqtt, 'seat/12A/playback'), 1);
  const playing = nextMessage(mqtt, 'seat/12A/playback');
  const state = { titleId: 'film-1', positionS: 41, playing: false, volume: 60, subtitles: 'en', at: Date.now() };
  await seat.publishAsync('seat/12A/playback', JSON.stringify(state), { qos: 1, retain: true });
  assert.deepEqual(JSON.parse((await playing).toString()), state);

  const listed = await fetch(`${app.url}${pairingPaths.seatPhones}`, {
    headers: { authorization: `Bearer ${await seatToken(app, '12A')}` },
  });
  assert.deepEqual(
    (await listed.json()).phones.map((p: { deviceId: string }) => p.deviceId),
    [phone.deviceId],
  );
  seat.end(true);
  mqtt.end(true);
});

test('a phone paired with 12A can neither read nor write 12B: document, playback, remote', {
  timeout: 120_000,
}, async () => {
  const seatB = await seatResume(app, '12B');
  seatB.client.setPosition('film-b', 77);
  await seatB.client.flushed();
  const { mqtt } = await pairedPhone(app, '12A');

  for (const filter of [
    'seat/12B/resume/#',
    `seat/12B/resume/${seatB.client.opts.sessionId}/updates`,
    'seat/12B/playback',
    'seat/12B/session',
    'seat/12B/#',
    'seat/+/playback',
  ]) {
    assert.equal(await subscribe(mqtt, filter), 128, filter);
  }
  // Pretending to be a device of 12B's session: the subscription is refused, so is the write.
  const intruder = new ResumeClient({ seatId: '12B', sessionId: seatB.client.opts.sessionId, device: SEAT_DEVICE });
  await assert.rejects(intruder.connect(mqttTransport(mqtt)), ResumeAccessDenied);
  const remote = nextMessage(seatB.mqtt, 'seat/12B/remote', 600);
  await subscribe(seatB.mqtt, 'seat/12B/remote');
  const closed = new Promise<void>((resolve) => mqtt.once('close', () => resolve()));
  mqtt.publish(resumeTopics.up('12B', seatB.client.opts.sessionId, 'seat'), Buffer.from([2, 0]), { qos: 1 });
  await closed; // MQTT 3.1.1: a refused publish ends the connection
  await assert.rejects(remote, /nothing on/);
  const doc = await app.passengers.hub.document(seatB.client.opts.sessionId);
  assert.deepEqual(Object.keys(positionsOf(doc, 'film-b')), ['seat']);
  assert.ok((await metric(app, 'ifec_mqtt_acl_denials_total', { role: 'phone' })) >= 7);
  seatB.mqtt.end(true);
  mqtt.end(true);
});

test('unpair from the phone or from the seat: the phone loses the seat at once', { timeout: 120_000 }, async () => {
  const first = await pairedPhone(app, '15D');
  assert.equal(await subscribe(first.mqtt, 'seat/15D/playback'), 1);
  const closed = new Promise<void>((resolve) => first.mqtt.once('close', () => resolve()));
  const res = await postJson(`${app.url}${pairingPaths.phone}`, first.phone, {}, 'DELETE');
  assert.equal(res.status, 200);
  await closed; // its cached subscriptions go with the connection
  const again = await phoneMqtt(app, first.phone);
  assert.equal(await subscribe(again, 'seat/15D/playback'), 128);
  assert.equal(
    (await postJson(`${app.url}${pairingPaths.phone}`, first.phone, {}, 'DELETE')).json.error.code,
    'NOT_PAIRED',
  );
  again.end(true);

  const second = await pairedPhone(app, '15D');
  const token = await seatToken(app, '15D');
  const fromSeat = await fetch(`${app.url}${pairingPaths.seatPhones}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.deepEqual(await fromSeat.json(), { unpaired: 1 });
  await waitFor(() => second.mqtt.disconnected || !second.mqtt.connected, 3000, 'phone disconnected');
  assert.equal(app.passengers.pairings.pairedSeat(second.phone.deviceId), undefined);
});

test('an expired code and a reused code are refused with a clear message', { timeout: 120_000 }, async () => {
  const used = await pairingCode(app, '20A');
  assert.equal((await claim(app, await registerPhone(app), used.code)).status, 200);
  const reuse = await claim(app, await registerPhone(app), used.code);
  assert.equal(reuse.status, 409);
  assert.equal(reuse.json.error.code, 'CODE_USED');
  assert.match(reuse.json.error.message, /already used: ask the seat for a new one/);

  const stale = await pairingCode(app, '20B');
  await new Promise((resolve) => setTimeout(resolve, 1200)); // the test appliance's codes live 1 s
  const late = await claim(app, await registerPhone(app), stale.code);
  assert.equal(late.status, 410);
  assert.equal(late.json.error.code, 'CODE_EXPIRED');
  assert.match(late.json.error.message, /expired: ask the seat for a new one/);
});

test('bad bodies and missing credentials get clear errors', { timeout: 120_000 }, async () => {
  const badJson = await postJson(`${app.url}${pairingPaths.claim}`, '{"code": 12');
  assert.equal(badJson.status, 400);
  assert.equal(badJson.json.error.code, 'INVALID_JSON');
  const badBody = await postJson(`${app.url}${pairingPaths.claim}`, { code: 'abc' });
  assert.equal(badBody.status, 400);
  assert.equal(badBody.json.error.code, 'INVALID_BODY');
  assert.match(badBody.json.error.message, /code/);
  const wrongPassword = await claim(app, { deviceId: 'someone', password: 'guess' }, '123456');
  assert.equal(wrongPassword.status, 401);
  const noSeat = await postJson(`${app.url}${pairingPaths.seatCodes}`, {});
  assert.equal(noSeat.status, 401);
  assert.equal(noSeat.json.error.code, 'SEAT_LOGIN_REQUIRED');
  const noCrew = await postJson(`${app.url}${pairingPaths.resetForNextFlight}`, {});
  assert.equal(noCrew.status, 401);
});

test('five wrong codes lock the phone out, even for the right code', { timeout: 120_000 }, async () => {
  // A good claim first: it clears what earlier tests' refusals counted against this address.
  assert.equal((await claim(app, await registerPhone(app), (await pairingCode(app, '30A')).code)).status, 200);
  const { code } = await pairingCode(app, '30C');
  const phone = await registerPhone(app);
  const wrong = code === '000000' ? '000001' : '000000';
  for (let i = 0; i < 5; i++) {
    const res = await claim(app, phone, wrong);
    assert.equal(res.status, 404, `guess ${i + 1}`);
    assert.equal(res.json.error.code, 'CODE_UNKNOWN');
  }
  const locked = await claim(app, phone, code);
  assert.equal(locked.status, 429);
  assert.equal(locked.json.error.code, 'PAIRING_LOCKED');
  assert.match(locked.json.error.message, /too many wrong pairing codes/);
  // A fresh device id from the same address does not get around it.
  assert.equal((await claim(app, await registerPhone(app), code)).status, 429);
  assert.equal(app.passengers.pairings.phonesOf('30C').length, 0);
});
