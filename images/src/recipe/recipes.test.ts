import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grubenv } from './build.ts';
import { diskBytes, sfdiskScript } from './disk-image.ts';
import { customizeHooks, mmdebstrapArgs, RECIPES, systemConf } from './recipes.ts';

test('both units use the same GPT layout: efi, rootfs_a, rootfs_b, data — the numbers grub.cfg boots by', () => {
  for (const recipe of Object.values(RECIPES)) {
    assert.deepEqual(
      recipe.partitions.map((p) => p.name),
      ['efi', 'rootfs_a', 'rootfs_b', 'data'],
    );
    const [, a, b] = recipe.partitions;
    assert.equal(a!.sizeMiB, b!.sizeMiB, 'the slots are the same size: either can hold the next update');
    const script = sfdiskScript(recipe.partitions);
    assert.match(script, /^label: gpt\n/);
    assert.match(script, /type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=efi/);
    assert.equal(diskBytes(recipe.partitions), (recipe.partitions.reduce((s, p) => s + p.sizeMiB, 0) + 2) * 1048576);
  }
});

test("system.conf names each unit's compatible, grub, the two slots by partition label, and status on /data", () => {
  const seat = systemConf(RECIPES.seat);
  const server = systemConf(RECIPES.server);
  assert.match(seat, /compatible=ifec-seat-unit-amd64/);
  assert.match(server, /compatible=ifec-aircraft-server-amd64/);
  for (const conf of [seat, server]) {
    assert.match(conf, /bootloader=grub\ngrubenv=\/boot\/efi\/EFI\/BOOT\/grubenv/);
    assert.match(conf, /\[slot\.rootfs\.0\]\ndevice=\/dev\/disk\/by-partlabel\/rootfs_a\ntype=ext4\nbootname=A/);
    assert.match(conf, /\[slot\.rootfs\.1\]\ndevice=\/dev\/disk\/by-partlabel\/rootfs_b\ntype=ext4\nbootname=B/);
    assert.match(conf, /data-directory=\/data\/rauc/);
  }
});

test('mmdebstrap: bookworm, minbase plus the recipe, no recommends, main and security sources', () => {
  const args = mmdebstrapArgs(
    RECIPES.seat,
    '/out/rootfs',
    'http://mirror.example/debian',
    customizeHooks(RECIPES.seat),
  );
  assert.ok(args.includes('--variant=minbase'));
  assert.ok(args.includes('--aptopt=APT::Install-Recommends "false"'));
  const include = args
    .find((a) => a.startsWith('--include='))!
    .slice('--include='.length)
    .split(',');
  for (const p of ['rauc', 'rauc-service', 'cage', 'linux-image-amd64', 'grub-efi-amd64-bin'])
    assert.ok(include.includes(p));
  assert.ok(!include.includes('ffmpeg'), 'the seat does not carry the server’s ffmpeg');
  const server = mmdebstrapArgs(RECIPES.server, '/out/rootfs', 'http://mirror.example/debian', [])
    .find((a) => a.startsWith('--include='))!
    .split(',');
  assert.ok(server.includes('nginx-light'), 'the server carries nginx for the origin');
  assert.deepEqual(RECIPES.server.masked, ['nginx.service'], "and never runs Debian's own nginx service");
  assert.deepEqual(args.slice(-5), [
    'bookworm',
    '/out/rootfs',
    'deb http://mirror.example/debian bookworm main',
    'deb http://mirror.example/debian bookworm-updates main',
    'deb http://mirror.example/debian-security bookworm-security main',
  ]);
  assert.ok(args.some((a) => a.includes('useradd --system --uid 900 --gid ifec') && a.includes('ifec-seat')));
});

test('grubenv is a 1024-byte block with the factory boot order', () => {
  const env = grubenv({ ORDER: 'A B', A_OK: '1', A_TRY: '0', B_OK: '0', B_TRY: '0' });
  assert.equal(Buffer.byteLength(env), 1024);
  assert.match(env, /^# GRUB Environment Block\nORDER=A B\nA_OK=1\nA_TRY=0\nB_OK=0\nB_TRY=0\n#+$/);
  assert.throws(() => grubenv({ X: 'y'.repeat(2000) }), /over 1024 bytes/);
});
