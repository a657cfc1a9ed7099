/** What reaches the agent from outside (assignments, RAUC's status output, a stick's folder) is checked. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FolderTransport } from './folder-transport.ts';
import { parseStatus, raucCommands } from './rauc.ts';
import { type SlotInstaller, UpdateAgent, waitHealthy } from './update-agent.ts';

test("a stick's assignment must be the protocol's, nothing else", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-transport-'));
  try {
    const t = new FolderTransport(dir, '12A');
    assert.equal((await t.assignment()).action, 'none', 'no assignment.json: nothing to do');
    const good = {
      seatId: '12A',
      action: 'install',
      rolloutId: 'R1',
      target: {
        name: 'IFE-SEAT-0100/2.0.0/seat.raucb',
        partNumber: 'IFE-SEAT-0100',
        version: '2.0.0',
        length: 1000,
        sha256: 'a'.repeat(64),
        url: '/x',
      },
      pollAfterS: 5,
    };
    fs.writeFileSync(path.join(dir, 'assignment.json'), JSON.stringify(good));
    assert.equal((await t.assignment()).target?.version, '2.0.0');
    for (const bad of [
      { ...good, action: 'format-disk' },
      { ...good, target: { ...good.target, sha256: '../../etc/shadow' } },
      { ...good, target: { ...good.target, length: -1 } },
      { ...good, url: 'http://elsewhere' },
    ]) {
      fs.writeFileSync(path.join(dir, 'assignment.json'), JSON.stringify(bad));
      await assert.rejects(t.assignment(), JSON.stringify(bad));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the folder transport never reads outside its folder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-transport-'));
  try {
    const t = new FolderTransport(dir, '12A');
    await assert.rejects(
      t.download(
        { name: 'x', partNumber: 'IFE-X-1', version: '1', length: 1, sha256: '../../../etc/passwd', url: '' },
        path.join(dir, 'x'),
      ),
      /64 hex/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("RAUC's status JSON is parsed into slots; output that is not RAUC's is refused", () => {
  const status = parseStatus(
    JSON.stringify({
      compatible: 'ifec-seat-unit-amd64',
      variant: '',
      booted: 'A',
      boot_primary: 'rootfs.1',
      slots: [
        {
          'rootfs.1': {
            class: 'rootfs',
            device: '/dev/sda3',
            type: 'ext4',
            bootname: 'B',
            state: 'inactive',
            boot_status: 'good',
          },
        },
        {
          'rootfs.0': {
            class: 'rootfs',
            device: '/dev/sda2',
            type: 'ext4',
            bootname: 'A',
            state: 'booted',
            boot_status: 'good',
          },
        },
      ],
    }),
  );
  assert.equal(status.booted, 'A');
  assert.equal(status.primary, 'rootfs.1');
  assert.deepEqual(
    status.slots.map((s) => [s.name, s.bootname, s.state]),
    [
      ['rootfs.1', 'B', 'inactive'],
      ['rootfs.0', 'A', 'booted'],
    ],
  );
  assert.throws(() => parseStatus('not json'));
  assert.throws(() => parseStatus(JSON.stringify({ slots: 'many' })));
});

test('the rauc command lines, as plain data', () => {
  assert.deepEqual(raucCommands.install('/etc/rauc/system.conf', '/data/b.raucb'), [
    '--conf=/etc/rauc/system.conf',
    'install',
    '/data/b.raucb',
  ]);
  assert.deepEqual(raucCommands.mark(undefined, 'mark-active', 'other'), ['status', 'mark-active', 'other']);
});

test('health: the first healthy probe wins; throwing probes until the deadline give the last reason', async () => {
  let calls = 0;
  assert.deepEqual(
    await waitHealthy(
      async () => {
        calls++;
        return calls >= 3;
      },
      60_000,
      1,
    ),
    { healthy: true },
  );
  const late = await waitHealthy(
    async () => {
      throw new Error('appliance /healthz answered 503');
    },
    100,
    10,
  );
  assert.deepEqual(late, { healthy: false, reason: 'not healthy within 100 ms: appliance /healthz answered 503' });
  const hung = await waitHealthy(() => new Promise<boolean>(() => {}), 100, 10);
  assert.equal(hung.healthy, false, 'a probe that never answers is not healthy');
});

test('a unit already on the offered version touches no slot and reports its health', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-already-'));
  try {
    const transport = new FolderTransport(dir, '12A');
    const target = {
      name: 'IFE-SEAT-0100/2.0.0/seat.raucb',
      partNumber: 'IFE-SEAT-0100',
      version: '2.0.0',
      length: 1000,
      sha256: 'a'.repeat(64),
      url: '/x',
    };
    fs.writeFileSync(
      path.join(dir, 'assignment.json'),
      JSON.stringify({ seatId: '12A', action: 'install', rolloutId: 'R1', target, pollAfterS: 5 }),
    );
    const untouchable = new Proxy({} as SlotInstaller, {
      get: (_t, name) => () => Promise.reject(new Error(`RAUC ${String(name)} called`)),
    });
    let probes = 0;
    const agent = new UpdateAgent({
      rauc: untouchable,
      transport,
      stateDir: path.join(dir, 'state'),
      runningVersion: () => '2.0.0',
      reboot: () => Promise.reject(new Error('no reboot expected')),
      probe: async () => ++probes > 0,
      healthDeadlineMs: 5000,
      healthIntervalMs: 10,
    });
    const { outcome } = await agent.poll();
    assert.equal(outcome.did, 'nothing');
    assert.equal(probes, 1, 'its health was checked');
    assert.deepEqual(
      transport.reports().map((r) => [r.rolloutId, r.step, r.version]),
      [['R1', 'healthy', '2.0.0']],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
