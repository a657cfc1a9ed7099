/**
 * The gate data loader's side of USB sync: copies sync bundles (`*.ifecb`, ground-sync's and
 * the aircraft's, protocol/src/sync-bundle.ts) onto a FAT stick and back, checking each copy is
 * whole (magic, header, size, every blob's sha256) before writing and after reading. The
 * signature and the aircraft are checked by the receiver that imports it (the appliance or
 * the ground), which holds the keys. A stick is a block device or a disk-image file, with a
 * partition table or without; it is read and written with mtools, never mounted.
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_MAGIC, bundleHeader } from '@ifec/protocol/node';
import { type Progress, silentProgress } from './progress.ts';

export const BUNDLE_EXTENSION = '.ifecb';
/** FAT's 8.3 short names are not an issue (mtools writes long names); this bounds what a stick may make us copy. */
const MAX_BUNDLES_PER_STICK = 500;

export class StickError extends Error {
  constructor(
    readonly code: 'BUNDLE_DAMAGED' | 'NOT_A_BUNDLE_NAME' | 'STICK_UNREADABLE' | 'STICK_FULL',
    message: string,
  ) {
    super(message);
  }
}

export interface BundleSummary {
  name: string;
  size: number;
  direction: 'uplink' | 'downlink';
  aircraftId: string;
  sequence: number;
  createdAt: string;
  blobs: number;
  publications: number;
}

/** Checks that `file` is a whole bundle: its header parses, its size adds up, every blob matches its sha256. */
export async function checkBundle(file: string): Promise<Omit<BundleSummary, 'name'>> {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    if (size < 12 || fs.readSync(fd, head, 0, 12, 0) !== 12 || !head.subarray(0, 8).equals(BUNDLE_MAGIC))
      throw new StickError('BUNDLE_DAMAGED', `${path.basename(file)} is not an IFEC bundle (bad magic)`);
    const headerLength = head.readUInt32BE(8);
    if (12 + headerLength > size)
      throw new StickError('BUNDLE_DAMAGED', `${path.basename(file)} is truncated (header runs past the end)`);
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 12);
    let header: ReturnType<typeof bundleHeader.parse>;
    try {
      header = bundleHeader.parse(JSON.parse(headerBytes.toString('utf8')));
    } catch {
      throw new StickError('BUNDLE_DAMAGED', `${path.basename(file)}: its header is not a bundle header`);
    }
    const described = 12 + headerLength + header.blobs.reduce((sum, b) => sum + b.size, 0);
    if (described !== size)
      throw new StickError(
        'BUNDLE_DAMAGED',
        `${path.basename(file)} is ${size} bytes; its header describes ${described} (a partial copy?)`,
      );
    let at = 12 + headerLength;
    const buf = Buffer.alloc(1024 * 1024);
    for (const [i, blob] of header.blobs.entries()) {
      const hash = crypto.createHash('sha256');
      for (let left = blob.size; left > 0; ) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), at);
        hash.update(buf.subarray(0, n));
        at += n;
        left -= n;
      }
      if (hash.digest('hex') !== blob.sha256)
        throw new StickError('BUNDLE_DAMAGED', `${path.basename(file)}: blob ${i} does not match its sha256`);
    }
    return {
      size,
      direction: header.direction,
      aircraftId: header.aircraftId,
      sequence: header.sequence,
      createdAt: header.createdAt,
      blobs: header.blobs.length,
      publications: header.publications.length,
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** mtools' image argument: the stick itself, or its first partition when it has a table. */
export function fatVolume(stick: string): string {
  try {
    const table = JSON.parse(
      execFileSync('sfdisk', ['--json', stick], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as {
      partitiontable: { sectorsize?: number; partitions: { start: number }[] };
    };
    const first = table.partitiontable.partitions[0];
    if (first) return `${stick}@@${first.start * (table.partitiontable.sectorsize ?? 512)}`;
  } catch {
    // No partition table: a "superfloppy" stick, FAT from byte 0.
  }
  return stick;
}

/** Makes a fresh FAT32 stick (the whole device, no partition table), labelled IFECSYNC. */
export function formatStick(stick: string): void {
  execFileSync('mkfs.vfat', ['-I', '-F', '32', '-n', 'IFECSYNC', stick], { stdio: 'ignore' });
}

export function listStick(stick: string): { name: string; size: number }[] {
  let out: string;
  try {
    out = execFileSync('mdir', ['-i', fatVolume(stick), '-a', '-f', '::/'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
    });
  } catch (error) {
    throw new StickError(
      'STICK_UNREADABLE',
      `${stick} is not a FAT stick: ${String((error as { stderr?: Buffer }).stderr ?? '').trim()}`,
    );
  }
  // mdir lines: "SHORT EXT  size date time  longname"; the long name is the last field.
  const files: { name: string; size: number }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\S+\s+\S*\s+([\d ]+?)\s+\d{4}-\d\d-\d\d\s+\d+:\d+\s+(.+)$/.exec(line.trim());
    if (m && m[2]!.toLowerCase().endsWith(BUNDLE_EXTENSION))
      files.push({ name: m[2]!, size: Number(m[1]!.replaceAll(' ', '')) });
  }
  return files.slice(0, MAX_BUNDLES_PER_STICK);
}

function mtools(args: string[], io: { input?: Readable; output?: Writable }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0]!, args.slice(1), {
      stdio: [io.input ? 'pipe' : 'ignore', io.output ? 'pipe' : 'ignore', 'pipe'],
      env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const pumps: Promise<void>[] = [];
    if (io.input) pumps.push(pipeline(io.input, child.stdin!));
    if (io.output) pumps.push(pipeline(child.stdout!, io.output));
    child.on('error', reject);
    child.on('close', (code) => {
      Promise.all(pumps).then(
        () =>
          code === 0
            ? resolve()
            : reject(
                new StickError(
                  /full|space/i.test(err) ? 'STICK_FULL' : 'STICK_UNREADABLE',
                  `${args[0]} failed: ${err.trim()}`,
                ),
              ),
        reject,
      );
    });
  });
}

/** Copies bundles onto the stick (each checked first, each read back and checked after). */
export async function writeBundles(
  stick: string,
  bundles: string[],
  progress: Progress = silentProgress,
): Promise<BundleSummary[]> {
  const checked: BundleSummary[] = [];
  for (const file of bundles) {
    const name = path.basename(file);
    if (!name.endsWith(BUNDLE_EXTENSION) || !/^[A-Za-z0-9._-]{1,120}$/.test(name))
      throw new StickError(
        'NOT_A_BUNDLE_NAME',
        `${name}: a bundle's name ends in ${BUNDLE_EXTENSION} (letters, digits, . _ -)`,
      );
    checked.push({ name, ...(await checkBundle(file)) });
  }
  const volume = fatVolume(stick);
  for (const [i, file] of bundles.entries()) {
    const summary = checked[i]!;
    progress.start(`copying ${summary.name}`, summary.size);
    const input = fs.createReadStream(file);
    let done = 0;
    input.on('data', (chunk) => {
      done += chunk.length;
      progress.update(done);
    });
    try {
      await mtools(['mcopy', '-o', '-i', volume, '-', `::/${summary.name}`], { input });
    } finally {
      progress.stop();
    }
  }
  // Read back what the stick now holds: a stick that lies about writes is found here, not at the aircraft.
  const onStick = new Map(listStick(stick).map((f) => [f.name, f.size]));
  for (const s of checked) {
    if (onStick.get(s.name) !== s.size)
      throw new StickError(
        'BUNDLE_DAMAGED',
        `${s.name} on the stick is ${onStick.get(s.name) ?? 'missing'}, not ${s.size} bytes`,
      );
  }
  return checked;
}

/** Copies every bundle on the stick into `folder`, checking each; a damaged one is named and not kept. */
export async function readBundles(
  stick: string,
  folder: string,
  progress: Progress = silentProgress,
): Promise<{ read: BundleSummary[]; damaged: { name: string; reason: string }[] }> {
  fs.mkdirSync(folder, { recursive: true });
  const volume = fatVolume(stick);
  const read: BundleSummary[] = [];
  const damaged: { name: string; reason: string }[] = [];
  for (const entry of listStick(stick)) {
    if (!/^[A-Za-z0-9._-]{1,120}$/.test(entry.name)) {
      damaged.push({ name: entry.name, reason: 'not a bundle name' });
      continue;
    }
    const out = path.join(folder, entry.name);
    const tmp = `${out}.part`;
    progress.start(`reading ${entry.name}`, entry.size);
    let done = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        done += chunk.length;
        progress.update(done);
        callback(null, chunk);
      },
    });
    const written = pipeline(counted, fs.createWriteStream(tmp));
    try {
      await mtools(['mcopy', '-n', '-i', volume, `::/${entry.name}`, '-'], { output: counted });
      await written;
    } finally {
      progress.stop();
    }
    try {
      const summary = await checkBundle(tmp);
      const fd = fs.openSync(tmp, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, out);
      read.push({ name: entry.name, ...summary });
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      damaged.push({ name: entry.name, reason: (error as Error).message });
    }
  }
  return { read, damaged };
}
