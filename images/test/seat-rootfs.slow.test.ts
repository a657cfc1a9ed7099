/**
 * The seat recipe, built for real: mmdebstrap fetches Debian bookworm's packages from the
 * mirror, our files go on top, and the GPT disk image is made from the folder. Then the test
 * lists what a maintenance engineer expects on a seat: the kiosk, the units, RAUC's config,
 * the read-only fstab, the boot files. Slow (minutes; `.ci/run` runs it after the rest and
 * prints its time); skipped with one line where it cannot run (not root, no mmdebstrap, no mirror).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { buildImage } from '../src/recipe/build.ts';
import { partition, readExt4File, readPartitions } from '../src/recipe/disk-image.ts';
import { RECIPES } from '../src/recipe/recipes.ts';

const mirror = process.env.IFEC_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

function cannotBuild(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (mmdebstrap builds in root mode)';
  for (const tool of ['mmdebstrap', 'mke2fs', 'sfdisk', 'mkfs.vfat', 'mcopy', 'systemctl', 'rauc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync('curl', ['-sfI', '--max-time', '20', `${mirror}/dists/bookworm/Release`]);
  if (probe.status !== 0) return `the Debian mirror ${mirror} does not answer`;
  return undefined;
}

const reason = cannotBuild();
if (reason) console.log(`seat root file system build skipped: ${reason}`);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-seat-image-'));
// IFEC_KEEP_IMAGE=1 keeps the build for a look (it is large).
after(() => {
  if (!process.env.IFEC_KEEP_IMAGE) fs.rmSync(out, { recursive: true, force: true });
});

test('the seat recipe builds a root file system from Debian packages, and a GPT A/B disk image from it', {
  skip: reason,
}, async () => {
  const started = Date.now();
  const built = await buildImage(RECIPES.seat, {
    out,
    mirror,
    version: '1.0.0-test',
    log: (l) => console.log(l),
  });
  console.log(`seat image built in ${Math.round((Date.now() - started) / 1000)} s`);
  const root = built.rootfs;
  // lstat: the image's links are absolute inside the image (enabled units, /etc/ifec), not on this machine.
  const has = (p: string) => {
    try {
      fs.lstatSync(path.join(root, p));
      return true;
    } catch {
      return false;
    }
  };
  const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

  const listing = [
    'opt/ifec/kiosk/resources/app/dist-electron/main.mjs',
    'opt/ifec/kiosk/resources/app/dist-electron/preload.cjs',
    'opt/ifec/kiosk/resources/app/dist/index.html',
    'usr/bin/cage',
    'etc/systemd/system/ifec-kiosk.service',
    'etc/systemd/system/ifec-update-agent.service',
    'etc/systemd/system/graphical.target.wants/ifec-kiosk.service',
    'etc/systemd/system/multi-user.target.wants/ifec-update-agent.service',
    'etc/rauc/system.conf',
    'etc/rauc/keyring.pem',
    'usr/bin/rauc',
    'etc/fstab',
    'opt/ifec/node/bin/node',
    'opt/ifec/update-agent/agent.mjs',
    'usr/lib/ifec/BOOTX64.EFI',
    'vmlinuz',
    'initrd.img',
    'etc/ifec-release',
  ];
  for (const p of listing) {
    assert.ok(has(p), `${p} is in the seat image`);
    console.log(`seat image holds /${p}`);
  }
  // rauc.service comes from Debian's rauc-service package; enabled.
  assert.ok(has('usr/lib/systemd/system/rauc.service') || has('lib/systemd/system/rauc.service'));
  assert.match(
    read('etc/systemd/system/ifec-kiosk.service'),
    /ExecStart=\/usr\/bin\/cage -s -- \/opt\/ifec\/kiosk\/ifec-seat/,
  );

  const conf = read('etc/rauc/system.conf');
  assert.match(conf, /compatible=ifec-seat-unit-amd64/);
  assert.match(conf, /bootloader=grub/);
  assert.match(conf, /device=\/dev\/disk\/by-partlabel\/rootfs_a[\s\S]*bootname=A/);
  assert.match(conf, /device=\/dev\/disk\/by-partlabel\/rootfs_b[\s\S]*bootname=B/);
  assert.match(conf, /data-directory=\/data\/rauc/);

  const fstab = read('etc/fstab')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  assert.equal(
    fstab.filter((l) => l.split(/\s+/)[1] === '/').length,
    0,
    'the root is not remounted read-write by fstab',
  );
  assert.ok(
    fstab.some((l) => /^PARTLABEL=data\s+\/data\s+ext4/.test(l)),
    'the data partition',
  );
  assert.match(
    fs.readFileSync(path.join(import.meta.dirname, '../rootfs/common/boot-efi/EFI/BOOT/grub.cfg'), 'utf8'),
    /root=PARTLABEL=rootfs_a ro rauc\.slot=A/,
  );
  assert.equal(fs.readlinkSync(path.join(root, 'etc/ifec')), '/data/ifec', 'identity on the data partition');
  assert.match(read('etc/passwd'), /^ifec-seat:x:900:950:/m);

  // Debian's packages, as dpkg recorded them.
  const packages = execFileSync('chroot', [root, 'dpkg-query', '-W'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split('\t')[0]!);
  for (const p of ['rauc', 'rauc-service', 'cage', 'systemd', 'linux-image-amd64', 'grub-efi-amd64-bin'])
    assert.ok(packages.includes(p), `Debian package ${p} is installed`);
  console.log(`seat image: ${packages.filter(Boolean).length} Debian packages`);

  // The disk image: GPT efi / rootfs_a / rootfs_b / data, slot A holds this build.
  assert.ok(built.disk);
  const parts = readPartitions(built.disk.file);
  assert.deepEqual(
    parts.map((p) => p.name),
    ['efi', 'rootfs_a', 'rootfs_b', 'data'],
  );
  assert.match(
    readExt4File(built.disk.file, partition(parts, 'rootfs_a'), '/etc/ifec-release'),
    /IFEC_VERSION=1\.0\.0-test/,
  );
  const esp = execFileSync(
    'mdir',
    ['-i', `${built.disk.file}@@${partition(parts, 'efi').offset}`, '-b', '::/EFI/BOOT'],
    {
      encoding: 'utf8',
      env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
    },
  );
  for (const f of ['BOOTX64.EFI', 'grub.cfg', 'grubenv']) assert.ok(esp.includes(f), `the EFI partition holds ${f}`);
  const image = JSON.parse(fs.readFileSync(path.join(out, 'image.json'), 'utf8')) as { disk: { sha256: string } };
  assert.equal(image.disk.sha256, built.disk.sha256);
  console.log(
    `# seat rootfs ${execFileSync('du', ['-sh', '--exclude=proc', root], { encoding: 'utf8' }).split('\t')[0]}; warnings: ${built.warnings.join('; ') || 'none'}`,
  );
});
