/**
 * USB / gate bundles: the same batches, checkpoints and publications the HTTP path carries,
 * written to one signed file, so mixing a stick and the network never duplicates or loses
 * a record (the receiver dedupes batches on (aircraft, seq) and publications on seq).
 *
 * File layout:
 *   "IFECBNDL"            8 bytes magic
 *   u32 big-endian        header length
 *   header                JSON (BundleHeader), signed: Ed25519 over canonicalJson(header minus signature)
 *   blobs                 raw bytes, back to back, in header.blobs order; each blob's sha256 is in
 *                         the header, so the signature covers them
 *
 * Uplink blobs are wire batches (gzip columnar, see sync.ts); downlink blobs are the files of
 * software and content-load publications, named by their sha256.
 * The receiver refuses: a bad signature, another aircraft, the wrong direction, a sequence
 * not above the last one it imported (an old bundle replayed), an expired bundle, a blob
 * whose bytes do not match its sha256 — each with its reason, before applying anything.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { KeyInput } from './content-load.ts';
import { describeIssues, IfecError } from './errors.ts';
import { aircraftId, publication, signatureBlock, streamCheckpoint } from './sync.ts';
import { signBlock, verifyBlock } from './sync-signing.ts';

export const BUNDLE_MAGIC = Buffer.from('IFECBNDL');
export const BUNDLE_FORMAT = 'ifec-bundle/1';
const MAX_HEADER_BYTES = 256 * 1024 * 1024;

export const bundleBlob = z
  .object({
    role: z.enum(['batch', 'file']),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().nonnegative(),
  })
  .strict();
export type BundleBlob = z.infer<typeof bundleBlob>;

export const bundleHeader = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    direction: z.enum(['uplink', 'downlink']),
    aircraftId,
    /** Only moves up per (aircraft, direction): a bundle at or below the last imported one is a replay. */
    sequence: z.number().int().positive(),
    createdAt: z.string(),
    expiresAt: z.string(),
    /** Downlink: what the ground holds of this aircraft's outbox. Uplink: what the aircraft believes it holds. */
    acked: streamCheckpoint,
    /** Uplink: the highest publication seq the aircraft applied (the ground exports from there next time). */
    downlinkApplied: z.number().int().nonnegative(),
    publications: z.array(publication),
    blobs: z.array(bundleBlob),
    signature: signatureBlock,
  })
  .strict();
export type BundleHeader = z.infer<typeof bundleHeader>;
export type UnsignedBundleHeader = Omit<BundleHeader, 'signature' | 'format' | 'blobs'>;

export type BundleRefusalCode =
  | 'BUNDLE_MALFORMED'
  | 'BUNDLE_SIGNATURE'
  | 'BUNDLE_WRONG_AIRCRAFT'
  | 'BUNDLE_WRONG_DIRECTION'
  | 'BUNDLE_REPLAYED'
  | 'BUNDLE_EXPIRED'
  | 'BUNDLE_BLOB_CHECKSUM';

export class BundleRefused extends IfecError<BundleRefusalCode> {}

export type BlobSource = Buffer | { file: string };

/** Writes a signed bundle to `file`. Blobs are hashed first so the header can be signed. */
export async function writeBundle(
  file: string,
  header: UnsignedBundleHeader,
  blobs: { role: BundleBlob['role']; source: BlobSource }[],
  privateKey: crypto.KeyObject,
): Promise<BundleHeader> {
  const described: BundleBlob[] = [];
  for (const blob of blobs) {
    const bytes = Buffer.isBuffer(blob.source) ? blob.source : undefined;
    const sha256 = bytes
      ? crypto.createHash('sha256').update(bytes).digest('hex')
      : await hashFile((blob.source as { file: string }).file);
    const size = bytes ? bytes.length : fs.statSync((blob.source as { file: string }).file).size;
    described.push({ role: blob.role, sha256, size });
  }
  const signed = signBlock({ format: BUNDLE_FORMAT, ...header, blobs: described }, privateKey) as BundleHeader;
  const headerBytes = Buffer.from(JSON.stringify(signed));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const tmp = `${file}.tmp-${process.pid}`;
  const out = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(out, Buffer.concat([BUNDLE_MAGIC, length, headerBytes]));
    for (const blob of blobs) {
      if (Buffer.isBuffer(blob.source)) fs.writeSync(out, blob.source);
      else {
        const input = fs.openSync(blob.source.file, 'r');
        const chunk = Buffer.alloc(1024 * 1024);
        let n: number;
        while ((n = fs.readSync(input, chunk, 0, chunk.length, null)) > 0) fs.writeSync(out, chunk, 0, n);
        fs.closeSync(input);
      }
    }
    fs.fsyncSync(out); // a stick pulled right after "exported" must hold the whole bundle
  } finally {
    fs.closeSync(out);
  }
  fs.renameSync(tmp, file);
  return signed;
}

export interface OpenedBundle {
  header: BundleHeader;
  /** Reads blob `index` (already checked against its sha256). */
  blob(index: number): Buffer;
  /** Copies blob `index` to a file. */
  copyBlob(index: number, to: string): void;
}

export interface BundleExpectations {
  direction: 'uplink' | 'downlink';
  /** The aircraft this receiver is, or expects the bundle to come from. */
  aircraftId?: string;
  /** Looked up from the header (the ground finds the aircraft's registered key). */
  trustedKey: KeyInput | ((header: BundleHeader) => KeyInput | undefined | Promise<KeyInput | undefined>);
  lastSequence: number | ((header: BundleHeader) => number | Promise<number>);
  now?: Date;
}

/** Opens and verifies a bundle completely (header, signature, every blob) or throws BundleRefused. */
export async function openBundle(file: string, expect: BundleExpectations): Promise<OpenedBundle> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (size < 12 || fs.readSync(fd, head, 0, 12, 0) !== 12 || !head.subarray(0, 8).equals(BUNDLE_MAGIC))
      throw new BundleRefused('BUNDLE_MALFORMED', 'not an IFEC bundle (bad magic)');
    const headerLength = head.readUInt32BE(8);
    if (headerLength > MAX_HEADER_BYTES || 12 + headerLength > size)
      throw new BundleRefused('BUNDLE_MALFORMED', 'bundle header length is out of range (truncated file?)');
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 12);
    let raw: unknown;
    try {
      raw = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      throw new BundleRefused('BUNDLE_MALFORMED', 'bundle header is not JSON');
    }
    const parsed = bundleHeader.safeParse(raw);
    if (!parsed.success) throw new BundleRefused('BUNDLE_MALFORMED', `bundle header: ${describeIssues(parsed.error)}`);
    const header = parsed.data;
    if (header.direction !== expect.direction)
      throw new BundleRefused(
        'BUNDLE_WRONG_DIRECTION',
        `this is a ${header.direction} bundle; a ${expect.direction} bundle was expected`,
      );
    if (expect.aircraftId && header.aircraftId !== expect.aircraftId)
      throw new BundleRefused(
        'BUNDLE_WRONG_AIRCRAFT',
        `bundle is for aircraft ${header.aircraftId}, not ${expect.aircraftId}`,
      );
    const key = typeof expect.trustedKey === 'function' ? await expect.trustedKey(header) : expect.trustedKey;
    if (!key) throw new BundleRefused('BUNDLE_WRONG_AIRCRAFT', `aircraft ${header.aircraftId} is not registered here`);
    if (!verifyBlock(header, key))
      throw new BundleRefused(
        'BUNDLE_SIGNATURE',
        'bundle signature does not verify (tampered, or signed by another key)',
      );
    const now = expect.now ?? new Date();
    if (Date.parse(header.expiresAt) <= now.getTime())
      throw new BundleRefused('BUNDLE_EXPIRED', `bundle expired at ${header.expiresAt}`);
    const last = typeof expect.lastSequence === 'function' ? await expect.lastSequence(header) : expect.lastSequence;
    if (header.sequence <= last)
      throw new BundleRefused(
        'BUNDLE_REPLAYED',
        `bundle ${header.sequence} is not newer than the last one imported (${last}): an old bundle replayed`,
      );
    const offsets: number[] = [];
    let offset = 12 + headerLength;
    for (const blob of header.blobs) {
      offsets.push(offset);
      offset += blob.size;
    }
    if (offset !== size)
      throw new BundleRefused('BUNDLE_MALFORMED', `bundle is ${size} bytes; its header describes ${offset}`);
    header.blobs.forEach((blob, i) => {
      const hash = crypto.createHash('sha256');
      const chunk = Buffer.alloc(1024 * 1024);
      let at = offsets[i]!;
      const end = at + blob.size;
      while (at < end) {
        const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, end - at), at);
        hash.update(chunk.subarray(0, n));
        at += n;
      }
      if (hash.digest('hex') !== blob.sha256)
        throw new BundleRefused(
          'BUNDLE_BLOB_CHECKSUM',
          `blob ${i} (${blob.role}) does not match its sha256: the bundle was altered`,
        );
    });
    const read = (i: number) => {
      const blob = header.blobs[i];
      if (!blob) throw new RangeError(`no blob ${i}`);
      const bytes = Buffer.alloc(blob.size);
      const fd2 = fs.openSync(file, 'r');
      try {
        fs.readSync(fd2, bytes, 0, blob.size, offsets[i]!);
      } finally {
        fs.closeSync(fd2);
      }
      return bytes;
    };
    return {
      header,
      blob: read,
      copyBlob: (i, to) => fs.writeFileSync(to, read(i)),
    };
  } finally {
    fs.closeSync(fd);
  }
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')));
  });
}
