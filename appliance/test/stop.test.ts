/**
 * A stop that stops: the appliance as a child process with 200 seat connections that
 * reconnect on their own (what 180 seats do), SIGTERM, out within 10 s with "stopped
 * cleanly", the data-dir lock released; the next start does not replay the journal and has
 * everything. SIGINT does the same.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { type ChildAppliance, spawnAppliance } from './child-appliance.ts';
import { tempDir } from './support.ts';

const CLIENTS = 200;

async function reconnectingSeats(app: ChildAppliance, n: number): Promise<MqttClient[]> {
  const seats = Object.entries(app.credentials.seats);
  const clients = Array.from({ length: n }, (_, i) => {
    const [seatId, secret] = seats[i % seats.length]!;
    // reconnectPeriod > 0: mqtt.js reconnects by itself, for ever, as a seat agent does.
    return mqtt.connect(`mqtt://127.0.0.1:${app.mqttPort}`, {
      username: `seat:${seatId}`,
      password: secret,
      clientId: `stop-${i}-${crypto.randomUUID().slice(0, 6)}`,
      reconnectPeriod: 100,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
  });
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          c.once('connect', () => resolve());
          setTimeout(() => reject(new Error('a seat did not connect')), 30_000).unref();
        }),
    ),
  );
  return clients;
}

async function crewLogin(app: ChildAppliance): Promise<string> {
  const crew = app.credentials.crew.find((c) => c.role === 'purser')!;
  const res = await fetch(`${app.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function stopWith(
  app: ChildAppliance,
  signal: 'SIGTERM' | 'SIGINT',
): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  app.proc.kill(signal);
  const code = await Promise.race([app.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
  if (code === 'hung') {
    app.proc.kill('SIGKILL');
    assert.fail(`still running 15 s after ${signal}:\n${app.output().slice(-2000)}`);
  }
  return { code, ms: Date.now() - started };
}

test('SIGTERM with 200 auto-reconnecting MQTT clients: out within 10 s, stopped cleanly; the restart does not replay the journal', {
  timeout: 240_000,
}, async () => {
  const dataDir = tempDir('ifec-stop-');
  let app = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'info' });
  const clients = await reconnectingSeats(app, CLIENTS);
  try {
    // Journalled records before the stop: a PA start and a fault.
    const token = await crewLogin(app);
    const pa = await fetch(`${app.url}/api/crew/pa`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'start', announcementId: 'seatbelt' }),
    });
    assert.equal(pa.status, 201, await pa.clone().text());
    const faultId = crypto.randomUUID();
    const seatId = Object.keys(app.credentials.seats)[0]!;
    await clients[0]!.publishAsync(
      `seat/${seatId}/fault`,
      JSON.stringify({ id: faultId, code: 'SELF_TEST', message: 'before the stop', at: new Date().toISOString() }),
      { qos: 1 },
    );
    let reconnects = 0;
    for (const c of clients) c.on('reconnect', () => reconnects++);

    const { code, ms } = await stopWith(app, 'SIGTERM');
    assert.equal(code, 0, app.output().slice(-2000));
    assert.ok(ms < 10_000, `stopped in ${ms} ms`);
    assert.match(app.output(), /"msg":"stopped cleanly"/);
    assert.ok(!fs.existsSync(path.join(dataDir, 'appliance.lock')), 'the data-dir lock is released');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(reconnects > 0, 'the clients were trying to come back while it stopped');

    app = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'info' });
    const out = app.output();
    assert.match(out, /stopped cleanly last time: journal not replayed/);
    assert.doesNotMatch(out, /"msg":"journal replayed"/);
    assert.doesNotMatch(out, /did not stop cleanly/);
    assert.match(out, /"records":0,/, 'no journal record was applied again');
    // Everything is there without the replay.
    const token2 = await crewLogin(app);
    const state = (await (
      await fetch(`${app.url}/api/crew/pa`, { headers: { authorization: `Bearer ${token2}` } })
    ).json()) as { pa: { announcementId?: string } | null };
    assert.equal(state.pa?.announcementId, 'seatbelt');
    const seats = (await (
      await fetch(`${app.url}/api/crew/seats`, { headers: { authorization: `Bearer ${token2}` } })
    ).json()) as { seats: { faults: { id: string }[] }[] };
    assert.ok(
      seats.seats.some((s) => s.faults.some((f) => f.id === faultId)),
      'the fault survived',
    );

    // SIGINT (Ctrl-C in a terminal) stops the same way, with the clients still hammering.
    const second = await stopWith(app, 'SIGINT');
    assert.equal(second.code, 0);
    assert.ok(second.ms < 10_000, `stopped in ${second.ms} ms`);
    assert.match(app.output(), /"msg":"stopped cleanly"/);
  } finally {
    for (const c of clients) c.end(true);
    if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
  }
});

test('after a kill -9 the next start replays the journal (the clean-stop marker is not trusted)', {
  timeout: 120_000,
}, async () => {
  const dataDir = tempDir('ifec-stop-kill-');
  let app = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'info' });
  await stopWith(app, 'SIGTERM');
  app = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'info' });
  app.proc.kill('SIGKILL');
  await app.exited;
  app = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'info' });
  try {
    assert.match(app.output(), /did not stop cleanly; replaying the journal/);
    assert.match(app.output(), /"msg":"journal replayed"/);
  } finally {
    app.proc.kill('SIGKILL');
    await app.exited;
  }
});
