/**
 * A passenger session's life on a real appliance process: playback state and pairings survive
 * kill -9 (with compaction having run), reset for next flight (crew, then flight phase
 * landed -> gate) leaves nothing personal in the store — checked by querying its tables
 * after the appliance stopped — and only anonymous counts per title.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { pairingPaths, replicationPaths, resumeTopics, topics } from '@ifec/protocol';
import { mqttTransport, ResumeClient } from '@ifec/protocol/resume-client';
import { TokenSigner } from '../src/access/tokens.ts';
import { spawnAppliance } from './child-appliance.ts';
import {
  liveSession,
  nextMessage,
  phoneMqtt,
  phoneResume,
  postJson,
  seatResume,
  seatToken,
  subscribe,
} from './resume-support.ts';
import { connectMqtt, crewToken, type TestAppliance, tempDir, waitFor } from './support.ts';

test('kill -9 and restart keep the state; reset for next flight wipes everything personal', {
  timeout: 240_000,
}, async () => {
  const dataDir = tempDir('ifec-resume-');
  let child = await spawnAppliance(dataDir);
  let sessionId: string;
  let expected: Record<string, number>;
  let phone: Awaited<ReturnType<typeof phoneResume>>;
  try {
    const seat = await seatResume(child, '12A');
    phone = await phoneResume(child, '12A');
    sessionId = seat.client.opts.sessionId;
    // 250 acknowledged writes: more than the 200 rows after which a session is compacted.
    for (let i = 0; i < 250; i++) {
      const client = i % 2 ? phone.client : seat.client;
      client.setPosition(`film-${i % 5}`, i);
    }
    seat.client.setLanguages('de', null);
    await seat.client.flushed();
    await phone.client.flushed();
    // Both devices agree (each holds the other's entries); that agreed state must survive.
    const view = (c: ResumeClient) => JSON.stringify([0, 1, 2, 3, 4].map((t) => c.resumePoint(`film-${t}`)));
    await waitFor(
      () => seat.client.doc.getMap('positions').size === 10 && view(seat.client) === view(phone.client),
      10_000,
      'seat and phone agree',
    );
    expected = Object.fromEntries(
      [0, 1, 2, 3, 4].map((t) => [`film-${t}`, seat.client.resumePoint(`film-${t}`)!.positionS]),
    );
    assert.ok(
      Object.values(expected).every((p) => p >= 240),
      JSON.stringify(expected),
    );

    seat.mqtt.end(true);
    phone.mqtt.end(true);
  } finally {
    child.proc.kill('SIGKILL'); // kill -9, also when something above failed
    await child.exited;
  }
  child = await spawnAppliance(dataDir);
  try {
    // A seat that lost its memory too (rebooted): everything comes back from the appliance.
    const mqtt = await connectMqtt(`ws://127.0.0.1:${child.httpPort}/mqtt`, {
      username: 'seat:12A',
      password: child.credentials.seats['12A']!,
      clientId: 'seat-12A-after',
    });
    assert.equal(await liveSession(mqtt, '12A'), sessionId, 'the session survived');
    const fresh = new ResumeClient({ seatId: '12A', sessionId, device: 'seat' });
    await fresh.connect(mqttTransport(mqtt));
    for (const [title, positionS] of Object.entries(expected))
      assert.equal(fresh.resumePoint(title)?.positionS, positionS, title);
    assert.equal(fresh.languages()?.audio, 'de');
    // The pairing survived too.
    const phoneAgain = await phoneMqtt(child, phone.phone);
    assert.equal(await subscribe(phoneAgain, resumeTopics.updates('12A', sessionId)), 1);

    // The seat's replicated settings and favourites are personal too.
    const pushed = await postJson(
      `${child.url}${replicationPaths.seatStatePush}`,
      [
        {
          newDocumentState: {
            id: 'favourite:film-0',
            kind: 'favourite',
            value: { titleId: 'film-0', addedAt: new Date().toISOString() },
            _deleted: false,
          },
        },
      ],
      { authorization: `Bearer ${await seatToken(child, '12A')}` },
    );
    assert.equal(pushed.status, 200, JSON.stringify(pushed.json));

    // Reset for next flight by the crew: the seat hears a new session (its cue to wipe), the phone is cut off.
    const announced = new Promise<string>((resolve) =>
      mqtt.on('message', (t, p) => {
        const next =
          t === resumeTopics.session('12A') ? (JSON.parse(p.toString()) as { sessionId: string }).sessionId : undefined;
        if (next && next !== sessionId) resolve(next);
      }),
    );
    await subscribe(mqtt, resumeTopics.session('12A'));
    const phoneCut = new Promise<void>((resolve) => phoneAgain.once('close', () => resolve()));
    const token = await crewToken(child as unknown as TestAppliance);
    const reset = await postJson(
      `${child.url}${pairingPaths.resetForNextFlight}`,
      {},
      { authorization: `Bearer ${token}` },
    );
    assert.equal(reset.status, 200, JSON.stringify(reset.json));
    assert.equal(reset.json.phonesUnpaired, 1);
    assert.ok(reset.json.sessionsEnded >= 100);
    const nextSession = await announced;
    await phoneCut;
    const phoneAfter = await phoneMqtt(child, phone.phone);
    assert.equal(await subscribe(phoneAfter, 'seat/12A/playback'), 128, 'the pairing ended with the flight');
    phoneAfter.end(true);

    // The next flight's passenger writes; landed -> gate (flight/phase from the appliance's services) resets again.
    const next = new ResumeClient({ seatId: '12A', sessionId: nextSession, device: 'seat' });
    await next.connect(mqttTransport(mqtt));
    assert.equal(next.resumePoint('film-0'), undefined, 'the new session starts empty');
    next.setPosition('film-9', 30);
    await next.flushed();
    const service = await connectMqtt(`mqtt://127.0.0.1:${child.mqttPort}`, {
      username: 'service:flight',
      password: TokenSigner.fromDataDir(dataDir).derive('service:flight'),
      clientId: 'svc-flight',
    });
    const again = nextMessage(mqtt, resumeTopics.session('12A'), 15_000);
    await service.publishAsync(topics.flightPhase, JSON.stringify({ phase: 'landed' }), { qos: 1, retain: true });
    await service.publishAsync(topics.flightPhase, JSON.stringify({ phase: 'gate' }), { qos: 1, retain: true });
    const third = (JSON.parse((await again).toString()) as { sessionId: string }).sessionId;
    assert.notEqual(third, nextSession);
    service.end(true);
    mqtt.end(true);
  } finally {
    child.proc.kill('SIGTERM');
    await child.exited;
  }

  // The appliance has stopped: read its store directly.
  const db = await PGlite.create(path.join(dataDir, 'pglite'));
  try {
    const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]!.n);
    assert.equal(await count('SELECT count(*) AS n FROM resume_updates'), 0, 'no playback state');
    assert.equal(await count('SELECT count(*) AS n FROM phone_pairings'), 0, 'no pairings');
    assert.equal(await count('SELECT count(*) AS n FROM seat_state_docs'), 0, 'no seat settings or favourites');
    assert.equal(
      await count(`SELECT count(*) AS n FROM passenger_sessions WHERE session_id = '${sessionId}'`),
      0,
      'no ended session',
    );
    const { rows } = await db.query<{ title_id: string; sessions: number }>(
      'SELECT title_id, sessions FROM viewing_counts ORDER BY title_id',
    );
    assert.deepEqual(rows, [
      ...[0, 1, 2, 3, 4].map((t) => ({ title_id: `film-${t}`, sessions: 1 })),
      { title_id: 'film-9', sessions: 1 },
    ]);
    assert.deepEqual(Object.keys(rows[0]!).sort(), ['sessions', 'title_id'], 'counts carry nothing but the title');
  } finally {
    await db.close();
  }
});
