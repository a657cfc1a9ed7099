/**
 * Playback state as a Yjs document, with real Yjs clients (ResumeClient over MQTT-WS) against
 * the real appliance: offline writes on both sides merge on reconnect, the newest write by the
 * appliance's clock wins even when a phone's own clock is an hour off, garbage frames are refused.
 */

import assert from 'node:assert/strict';
import test, { after, before } from 'node:test';
import { RESUME_MAPS, resumeTopics } from '@ifec/protocol';
import { mqttTransport } from '@ifec/protocol/resume-client';
import { positionsOf } from '@ifec/protocol/resume-doc';
import * as Y from 'yjs';
import { phoneResume, seatResume } from './resume-support.ts';
import { metric, startTestAppliance, type TestAppliance, waitFor } from './support.ts';

let app: TestAppliance;
before(async () => {
  app = await startTestAppliance();
});
after(async () => {
  await app.stop();
});

test('seat offline 30 s and phone offline 60 s: the newest write by the appliance clock wins, nothing else is lost', {
  timeout: 120_000,
}, async () => {
  // Simulated time: both device clocks move with `sim`; the phone's own clock is an hour ahead.
  let sim = 0;
  const seatNow = () => Date.now() + sim;
  const phoneNow = () => Date.now() + 3_600_000 + sim;
  const seat = await seatResume(app, '12A', seatNow);
  const phone = await phoneResume(app, '12A', phoneNow);
  assert.ok(
    Math.abs(phone.client.offsetMs + 3_600_000) < 2_000,
    `phone learnt its offset (${phone.client.offsetMs} ms)`,
  );

  seat.client.setPosition('film-1', 100, 7200);
  await waitFor(() => phone.client.resumePoint('film-1')?.positionS === 100, 5000, 'seat position on the phone');

  // Both go offline. The phone writes for 60 s (sim 0..60 s), the seat for 30 s (sim 40..70 s).
  seat.client.disconnect();
  phone.client.disconnect();
  for (let s = 0; s <= 60; s++) {
    sim = s * 1000;
    phone.client.setPosition('film-1', 500 + s, 7200);
    if (s === 10) phone.client.setLanguages('fr', 'en');
    if (s === 20) phone.client.setPosition('film-3', 42);
    if (s >= 40) seat.client.setPosition('film-1', 100 + s, 7200);
  }
  for (let s = 61; s <= 70; s++) {
    sim = s * 1000;
    seat.client.setPosition('film-1', 100 + s, 7200);
    if (s === 65) seat.client.setEpisode('series-9', 'ep-3');
  }
  seat.client.setPosition('film-2', 300);
  seat.client.setPosition('film-1', 170, 7200); // the seat's last write of film-1, at sim 70 s
  assert.equal(phone.client.resumePoint('film-1')?.positionS, 560, 'offline, the phone sees only its own writes');

  // Reconnect (the phone first): step 1 / step 2 both ways.
  await phone.client.connect(mqttTransport(phone.mqtt));
  await seat.client.connect(mqttTransport(seat.mqtt));
  await waitFor(() => phone.client.resumePoint('film-2') !== undefined, 5000, 'seat offline writes on the phone');
  await seat.client.flushed();
  await phone.client.flushed();
  const sessionId = phone.claimed.sessionId;
  const appliance = await app.passengers.hub.document(sessionId);

  for (const [name, doc] of [
    ['seat', seat.client.doc],
    ['phone', phone.client.doc],
    ['appliance', appliance],
  ] as const) {
    const positions = positionsOf(doc, 'film-1');
    assert.equal(positions.seat?.positionS, 170, `${name}: the seat's film-1 entry`);
    assert.equal(positions[phone.client.opts.device]?.positionS, 560, `${name}: the phone's film-1 entry is kept`);
  }
  // The merge rule: seat wrote film-1 last (sim 70 s) although the phone's clock reads an hour later.
  for (const client of [seat.client, phone.client]) {
    assert.equal(client.resumePoint('film-1')?.positionS, 170);
    assert.equal(client.resumePoint('film-1')?.device, 'seat');
    assert.equal(client.resumePoint('film-2')?.positionS, 300);
    assert.equal(client.resumePoint('film-3')?.positionS, 42);
    assert.deepEqual(
      client.languages() && { audio: client.languages()!.audio, subtitles: client.languages()!.subtitles },
      { audio: 'fr', subtitles: 'en' },
    );
    assert.equal(client.episode('series-9')?.episodeId, 'ep-3');
    assert.equal(client.lastTitle()?.titleId, 'film-1');
  }
  await waitFor(
    () => sameState(appliance, seat.client.doc) && sameState(appliance, phone.client.doc),
    5000,
    'all three replicas equal',
  );

  // Online again: one write reaches the other device through the appliance. (Its entry, not the
  // winner: the simulated offline minutes stamped entries ahead of the appliance's real clock.)
  phone.client.setPosition('film-1', 900, 7200);
  await waitFor(
    () => positionsOf(seat.client.doc, 'film-1')[phone.client.opts.device]?.positionS === 900,
    5000,
    'live update on the seat',
  );
  seat.mqtt.end(true);
  phone.mqtt.end(true);
});

test('garbage frames, a wrong session and a borrowed device tag are refused; the appliance keeps serving', {
  timeout: 120_000,
}, async () => {
  const seat = await seatResume(app, '14C');
  const before = await metric(app, 'ifec_mqtt_rejected_payloads_total');
  const publish = (topic: string, payload: Buffer) => seat.mqtt.publishAsync(topic, payload, { qos: 1 });
  const { sessionId } = seat.client.opts;
  await publish(resumeTopics.up('14C', sessionId, 'seat'), Buffer.from('not a sync message at all'));
  await publish(resumeTopics.up('14C', sessionId, 'seat'), Buffer.from([0, 200, 200, 200, 200, 1]));
  await publish(resumeTopics.up('14C', sessionId, 'seat'), Buffer.from([2, 5, 1, 2, 3, 4, 5])); // an "update" that is no update
  await publish(resumeTopics.up('14C', 'no-such-session', 'seat'), Buffer.from([0, 0]));
  await publish(resumeTopics.up('14C', sessionId, 'phone-someone'), Buffer.from([0, 0]));
  await publish(resumeTopics.up('14C', sessionId, 'seat'), Buffer.alloc(20_000, 1));
  await waitFor(
    async () => (await metric(app, 'ifec_mqtt_rejected_payloads_total')) - before >= 6,
    5000,
    'six refusals counted',
  );

  seat.client.setPosition('film-7', 12);
  await seat.client.flushed();
  const doc = await app.passengers.hub.document(sessionId);
  assert.equal(positionsOf(doc, 'film-7').seat?.positionS, 12, 'the appliance still applies good updates');
  assert.ok(doc.getMap(RESUME_MAPS.positions).size >= 1);
  const health = await fetch(`${app.url}/healthz`);
  assert.equal(health.status, 200);
  seat.mqtt.end(true);
});

function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b)));
}
