import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectPacket, packet, publishPacket, splitPackets } from './mqtt-socket.ts';

test('packets round-trip through the splitter, including a long remaining length and a split chunk', () => {
  const big = 'x'.repeat(300);
  const joined = new Uint8Array([...publishPacket('seat/12A/health', big), ...packet(0xd0, [])]);
  const first = splitPackets(joined.slice(0, 10));
  assert.equal(first.packets.length, 0);
  const all = splitPackets(joined);
  assert.equal(all.packets.length, 2);
  assert.equal(all.packets[0]!.type, 3);
  assert.equal(all.packets[0]!.body.length, 2 + 'seat/12A/health'.length + 300);
  assert.equal(all.packets[1]!.type, 13);
  assert.equal(all.rest.length, 0);
});

test('CONNECT carries protocol level 4, clean session and credentials', () => {
  const p = connectPacket({ clientId: 'seat-12A', username: 'seat:12A', password: 's3cret', keepAliveS: 20 });
  assert.equal(p[0], 0x10);
  const body = splitPackets(p).packets[0]!.body;
  assert.equal(new TextDecoder().decode(body.subarray(2, 6)), 'MQTT');
  assert.equal(body[6], 4);
  assert.equal(body[7], 0xc2);
});

/** The client against the real appliance's broker over WebSocket (Node has no WebSocket of its own: `ws`). */
test('on the real cabin bus: QoS 1 publishes are acknowledged, a refused subscription is an error, a dead bus rejects', {
  timeout: 60_000,
}, async (t) => {
  const { WebSocket: NodeWebSocket } = await import('ws');
  const { startTestAppliance } = await import('../../../appliance/test/support.ts');
  const { MqttSocket, SubscriptionRefused, BusDisconnected, text } = await import('./mqtt-socket.ts');
  const app = await startTestAppliance();
  t.after(() => app.stop());
  const received: string[] = [];
  let up!: () => void;
  const connected = new Promise<void>((resolve) => {
    up = resolve;
  });
  const socket = new MqttSocket({
    url: `ws://127.0.0.1:${app.httpPort}/mqtt`,
    clientId: 'seat-12A-unit',
    username: 'seat:12A',
    password: app.credentials.seats['12A']!,
    subscriptions: [],
    onMessage: (topic, payload) => received.push(`${topic} ${text(payload)}`),
    onStatus: (on) => {
      if (on) up();
    },
    createSocket: (url) => new NodeWebSocket(url, ['mqtt']) as unknown as WebSocket,
  });
  socket.start();
  await connected;
  // Its own topic: granted; a PUBACK for bytes the appliance accepted (seat/<S>/playback is zod-checked there).
  await socket.subscribe('seat/12A/playback');
  const state = { titleId: 'film', positionS: 41, playing: false, volume: 80, subtitles: null, at: Date.now() };
  await socket.publishAcked('seat/12A/playback', new TextEncoder().encode(JSON.stringify(state)), true);
  for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(received, [`seat/12A/playback ${JSON.stringify(state)}`]);
  // Another seat's topics: the ACL refuses, and the caller hears it as a typed error.
  await assert.rejects(socket.subscribe('seat/12B/playback'), SubscriptionRefused);
  socket.close();
  await assert.rejects(socket.publishAcked('seat/12A/health', '{}'), BusDisconnected);
});
