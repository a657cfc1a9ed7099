/**
 * MQTT rules on the real broker over raw sockets: a seat cannot overwrite the crew's retained
 * lock state; an invalid UTF-8 or U+0000 topic, an invalid UTF-8 filter and a QoS 1 PUBLISH with
 * packet id 0 close the connection (MQTT 3.1.1 1.5.3, 2.3.1) and reach nobody.
 */

import assert from 'node:assert/strict';
import net from 'node:net';
import test, { after, before } from 'node:test';
import { topics } from '@ifec/protocol';
import mqttPacket from 'mqtt-packet';
import { crewToken, seatClient, startTestAppliance, type TestAppliance, waitFor } from './support.ts';

let app: TestAppliance;
before(async () => {
  app = await startTestAppliance();
});
after(async () => {
  await app.stop();
});

test('a seat cannot overwrite its retained lock state; a rebooting seat still comes up locked', {
  timeout: 60_000,
}, async () => {
  const token = await crewToken(app, 0);
  const locked = await fetch(`${app.url}/api/crew/seats/3C/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ action: 'lock' }),
  });
  assert.ok(locked.ok, `lock: ${locked.status} ${await locked.text()}`);
  const seat = await seatClient(app, '3C');
  const closed = new Promise<void>((resolve) => seat.once('close', () => resolve()));
  seat.publish(topics.seatState('3C'), JSON.stringify({ locked: false }), { qos: 1, retain: true });
  await closed;
  // The seat reboots and reads its state: still the crew's.
  const rebooted = await seatClient(app, '3C');
  let state: { locked?: boolean } | undefined;
  rebooted.on('message', (topic, payload) => {
    if (topic === topics.seatState('3C')) state = JSON.parse(payload.toString());
  });
  await rebooted.subscribeAsync(topics.seatState('3C'));
  await waitFor(() => state, 3000, 'the retained seat state');
  assert.equal(state!.locked, true);
  await rebooted.endAsync();
});

/** A logged-in raw MQTT connection as seat 4C. */
async function rawSeat(): Promise<{ socket: net.Socket; closed: Promise<unknown> }> {
  const socket = net.connect({ port: app.mqttPort, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => {});
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: `raw-${Math.random()}`,
      keepalive: 60,
      username: 'seat:4C',
      password: Buffer.from(app.credentials.seats['4C']!),
    }),
  );
  const connack = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  assert.deepEqual([...connack], [0x20, 0x02, 0x00, 0x00], 'CONNACK accepted');
  return { socket, closed: new Promise((resolve) => socket.once('close', resolve)) };
}

function publishBytes(topic: Buffer, qos: number, packetId: number): Buffer {
  const payload = Buffer.from('{}');
  const body = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    topic,
    qos ? Buffer.from([packetId >> 8, packetId & 0xff]) : Buffer.alloc(0),
    payload,
  ]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), body.length]), body]);
}

for (const [what, packet] of [
  [
    'a topic of invalid UTF-8',
    publishBytes(Buffer.from([0x73, 0x65, 0x61, 0x74, 0x2f, 0x34, 0x43, 0x2f, 0xc3, 0x28]), 0, 0),
  ],
  ['a topic holding U+0000', publishBytes(Buffer.from('seat/4C/\u0000x'), 0, 0)],
  ['QoS 1 with packet id 0', publishBytes(Buffer.from('seat/4C/health'), 1, 0)],
  ['a SUBSCRIBE filter of invalid UTF-8', Buffer.from([0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 0x61, 0xff, 0x23, 0x00])],
] as const) {
  test(`${what} closes the connection`, { timeout: 30_000 }, async () => {
    const { socket, closed } = await rawSeat();
    socket.write(packet);
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open'), 3000)),
    ]);
    assert.equal(outcome, 'closed');
  });
}

test('a well-formed PUBLISH and SUBSCRIBE from the same raw client still work', { timeout: 30_000 }, async () => {
  const { socket, closed } = await rawSeat();
  socket.write(
    mqttPacket.generate({
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: [{ topic: 'seat/4C/nothing-retained', qos: 0 }],
    }),
  );
  const suback = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  assert.equal(suback[0], 0x90);
  socket.write(publishBytes(Buffer.from('seat/4C/health'), 1, 9));
  const puback = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  assert.equal(puback[0], 0x40);
  socket.end();
  await closed;
});

// aedes delivers a message to all its subscribers before it frees one of its delivery slots, and
// waits for a full socket to drain: one seat that stops reading would hold every slot and stall
// the PA for the whole cabin. The broker drops a client whose socket has not drained in 5 s.
test('a seat that stops reading is dropped; the PA still reaches the cabin', { timeout: 60_000 }, async () => {
  const { socket, closed } = await rawSeat();
  socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'cabin/#', qos: 1 }] }));
  await new Promise((resolve) => socket.once('data', resolve)); // SUBACK
  socket.pause(); // it reads nothing more: the kernel's buffers fill, then the broker's
  const listener = await seatClient(app, '5C');
  const heard: string[] = [];
  listener.on('message', (topic, payload) => {
    if (topic === topics.pa) heard.push(payload.toString());
  });
  await listener.subscribeAsync(topics.pa);
  // More broadcasts than the frozen seat's buffers and the broker's delivery slots hold.
  const filler = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 400; i++) void app.bus.publish(`cabin/filler`, filler, { qos: 0 }).catch(() => undefined);
  const startedAt = Date.now();
  const res = await fetch(`${app.url}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await crewToken(app)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'start', announcementId: 'seatbelt' }),
  });
  assert.equal(res.status, 201);
  await waitFor(() => heard.some((p) => p.includes('seatbelt')), 20_000, 'the PA on a seat that reads');
  const paMs = Date.now() - startedAt;
  // Reading again, the frozen seat finds the broker's end of its connection after the buffered bytes.
  socket.resume();
  const outcome = await Promise.race([
    closed.then(() => 'dropped'),
    new Promise((r) => setTimeout(() => r('still connected'), 20_000)),
  ]);
  assert.equal(outcome, 'dropped', `the frozen seat was dropped (the PA came after ${paMs} ms)`);
  await fetch(`${app.url}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await crewToken(app)}`, 'content-type': 'application/json' },
    body: '{"action":"stop"}',
  });
  await listener.endAsync();
  socket.destroy();
});
