/** The appliance on real PGlite data dirs: migrations, restarts, isolation, the data dir lock, start-up errors. */

import assert from 'node:assert/strict';
import test from 'node:test';
import { migrations } from '../src/store/migrations.ts';
import { runUntilExit, spawnAppliance } from './child-appliance.ts';
import { crewToken, seatClient, startTestAppliance, tempDir, waitFor } from './support.ts';

test('migrations apply once; a restart keeps provisioning, faults and the active PA', async () => {
  const dataDir = tempDir();
  const first = await startTestAppliance({}, dataDir);
  assert.equal(first.logLines.filter((l) => l.includes('migration applied')).length, migrations.length);
  const token = await crewToken(first);
  await fetch(`${first.url}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{"action":"start","text":"Welcome aboard"}',
  });
  const seat = await seatClient(first, '1A');
  await seat.publishAsync(
    'seat/1A/fault',
    JSON.stringify({
      id: '7a0c4c4e-8f0e-4c57-9f55-5b1d2a7f1c11',
      code: 'SCREEN_BLANK',
      message: 'no picture',
      at: new Date().toISOString(),
    }),
    { qos: 1 },
  );
  await seat.endAsync();
  const secrets = first.credentials.seats;
  await first.stop();

  const second = await startTestAppliance({}, dataDir);
  assert.equal(second.logLines.filter((l) => l.includes('migration applied')).length, 0, 'no migration runs twice');
  const { rows } = await second.store.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
  assert.equal(rows[0]!.n, migrations.length);
  assert.deepEqual(second.credentials.seats, secrets, 'no re-provisioning');
  // the same seat secret still logs in; the retained PA is back on the bus
  const again = await seatClient(second, '1A');
  const got: string[] = [];
  again.on('message', (_t, p) => got.push(p.toString()));
  await again.subscribeAsync('cabin/pa');
  await waitFor(() => got.some((p) => p.includes('Welcome aboard')), 3000, 'retained PA re-published');
  await again.endAsync();
  const seats = (await (
    await fetch(`${second.url}/api/crew/seats`, { headers: { authorization: `Bearer ${await crewToken(second)}` } })
  ).json()) as { seats: { seatId: string; faults: { code: string }[] }[] };
  assert.deepEqual(
    seats.seats.find((s) => s.seatId === '1A')!.faults.map((f) => f.code),
    ['SCREEN_BLANK'],
  );
  await second.stop();
});

test('two appliances on two data dirs do not interfere', async () => {
  const a = await startTestAppliance({ IFEC_TAIL_NUMBER: 'D-AAAA' });
  const b = await startTestAppliance({ IFEC_TAIL_NUMBER: 'D-BBBB', IFEC_AIRCRAFT: 'b789' });
  assert.notEqual(a.credentials.seats['1A'], b.credentials.seats['1A']);
  const tokenA = await crewToken(a);
  await fetch(`${a.url}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/json' },
    body: '{"action":"start","text":"only on A"}',
  });
  const paB = await (
    await fetch(`${b.url}/api/crew/pa`, { headers: { authorization: `Bearer ${await crewToken(b)}` } })
  ).json();
  assert.deepEqual(paB, { pa: null });
  // A's crew token is not valid on B (each appliance has its own secret)
  assert.equal(
    (await fetch(`${b.url}/api/crew/seats`, { headers: { authorization: `Bearer ${tokenA}` } })).status,
    401,
  );
  const { rows } = await b.store.query<{ n: number }>('SELECT count(*)::int AS n FROM seats');
  assert.ok(rows[0]!.n > 250, 'B has the 787 layout');
  await a.stop();
  await b.stop();
});

test('a second appliance on the same data dir is refused with a clear message', async () => {
  const dataDir = tempDir();
  const first = await spawnAppliance(dataDir);
  const second = await runUntilExit({
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
  });
  assert.equal(second.code, 1);
  assert.match(
    second.output,
    new RegExp(`DATA_DIR_IN_USE: data dir ${dataDir} is in use by another appliance \\(pid ${first.proc.pid}\\)`),
  );
  first.proc.kill('SIGTERM');
  assert.equal(await first.exited, 0, 'SIGTERM stops cleanly');
  assert.match(first.output(), /stopped cleanly/);
});

test('an unknown config key or an invalid port stops start-up with one line naming it', async () => {
  const unknown = await runUntilExit({ IFEC_DATA_DIR: tempDir(), IFEC_HTTP_PROT: '8080' });
  assert.equal(unknown.code, 2);
  assert.equal(unknown.output.trim().split('\n').length, 1);
  assert.match(unknown.output, /unknown config key IFEC_HTTP_PROT/);
  const badPort = await runUntilExit({ IFEC_DATA_DIR: tempDir(), IFEC_MQTT_PORT: '99999' });
  assert.equal(badPort.code, 2);
  assert.match(badPort.output, /^ifec-appliance: invalid config: IFEC_MQTT_PORT: /);
});
