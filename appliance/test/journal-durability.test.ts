/**
 * Nothing acknowledged is lost: the appliance is killed with kill -9 at random points while
 * seats send journalled faults (QoS 1: the PUBACK is the acknowledgement); after each restart
 * every acknowledged fault is there. And under strace, the journal's fdatasync sits between
 * the record's write and the PUBACK.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import type { MqttClient } from 'mqtt';
import { type ChildAppliance, spawnAppliance } from './child-appliance.ts';
import { connectMqtt, tempDir } from './support.ts';

async function seatsOf(app: ChildAppliance, ids: string[]): Promise<MqttClient[]> {
  return Promise.all(
    ids.map((id) =>
      connectMqtt(`mqtt://127.0.0.1:${app.mqttPort}`, {
        username: `seat:${id}`,
        password: app.credentials.seats[id]!,
        clientId: `dur-${id}-${crypto.randomUUID().slice(0, 8)}`,
      }),
    ),
  );
}

async function storedFaultIds(app: ChildAppliance): Promise<Set<string>> {
  const crew = app.credentials.crew[0]!;
  const login = await fetch(`${app.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${app.url}/api/crew/seats`, { headers: { authorization: `Bearer ${token}` } });
  const { seats } = (await res.json()) as { seats: { faults: { id: string }[] }[] };
  return new Set(seats.flatMap((s) => s.faults.map((f) => f.id)));
}

test('kill -9 at random points: every acknowledged fault survives the restart', { timeout: 240_000 }, async () => {
  const dataDir = tempDir();
  const acked = new Set<string>();
  const seatIds = ['1A', '1C', '2D', '7B', '20F', '30E'];
  let app = await spawnAppliance(dataDir);
  for (let round = 0; round < 3; round++) {
    const clients = await seatsOf(app, seatIds);
    let writing = true;
    const writers = clients.map(async (client, i) => {
      // mqtt.js keeps a publish pending when its connection dies: race it against the close
      const closed = new Promise<'closed'>((resolve) => client.once('close', () => resolve('closed')));
      while (writing) {
        const id = crypto.randomUUID();
        const fault = {
          id,
          code: 'SELF_TEST',
          message: `round ${round} seat ${seatIds[i]}`,
          at: new Date().toISOString(),
        };
        try {
          const outcome = await Promise.race([
            client.publishAsync(`seat/${seatIds[i]}/fault`, JSON.stringify(fault), { qos: 1 }),
            closed,
          ]);
          if (outcome === 'closed') return;
          acked.add(id);
        } catch {
          return; // the connection died with the appliance: this one was never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500));
    app.proc.kill('SIGKILL');
    await app.exited;
    writing = false;
    await Promise.all(writers);
    for (const c of clients) c.end(true);
    app = await spawnAppliance(dataDir);
    const stored = await storedFaultIds(app);
    const lost = [...acked].filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `round ${round}: ${lost.length} of ${acked.size} acknowledged faults lost`);
  }
  assert.ok(acked.size > 20, `enough writes happened (${acked.size})`);
  app.proc.kill('SIGTERM');
  await app.exited;
});

const hasStrace = spawnSync('strace', ['-V']).status === 0;

test("strace: the journal is fdatasync'd between the record's write and its PUBACK", {
  skip: hasStrace ? false : 'strace is not installed (apt-get install strace)',
  timeout: 300_000,
}, async () => {
  const dataDir = tempDir();
  const trace = path.join(dataDir, 'strace.txt');
  // First start provisions the aircraft outside strace (scrypt and PGlite init are slow under it).
  const plain = await spawnAppliance(dataDir);
  plain.proc.kill('SIGTERM');
  await plain.exited;

  const app = await spawnAppliance(dataDir, {}, [
    'strace',
    '-f',
    '-qq',
    '--seccomp-bpf',
    '-xx',
    '-s',
    '4096',
    '-e',
    'trace=fdatasync,fsync,write,writev,sendto,pwrite64',
    '-o',
    trace,
  ]);
  const [seat] = await seatsOf(app, ['12A']);
  const marker = `MARKER-${crypto.randomUUID()}`;
  const packet = await seat!.publishAsync(
    'seat/12A/fault',
    JSON.stringify({ id: crypto.randomUUID(), code: 'STRACE_PROBE', message: marker, at: new Date().toISOString() }),
    { qos: 1 },
  );
  const messageId = (packet as { messageId: number }).messageId;
  await seat!.endAsync();
  // Stop the traced node process itself (strace exits with it and flushes the trace).
  const nodePid = Number(
    spawnSync('pgrep', ['-P', String(app.proc.pid)])
      .stdout.toString()
      .trim()
      .split('\n')[0],
  );
  process.kill(nodePid, 'SIGTERM');
  await app.exited;

  const lines = fs.readFileSync(trace, 'utf8').split('\n');
  const hex = (s: string | Buffer) => [...Buffer.from(s)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  const writeIdx = lines.findIndex(
    (l) => /\b(write|writev|pwrite64)\(/.test(l) && l.includes(hex(marker)) && !l.includes(hex('seat/12A/fault')),
  );
  assert.ok(writeIdx >= 0, 'the journal write of the record is in the trace');
  const fd = /(?:write|writev|pwrite64)\((\d+),/.exec(lines[writeIdx]!)![1];
  const syncIdx = lines.findIndex(
    (l, i) =>
      i > writeIdx && (new RegExp(`fdatasync\\(${fd}\\)\\s+= 0`).test(l) || /<\.\.\. fdatasync resumed>.*= 0/.test(l)),
  );
  assert.ok(syncIdx > writeIdx, `fdatasync(${fd}) completes after the write`);
  const puback = hex(Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]));
  // mqtt-packet writes small packets as writev of one-byte pieces: join a call's buffers
  const bytesOf = (l: string) => [...l.matchAll(/"((?:\\x[0-9a-f]{2})*)"/g)].map((m) => m[1]).join('');
  const pubackIdx = lines.findIndex((l) => /\b(write|writev|sendto)\(/.test(l) && bytesOf(l) === puback);
  assert.ok(pubackIdx >= 0, 'the PUBACK write is in the trace');
  assert.ok(
    syncIdx < pubackIdx,
    `order: journal write (line ${writeIdx}) < fdatasync done (line ${syncIdx}) < PUBACK (line ${pubackIdx})`,
  );
});
