/** What reaches the agent from outside (offers, RAUC's status output, a stick's folder) is checked. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FolderTransport } from './folder-transport.ts';
import { parseStatus, raucCommands } from './rauc.ts';
import { updateOffer, waitHealthy } from './update-agent.ts';

test('an offer must be a version, a sha256 and a bounded size, nothing else', () => {
  const good = { version: '2.0.0', sha256: 'a'.repeat(64), size: 1000 };
  assert.deepEqual(updateOffer.parse(good), good);
  for (const bad of [
    null,
    'offer',
    { ...good, sha256: '../../etc/shadow' },
    { ...good, size: -1 },
    { ...good, size: 5 * 1024 ** 3 },
    { ...good, version: '' },
    { ...good, url: 'http://elsewhere' },
  ])
    assert.equal(updateOffer.safeParse(bad).success, false, JSON.stringify(bad));
});

test('the folder transport never reads outside its folder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-transport-'));
  try {
    const t = new FolderTransport(dir, '12A');
    await assert.rejects(
      t.fetchBundle({ version: '1', sha256: '../../../etc/passwd', size: 1 }, path.join(dir, 'x')),
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
