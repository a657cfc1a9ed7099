/**
 * flight/position's pace on a real appliance with an NMEA source on a real UDP socket: a fresh
 * fix is published at once when the last publication is a second old (a 1 Hz receiver's fix
 * does not wait for a tick), never more than once a second however fast fixes come, and
 * without fixes the position is repeated once a second (the stale and dead-reckoning updates).
 */

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { type FlightPosition, topics } from '@ifec/protocol';
import type { MqttClient } from 'mqtt';
import { withChecksum } from '../src/flight/nmea.ts';
import { seatClient, startTestAppliance, type TestAppliance, waitFor } from './support.ts';

let app: TestAppliance;
let sender: dgram.Socket;
let seat: MqttClient;
const heard: { at: number; position: FlightPosition }[] = [];

/** RMC + GGA at 50.1 N and this longitude east, valid checksums, one datagram. */
const sendFix = (lon: number) => {
  const min = ((lon % 1) * 60).toFixed(4).padStart(7, '0');
  const lonField = `${String(Math.floor(lon)).padStart(3, '0')}${min}`;
  const rmc = withChecksum(`$GPRMC,120000,A,5006.0000,N,${lonField},E,470.0,90.0,011226,,,A`);
  const gga = withChecksum(`$GPGGA,120000,5006.0000,N,${lonField},E,1,10,0.8,11000.0,M,46.9,M,,`);
  const port = app.flight.sources[0]!.port!;
  return new Promise<void>((resolve, reject) =>
    sender.send(Buffer.from(`${rmc}\r\n${gga}\r\n`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const heardLon = (lon: number) => heard.find((h) => Math.abs(h.position.lon - lon) < 1e-4);

before(async () => {
  app = await startTestAppliance({ IFEC_FLIGHT_SOURCES: 'nmea-udp:0' });
  sender = dgram.createSocket('udp4');
  seat = await seatClient(app, Object.keys(app.credentials.seats)[0]!);
  seat.on('message', (topic, payload) => {
    if (topic === topics.flightPosition && payload.length)
      heard.push({ at: performance.now(), position: JSON.parse(payload.toString()) as FlightPosition });
  });
  await new Promise<void>((resolve, reject) =>
    seat.subscribe(topics.flightPosition, { qos: 0 }, (e) => (e ? reject(e) : resolve())),
  );
});

after(async () => {
  sender?.close();
  await seat?.endAsync();
  await app?.stop();
});

test('a fix arriving a second after the last flight/position is published at once, not at the next tick', async () => {
  await sendFix(8.5);
  await waitFor(() => heardLon(8.5), 3000, 'the first fix on flight/position');
  // Three fixes, each more than a second after the last publication: a 1 Hz tick would hold
  // each one for 0-1000 ms (all three under 150 ms by chance: about 0.3 %).
  for (const lon of [8.6, 8.7, 8.8]) {
    await sleep(1200);
    const sent = performance.now();
    await sendFix(lon);
    const got = await waitFor(() => heardLon(lon), 3000, `the fix at ${lon} E on flight/position`);
    assert.ok(got.at - sent < 150, `published ${Math.round(got.at - sent)} ms after the fix arrived`);
    assert.equal(got.position.quality, 'live');
  }
});

test('fixes ten times a second still make flight/position about once a second, the latest fix last', async () => {
  await sleep(1100);
  const from = heard.length;
  const started = performance.now();
  for (let i = 1; i <= 20; i++) {
    await sendFix(9 + i * 0.01);
    await sleep(100);
  }
  await sleep(1100);
  const published = heard.slice(from).filter((h) => h.at >= started);
  const span = (published.at(-1)!.at - started) / 1000;
  assert.ok(published.length <= Math.ceil(span) + 1, `${published.length} publications in ${span.toFixed(1)} s`);
  for (let i = 1; i < published.length; i++)
    assert.ok(published[i]!.at - published[i - 1]!.at > 900, 'at least about a second apart');
  assert.ok(Math.abs(published.at(-1)!.position.lon - 9.2) < 1e-4, 'the last fix is the one published last');
});

test('without fixes the position is repeated about once a second, and turns stale', async () => {
  const from = heard.length;
  await sleep(6500);
  const quiet = heard.slice(from);
  assert.ok(quiet.length >= 5 && quiet.length <= 8, `${quiet.length} publications in 6.5 s without fixes`);
  assert.notEqual(quiet.at(-1)!.position.quality, 'live', 'after 5 s without fixes the position is not live');
});
