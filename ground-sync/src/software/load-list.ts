/**
 * The load list an airline's data-loading records expect, in the style of ARINC 665: a part
 * number per load, a load header (what it is, for which hardware) and its files, each with a
 * CRC-32 (what ARINC 665 checks) and a SHA-256 (what we check). Pure: bytes in, JSON out.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { type LoadList, loadList, type SoftwareKind } from '@ifec/protocol';

export interface LoadFile {
  name: string;
  bytes: Buffer;
}

export function crc32Hex(bytes: Buffer): string {
  return (zlib.crc32(bytes) >>> 0).toString(16).padStart(8, '0');
}

/** Which unit takes each kind of load. */
export const TARGET_HARDWARE: Record<SoftwareKind, string[]> = {
  'seat-client': ['seat-unit'],
  'os-image': ['seat-unit'],
  appliance: ['aircraft-server'],
};

export function buildLoadList(input: {
  partNumber: string;
  kind: SoftwareKind;
  version: string;
  description: string;
  targetHardware?: string[];
  files: LoadFile[];
  publishedAt: Date;
}): LoadList {
  return loadList.parse({
    format: 'ifec-load-list/1',
    header: {
      partNumber: input.partNumber,
      kind: input.kind,
      version: input.version,
      targetHardware: input.targetHardware ?? TARGET_HARDWARE[input.kind],
      description: input.description,
      publishedAt: input.publishedAt.toISOString(),
    },
    files: input.files.map((f) => ({
      name: f.name,
      length: f.bytes.length,
      crc32: crc32Hex(f.bytes),
      sha256: crypto.createHash('sha256').update(f.bytes).digest('hex'),
    })),
  });
}
