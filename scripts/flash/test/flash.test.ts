/**
 * ifec-flash on disk-image files: a unit image (GPT efi / rootfs_a / rootfs_b / data, made
 * the way npm run image makes it) written onto a larger "disk", verified by sha256, its data
 * partition grown, the seat's identity written from the appliance's credentials file; and
 * real sync bundles (protocol's writeBundle, Ed25519-signed) onto a FAT stick image and back.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ext4FromFolder, partition, partitionDisk, readPartitions } from '@ifec/images/src/recipe/disk-image.ts';
import { writeBundle } from '@ifec/protocol/node';
import { parseProvisioning } from '../../../seat-client/electron/policy/provisioning.ts';
import { flashCli } from '../src/cli.ts';
import { FlashError, flashImage, type ImageManifest } from '../src/image-writer.ts';
import type { Progress } from '../src/progress.ts';
import { identityFileOwner, ProvisionError, provisionSeat, readIdentityFile, seatIdentity } from '../src/provision.ts';
import { checkBundle, formatStick, listStick, readBundles, StickError, writeBundles } from '../src/usb-stick.ts';

const missing = ['sfdisk', 'mke2fs', 'debugfs', 'mkfs.vfat', 'mcopy'].find(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
if (missing)
  console.log(`ifec-flash tests skipped: ${missing} is not installed (fdisk, e2fsprogs, dosfstools, mtools)`);

function recorder(): Progress & { seen: { label: string; total: number; last: number }[] } {
  const seen: { label: string; total: number; last: number }[] = [];
  return {
    seen,
    start(label, total) {
      seen.push({ label, total, last: 0 });
    },
    update(done) {
      seen.at(-1)!.last = done;
    },
    stop() {},
  };
}

describe('ifec-flash', { skip: missing }, () => {
  let dir: string;
  let image: string;
  let manifest: ImageManifest;
  let credentials: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-flash-'));
    image = path.join(dir, 'seat.img');
    const parts = partitionDisk(image, [
      { name: 'efi', sizeMiB: 2, type: 'esp' },
      { name: 'rootfs_a', sizeMiB: 8, type: 'root' },
      { name: 'rootfs_b', sizeMiB: 8, type: 'root' },
      { name: 'data', sizeMiB: 8, type: 'linux' },
    ]);
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/ifec-release'), 'IFEC_TARGET=seat\nIFEC_VERSION=1.0.0\n');
    ext4FromFolder(image, partition(parts, 'rootfs_a'), root, 'rootfs');
    const data = path.join(dir, 'data');
    fs.mkdirSync(path.join(data, 'ifec'), { recursive: true });
    ext4FromFolder(image, partition(parts, 'data'), data, 'data');
    const bytes = fs.readFileSync(image);
    manifest = {
      target: 'seat',
      version: '1.0.0',
      disk: { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
    };
    fs.writeFileSync(path.join(dir, 'image.json'), JSON.stringify(manifest));
    // The appliance's first-run credentials file, in the shape appliance/src/demo/first-run.ts writes.
    credentials = path.join(dir, 'first-run-credentials.json');
    fs.writeFileSync(
      credentials,
      JSON.stringify({
        tailNumber: 'D-AIFE',
        seats: {
          '12A': crypto.randomBytes(24).toString('base64url'),
          '12B': crypto.randomBytes(24).toString('base64url'),
        },
        crew: [],
      }),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the image onto a larger disk, verifies it by sha256 and grows the data partition', () => {
    const disk = path.join(dir, 'disk-64m.img');
    fs.writeFileSync(disk, '');
    fs.truncateSync(disk, 64 * 1024 * 1024);
    const progress = recorder();
    const result = flashImage(image, manifest, disk, progress);
    assert.equal(result.sha256, manifest.disk.sha256);
    assert.ok(result.grown);
    assert.ok(progress.seen.some((s) => s.label.startsWith('writing') && s.last === manifest.disk.size));
    const parts = readPartitions(disk);
    assert.deepEqual(
      parts.map((p) => p.name),
      ['efi', 'rootfs_a', 'rootfs_b', 'data'],
    );
    const data = partition(parts, 'data');
    assert.ok(data.offset + data.size > 60 * 1024 * 1024, 'data reaches the end of the 64 MiB disk');
    assert.match(
      execFileSync(
        'debugfs',
        ['-R', 'cat /etc/ifec-release', `${disk}?offset=${partition(parts, 'rootfs_a').offset}`],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ),
      /IFEC_VERSION=1\.0\.0/,
    );
  });

  test('refuses an image that does not match image.json before writing anything', () => {
    const damaged = path.join(dir, 'damaged.img');
    fs.copyFileSync(image, damaged);
    const fd = fs.openSync(damaged, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 3 * 1024 * 1024);
    fs.closeSync(fd);
    assert.throws(
      () => flashImage(damaged, manifest, path.join(dir, 'never.img')),
      (e: unknown) => e instanceof FlashError && e.code === 'IMAGE_CHECKSUM',
    );
    assert.equal(fs.existsSync(path.join(dir, 'never.img')), false, 'nothing written');
  });

  test("provisions the seat's identity from the appliance's credentials onto the data partition", () => {
    const disk = path.join(dir, 'disk-seat.img');
    flashImage(image, manifest, disk);
    const identity = seatIdentity({
      credentialsFile: credentials,
      seatId: '12A',
      applianceUrl: 'http://10.0.0.1:8080/',
    });
    provisionSeat(disk, identity);
    const onDisk = parseProvisioning(readIdentityFile(disk, 'seat-unit.json'));
    const issued = JSON.parse(fs.readFileSync(credentials, 'utf8')) as { seats: Record<string, string> };
    assert.equal(onDisk.seatId, '12A');
    assert.equal(onDisk.secret, issued.seats['12A']);
    assert.equal(onDisk.applianceUrl, 'http://10.0.0.1:8080');
    assert.equal(onDisk.tailNumber, 'D-AIFE');
    assert.deepEqual(identityFileOwner(disk, 'seat-unit.json'), { mode: 0o600, uid: 900, gid: 950 });

    // Re-provisioning (a unit moved to another seat) replaces the file.
    provisionSeat(
      disk,
      seatIdentity({ credentialsFile: credentials, seatId: '12B', applianceUrl: 'http://10.0.0.1:8080' }),
    );
    assert.equal(parseProvisioning(readIdentityFile(disk, 'seat-unit.json')).seatId, '12B');
  });

  test('refuses a seat the appliance did not issue, a bad address and a file that is not its credentials', () => {
    assert.throws(
      () => seatIdentity({ credentialsFile: credentials, seatId: '99Z', applianceUrl: 'http://10.0.0.1:8080' }),
      (e: unknown) => e instanceof ProvisionError && e.code === 'SEAT_UNKNOWN' && /99Z/.test(e.message),
    );
    assert.throws(
      () => seatIdentity({ credentialsFile: credentials, seatId: '12A', applianceUrl: 'ftp://10.0.0.1' }),
      (e: unknown) => e instanceof ProvisionError && e.code === 'IDENTITY_INVALID',
    );
    const garbage = path.join(dir, 'garbage.json');
    fs.writeFileSync(garbage, '{"seats": "all of them"}');
    assert.throws(
      () => seatIdentity({ credentialsFile: garbage, seatId: '12A', applianceUrl: 'http://10.0.0.1:8080' }),
      (e: unknown) => e instanceof ProvisionError && e.code === 'CREDENTIALS_INVALID',
    );
  });

  test('carries real sync bundles onto a FAT stick and back, checked both ways, with progress', async () => {
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const bundles: string[] = [];
    for (const [i, direction] of (['uplink', 'downlink'] as const).entries()) {
      const file = path.join(dir, `D-AIFE.${direction}.${i + 1}.ifecb`);
      await writeBundle(
        file,
        {
          direction,
          aircraftId: 'D-AIFE',
          sequence: i + 1,
          createdAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          acked: { critical: 0, bulk: 0 },
          downlinkApplied: 0,
          publications: [],
        },
        [{ role: direction === 'uplink' ? 'batch' : 'file', source: crypto.randomBytes(300_000) }],
        privateKey,
      );
      bundles.push(file);
    }
    const stick = path.join(dir, 'stick.img');
    fs.writeFileSync(stick, '');
    fs.truncateSync(stick, 48 * 1024 * 1024);
    formatStick(stick);
    const progress = recorder();
    const written = await writeBundles(stick, bundles, progress);
    assert.deepEqual(
      written.map((b) => [b.direction, b.sequence]),
      [
        ['uplink', 1],
        ['downlink', 2],
      ],
    );
    assert.ok(
      progress.seen.every((s) => s.last === s.total && s.total > 300_000),
      'each copy reached 100 %',
    );
    assert.deepEqual(
      listStick(stick)
        .map((f) => f.name)
        .sort(),
      bundles.map((b) => path.basename(b)).sort(),
    );

    const out = path.join(dir, 'from-stick');
    const { read, damaged } = await readBundles(stick, out);
    assert.deepEqual(damaged, []);
    assert.equal(read.length, 2);
    for (const b of bundles)
      assert.ok(fs.readFileSync(path.join(out, path.basename(b))).equals(fs.readFileSync(b)), 'byte for byte');
  });

  test('a damaged or truncated bundle is refused before it reaches the stick, and named when read off one', async () => {
    const stick = path.join(dir, 'stick2.img');
    fs.writeFileSync(stick, '');
    fs.truncateSync(stick, 48 * 1024 * 1024);
    formatStick(stick);
    const good = fs.readdirSync(dir).find((f) => f.endsWith('.ifecb'))!;
    const truncated = path.join(dir, 'D-AIFE.truncated.ifecb');
    const bytes = fs.readFileSync(path.join(dir, good));
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 1000));
    await assert.rejects(
      writeBundles(stick, [truncated]),
      (e: unknown) => e instanceof StickError && e.code === 'BUNDLE_DAMAGED' && /partial copy/.test(e.message),
    );
    const garbage = path.join(dir, 'garbage.ifecb');
    fs.writeFileSync(garbage, crypto.randomBytes(5000));
    await assert.rejects(checkBundle(garbage), /bad magic/);

    // A stick whose copy was damaged after writing (flipped byte in a blob): found on reading.
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 10] = flipped[flipped.length - 10]! ^ 0xff;
    execFileSync('mcopy', ['-i', stick, '-', '::/D-AIFE.flipped.ifecb'], { input: flipped });
    const { read, damaged } = await readBundles(stick, path.join(dir, 'from-stick2'));
    assert.equal(read.length, 0);
    assert.equal(damaged.length, 1);
    assert.match(damaged[0]!.reason, /does not match its sha256/);
    assert.equal(fs.existsSync(path.join(dir, 'from-stick2/D-AIFE.flipped.ifecb')), false, 'not kept');
  });

  test('the command line: usage on a bad call, exit 3 with the reason on a refusal, show-identity hides the secret', async () => {
    const quiet: Progress = { start() {}, update() {}, stop() {} };
    const out: string[] = [];
    const err: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
    try {
      assert.equal(await flashCli(['provision-seat'], quiet), 2);
      assert.match(err.join(''), /usage: ifec-flash/);
      const disk = path.join(dir, 'disk-cli.img');
      assert.equal(await flashCli(['image', path.join(dir, 'image.json'), disk], quiet), 0);
      assert.equal(
        await flashCli(
          [
            'provision-seat',
            disk,
            '--seat',
            '77K',
            '--credentials',
            credentials,
            '--appliance',
            'http://10.0.0.1:8080',
          ],
          quiet,
        ),
        3,
      );
      assert.match(err.join(''), /SEAT_UNKNOWN: seat 77K is not in the cabin of D-AIFE/);
      assert.equal(
        await flashCli(
          [
            'provision-seat',
            disk,
            '--seat',
            '12A',
            '--credentials',
            credentials,
            '--appliance',
            'http://10.0.0.1:8080',
          ],
          quiet,
        ),
        0,
      );
      out.length = 0;
      assert.equal(await flashCli(['show-identity', disk], quiet), 0);
      const shown = out.join('');
      assert.match(shown, /"seatId": "12A"/);
      const secret = (JSON.parse(fs.readFileSync(credentials, 'utf8')) as { seats: Record<string, string> }).seats[
        '12A'
      ]!;
      assert.equal(shown.includes(secret), false, 'the secret is not printed');
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
  });
});
