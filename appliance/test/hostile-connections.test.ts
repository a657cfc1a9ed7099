/**
 * Connection floods and oversized packets against the real appliance process over real
 * sockets: 20,000 idle sockets leave a seat's HTTP and MQTT working, unauthenticated sockets
 * are closed quickly, keepalive 0 is refused, one principal holds a bounded number of
 * connections, a 50 MB PUBLISH is cut off at its header, and retained topics have a quota.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import test, { after, before } from 'node:test';
import { MAX_RETAINED_TOPICS_PER_CLIENT } from '@ifec/protocol';
import mqttPacket from 'mqtt-packet';
import { type ChildAppliance, spawnAppliance } from './child-appliance.ts';
import { address, requestFrom } from './hostile-support.ts';
import { connectMqtt, tempDir, waitFor } from './support.ts';

let app: ChildAppliance;
before(async () => {
  app = await spawnAppliance(tempDir(), { IFEC_LOG_LEVEL: 'warn' });
});
after(async () => {
  app.proc.kill('SIGTERM');
  await app.exited;
});

const seat = (seatId: string, options: Record<string, unknown> = {}) =>
  connectMqtt(`mqtt://127.0.0.1:${app.mqttPort}`, {
    username: `seat:${seatId}`,
    password: app.credentials.seats[seatId]!,
    clientId: `${seatId}-${Math.random().toString(36).slice(2, 8)}`,
    ...options,
  });

function idleSocket(port: number, localAddress: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, 15_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

const openFds = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

/**
 * Holds `count` idle sockets to `port` from 200 loopback addresses in a child process (each
 * process may have 20,000 descriptors here and the hard limit cannot be raised); resolves with
 * how many connected, and a function that releases them.
 */
function floodFrom(port: number, count: number, block: number): Promise<{ connected: number; release: () => void }> {
  const script = `
    const net = require('node:net');
    const [port, count, block] = process.argv.slice(1).map(Number);
    let settled = 0, connected = 0;
    const done = () => { if (++settled === count) process.stdout.write('connected ' + connected + '\\n'); };
    for (let i = 0; i < count; i++) {
      const n = i % 200;
      const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.' + block + '.' + (1 + Math.floor(n / 250)) + '.' + (1 + (n % 250)) });
      const t = setTimeout(() => { s.destroy(); done(); }, 20000);
      s.once('connect', () => { clearTimeout(t); connected++; done(); });
      s.on('error', () => { clearTimeout(t); if (!s.connecting) return; done(); });
    }
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script, String(port), String(count), String(block)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /connected (\d+)/.exec(out);
      if (m) resolve({ connected: Number(m[1]), release: () => child.kill('SIGKILL') });
    });
    child.once('exit', (code) => reject(new Error(`flood child exited with ${code}`)));
  });
}

test("20,000 idle sockets from 200 addresses leave a seat's HTTP and MQTT working", { timeout: 240_000 }, async () => {
  const floods = await Promise.all([floodFrom(app.httpPort, 10_000, 30), floodFrom(app.mqttPort, 10_000, 31)]);
  console.log(
    `idle sockets connected: HTTP ${floods[0].connected}, MQTT ${floods[1].connected}; appliance fds ${openFds(app.proc.pid!)}`,
  );
  assert.ok(openFds(app.proc.pid!) < 15_000, 'the appliance keeps file handles in reserve');

  // The seat, while the flood is held: MQTT over TCP and WebSocket, and a crew PA over HTTP reaching it.
  const tcp = await seat('7A');
  const ws = await connectMqtt(`ws://127.0.0.1:${app.httpPort}/mqtt`, {
    username: 'seat:7B',
    password: app.credentials.seats['7B']!,
    clientId: 'flood-7B',
  });
  const received: string[] = [];
  tcp.on('message', (topic) => received.push(`tcp ${topic}`));
  ws.on('message', (topic) => received.push(`ws ${topic}`));
  await tcp.subscribeAsync('cabin/pa', { qos: 1 });
  await ws.subscribeAsync('cabin/pa', { qos: 1 });
  const purser = app.credentials.crew.find((c) => c.role === 'purser')!;
  const loginRes = await requestFrom('127.0.0.1', `${app.url}/api/crew/login`, {
    body: { crewId: purser.crewId, pin: purser.pin },
    timeoutMs: 10_000,
  });
  assert.equal(loginRes.status, 200, loginRes.body);
  const { token } = JSON.parse(loginRes.body) as { token: string };
  const pa = await requestFrom('127.0.0.1', `${app.url}/api/crew/pa`, {
    body: { action: 'start', announcementId: 'seatbelt' },
    headers: { authorization: `Bearer ${token}` },
    timeoutMs: 10_000,
  });
  assert.equal(pa.status, 201, pa.body);
  await waitFor(() => received.length >= 2, 10_000, 'the PA at both seats');
  await requestFrom('127.0.0.1', `${app.url}/api/crew/pa`, {
    body: { action: 'stop' },
    headers: { authorization: `Bearer ${token}` },
  });
  await tcp.endAsync();
  await ws.endAsync();
  for (const f of floods) f.release();
});

test('a socket that never authenticates is closed within seconds, on the MQTT and the HTTP port', {
  timeout: 60_000,
}, async () => {
  for (const port of [app.mqttPort, app.httpPort]) {
    const socket = await idleSocket(port, address(32, port % 200));
    assert.ok(socket, 'connected');
    const t0 = Date.now();
    await new Promise((resolve) => socket!.once('close', resolve));
    assert.ok(Date.now() - t0 < 15_000, `closed after ${Date.now() - t0} ms`);
  }
});

test('keepalive 0 (a connection that never expires) is refused; one principal holds at most 4 connections', {
  timeout: 60_000,
}, async () => {
  await assert.rejects(seat('8A', { keepalive: 0 }));
  const clients: import('mqtt').MqttClient[] = [];
  for (let i = 0; i < 6; i++) clients.push(await seat('8B'));
  await waitFor(() => clients.filter((c) => c.connected).length === 4, 5000, 'the two oldest closed');
  assert.deepEqual(
    clients.map((c) => c.connected),
    [false, false, true, true, true, true],
  );
  for (const c of clients) c.end(true);
});

test('a PUBLISH announcing 50 MB is cut off at its header, before the broker buffers it', {
  timeout: 60_000,
}, async () => {
  const socket = net.connect({ port: app.mqttPort, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'big-9A',
      keepalive: 60,
      username: 'seat:9A',
      password: Buffer.from(app.credentials.seats['9A']!),
    }),
  );
  await new Promise((resolve) => socket.once('data', resolve)); // CONNACK
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.on('error', () => {});
  // Fixed header: PUBLISH QoS 0, Remaining Length 50 MB; then the body in 64 KB pieces.
  const total = 50 * 1024 * 1024;
  const header = mqttPacket.generate({
    cmd: 'publish',
    topic: 'seat/9A/big',
    payload: Buffer.alloc(0),
    qos: 0,
    retain: false,
    dup: false,
  });
  const remaining = Buffer.from([
    (total & 0x7f) | 0x80,
    ((total >> 7) & 0x7f) | 0x80,
    ((total >> 14) & 0x7f) | 0x80,
    (total >> 21) & 0x7f,
  ]);
  socket.write(Buffer.concat([header.subarray(0, 1), remaining]));
  let sent = 0;
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  const piece = Buffer.alloc(64 * 1024, 1);
  while (!isClosed && sent < total) {
    if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    sent += piece.length;
  }
  assert.ok(isClosed, 'the connection was closed');
  assert.ok(sent < 8 * 1024 * 1024, `closed after ${sent} bytes had been sent, not 50 MB`);
});

test(`a seat may hold ${MAX_RETAINED_TOPICS_PER_CLIENT} retained topics, not 20,000`, { timeout: 60_000 }, async () => {
  const client = await seat('10A');
  client.on('error', () => {});
  let accepted = 0;
  for (let i = 0; i < 200 && client.connected; i++) {
    const ok = await Promise.race([
      client.publishAsync(`seat/10A/doc/${i}`, 'x'.repeat(100), { qos: 1, retain: true }).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
    ]);
    if (!ok) break;
    accepted++;
  }
  client.end(true);
  assert.equal(accepted, MAX_RETAINED_TOPICS_PER_CLIENT, 'retained topics accepted');
  const reader = await seat('10A');
  const retained: string[] = [];
  reader.on('message', (topic, _p, packet) => packet.retain && retained.push(topic));
  await reader.subscribeAsync('seat/10A/doc/#');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(retained.length, MAX_RETAINED_TOPICS_PER_CLIENT);
  await reader.endAsync();
});
