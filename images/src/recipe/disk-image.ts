/**
 * The unit's disk: GPT with an EFI system partition, two root slots (RAUC's A and B) and a
 * data partition. Built without mounting anything: sfdisk writes the table into the file,
 * `mke2fs -d` fills each ext4 partition from a folder, written in place at its offset.
 * Partition names are what system.conf and fstab point at (/dev/disk/by-partlabel/…).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SECTOR = 512;
const MiB = 1024 * 1024;

export interface PartitionPlan {
  name: 'efi' | 'rootfs_a' | 'rootfs_b' | 'data';
  sizeMiB: number;
  /** GPT type: EFI system, Linux root (x86-64), Linux filesystem. */
  type: 'esp' | 'root' | 'linux';
}

const GPT_TYPES = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  root: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

export interface Partition {
  name: string;
  /** Byte offset in the disk. */
  offset: number;
  size: number;
  type: string;
}

/** The sfdisk script for a plan (plain data, tested without sfdisk). */
export function sfdiskScript(plan: PartitionPlan[]): string {
  const lines = ['label: gpt', 'first-lba: 2048'];
  for (const p of plan) lines.push(`size=${p.sizeMiB}MiB, type=${GPT_TYPES[p.type]}, name=${p.name}`);
  return `${lines.join('\n')}\n`;
}

/** Disk size: the partitions, 1 MiB in front, 1 MiB behind for the backup GPT. */
export function diskBytes(plan: PartitionPlan[]): number {
  return (plan.reduce((sum, p) => sum + p.sizeMiB, 0) + 2) * MiB;
}

export function partitionDisk(file: string, plan: PartitionPlan[]): Partition[] {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, '');
  fs.truncateSync(file, diskBytes(plan));
  execFileSync('sfdisk', ['--quiet', '--wipe', 'always', file], { input: sfdiskScript(plan) });
  return readPartitions(file);
}

/** The GPT of a disk image or block device, as sfdisk reads it. */
export function readPartitions(file: string): Partition[] {
  const json = JSON.parse(execFileSync('sfdisk', ['--json', file], { encoding: 'utf8' })) as {
    partitiontable: { sectorsize?: number; partitions: { start: number; size: number; type: string; name?: string }[] };
  };
  const sector = json.partitiontable.sectorsize ?? SECTOR;
  return json.partitiontable.partitions.map((p) => ({
    name: p.name ?? '',
    offset: p.start * sector,
    size: p.size * sector,
    type: p.type,
  }));
}

export function partition(parts: Partition[], name: string): Partition {
  const p = parts.find((x) => x.name === name);
  if (!p) throw new Error(`no partition named ${name} (have ${parts.map((x) => x.name).join(', ')})`);
  return p;
}

/**
 * An ext4 file system made from `folder`, written straight into `disk` at the partition's
 * offset (mke2fs's `offset=` extended option): no loop device, no mount.
 */
export function ext4FromFolder(disk: string, p: Partition, folder: string, label: string): void {
  execFileSync(
    'mke2fs',
    [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-L',
      label,
      // No journal on a root that is mounted read-only; the data partition keeps one.
      ...(label.startsWith('root') ? ['-O', '^has_journal'] : []),
      '-E',
      `offset=${p.offset},root_owner=0:0`,
      '-d',
      folder,
      disk,
      `${Math.floor(p.size / 1024)}k`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** A FAT32 EFI system partition from a folder, via mtools (no mount). */
export function vfatFromFolder(disk: string, p: Partition, folder: string): void {
  const image = `${disk}.esp.tmp`;
  fs.rmSync(image, { force: true });
  execFileSync('mkfs.vfat', ['-F', '32', '-n', 'EFI', '-C', image, String(Math.floor(p.size / 1024))], {
    stdio: 'ignore',
  });
  const entries = fs.existsSync(folder) ? fs.readdirSync(folder) : [];
  if (entries.length > 0)
    execFileSync('mcopy', ['-s', '-i', image, ...entries.map((e) => path.join(folder, e)), '::/'], { stdio: 'ignore' });
  copyInto(disk, p.offset, image);
  fs.rmSync(image);
}

/** Copies `source` into `disk` at `offset` without truncating the disk. */
export function copyInto(disk: string, offset: number, source: string): void {
  const out = fs.openSync(disk, 'r+');
  const input = fs.openSync(source, 'r');
  try {
    const buf = Buffer.alloc(4 * MiB);
    let pos = 0;
    for (;;) {
      const n = fs.readSync(input, buf, 0, buf.length, pos);
      if (n === 0) break;
      fs.writeSync(out, buf, 0, n, offset + pos);
      pos += n;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(input);
    fs.closeSync(out);
  }
}

/** Reads one file out of an ext4 partition of a disk image (debugfs; no mount). */
export function readExt4File(disk: string, p: Partition, file: string): string {
  // debugfs has no offset option; `-o` is for superblock. Use the loop-free io_options syntax.
  return execFileSync('debugfs', ['-R', `cat ${file}`, `${disk}?offset=${p.offset}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}
