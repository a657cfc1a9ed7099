import { test } from 'node:test';
import assert from 'node:assert/strict';
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
