/**
 * Writes a unit's disk image onto its disk (a block device such as /dev/sdb, or a disk-image
 * file), reads it back and compares the sha256 with the one the build recorded in image.json,
 * then lets the data partition take the rest of a larger disk (the unit grows its file system
 * at first boot: fstab's x-systemd.growfs). Nothing is mounted.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { type Progress, silentProgress } from './progress.ts';

const CHUNK = 4 * 1024 * 1024;

export class FlashError extends Error {
  constructor(
    readonly code: 'TARGET_TOO_SMALL' | 'TARGET_IN_USE' | 'IMAGE_CHECKSUM' | 'TARGET_CHECKSUM' | 'NOT_A_UNIT_IMAGE',
    message: string,
  ) {
    super(message);
  }
}

export interface ImageManifest {
  target: string;
  version: string;
  disk: { sha256: string; size: number };
}

export function readManifest(file: string): ImageManifest {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ImageManifest>;
  if (!raw.disk || !/^[0-9a-f]{64}$/.test(raw.disk.sha256 ?? '') || typeof raw.disk.size !== 'number')
    throw new FlashError('NOT_A_UNIT_IMAGE', `${file} is not an image.json from npm run image (no disk sha256)`);
  return raw as ImageManifest;
}

/** Size of a disk-image file or a block device. */
export function targetSize(target: string): number {
  const stat = fs.statSync(target);
  if (stat.isBlockDevice())
    return Number(execFileSync('blockdev', ['--getsize64', target], { encoding: 'utf8' }).trim());
  return stat.size;
}

/** A block device with a mounted partition must never be overwritten. */
function refuseMounted(target: string): void {
  if (!fs.existsSync(target) || !fs.statSync(target).isBlockDevice()) return;
  const real = fs.realpathSync(target);
  const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n');
  const hit = mounts.find((line) => line.split(' ')[0]?.startsWith(real));
  if (hit) throw new FlashError('TARGET_IN_USE', `${target} is mounted (${hit.split(' ').slice(0, 2).join(' on ')})`);
}

/** Streams `image` onto `target`; all-zero chunks of a file target are skipped, keeping it sparse. */
export function writeImage(image: string, target: string, progress: Progress = silentProgress): void {
  refuseMounted(target);
  const size = fs.statSync(image).size;
  const isFile = !fs.existsSync(target) || fs.statSync(target).isFile();
  if (!isFile && targetSize(target) < size)
    throw new FlashError('TARGET_TOO_SMALL', `${target} holds ${targetSize(target)} bytes; the image needs ${size}`);
  if (isFile && (!fs.existsSync(target) || fs.statSync(target).size < size)) {
    fs.writeFileSync(target, '', { flag: 'a' });
    fs.truncateSync(target, size);
  }
  const input = fs.openSync(image, 'r');
  const output = fs.openSync(target, 'r+');
  const buf = Buffer.alloc(CHUNK);
  const zero = Buffer.alloc(CHUNK);
  progress.start(`writing ${target}`, size);
  try {
    for (let at = 0; at < size; ) {
      const n = fs.readSync(input, buf, 0, Math.min(CHUNK, size - at), at);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      if (!isFile || !chunk.equals(zero.subarray(0, n))) fs.writeSync(output, chunk, 0, n, at);
      else {
        // The file may hold an older image: a zero chunk must read back as zeros.
        const old = Buffer.alloc(n);
        fs.readSync(output, old, 0, n, at);
        if (!old.equals(zero.subarray(0, n))) fs.writeSync(output, chunk, 0, n, at);
      }
      at += n;
      progress.update(at);
    }
    fs.fsyncSync(output);
  } finally {
    progress.stop();
    fs.closeSync(input);
    fs.closeSync(output);
  }
}

/** sha256 of the first `size` bytes of a file or device. */
export function sha256Prefix(file: string, size: number, progress: Progress = silentProgress): string {
  const fd = fs.openSync(file, 'r');
  const hash = crypto.createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  progress.start(`verifying ${file}`, size);
  try {
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, size - at), at);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      at += n;
      progress.update(at);
    }
  } finally {
    progress.stop();
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Flash: check the image against its manifest, write, read back and compare, then grow the
 * data partition (the last one) over the rest of the disk.
 */
export function flashImage(
  image: string,
  manifest: ImageManifest,
  target: string,
  progress: Progress = silentProgress,
): { sha256: string; grown: boolean } {
  if (fs.statSync(image).size !== manifest.disk.size)
    throw new FlashError('IMAGE_CHECKSUM', `${image} is not the size image.json records (a partial copy?)`);
  if (sha256Prefix(image, manifest.disk.size, progress) !== manifest.disk.sha256)
    throw new FlashError('IMAGE_CHECKSUM', `${image} does not match the sha256 in image.json: copy it again`);
  writeImage(image, target, progress);
  const written = sha256Prefix(target, manifest.disk.size, progress);
  if (written !== manifest.disk.sha256)
    throw new FlashError(
      'TARGET_CHECKSUM',
      `${target} does not read back as written (sha256 ${written.slice(0, 12)}…): a failing disk?`,
    );
  let grown = false;
  if (targetSize(target) > manifest.disk.size) {
    // Move the backup GPT to the real end, then extend partition 4 (data) to it.
    execFileSync('sfdisk', ['--quiet', '--relocate', 'gpt-bak-std', target], { stdio: 'ignore' });
    execFileSync('sfdisk', ['--quiet', '--no-reread', '-N', '4', target], {
      input: ', +\n',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    grown = true;
  }
  return { sha256: written, grown };
}
