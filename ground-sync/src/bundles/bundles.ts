/**
 * USB / gate bundles on the ground side: export a signed downlink bundle for one aircraft
 * (its acknowledgements, the publications it has not applied, their files) and import an
 * aircraft's signed uplink bundle (the very batches the HTTP path would have carried).
 */
import type crypto from 'node:crypto';
import type { Publication, StreamCheckpoint, UplinkBatch } from '@ifec/protocol';
import {
  type BundleHeader,
  BundleRefused,
  decodeBatch,
  openBundle,
  SyncFormatError,
  writeBundle,
} from '@ifec/protocol/node';
import { fileSize, readFileRange } from '../downlink/files.ts';
import { listPublications } from '../downlink/publications.ts';
import { aircraftIdentity, recordAircraftError, recordContact, requireOwnAircraft } from '../fleet/aircraft.ts';
import type { Database } from '../store/database.ts';
import { ackedOf, ingestBatch } from '../uplink/ingest.ts';

export const BUNDLE_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export async function exportDownlinkBundle(
  db: Database,
  signingKey: crypto.KeyObject,
  aircraftId: string,
  outFile: string,
  options: { tenantId?: string; now?: Date } = {},
): Promise<BundleHeader> {
  const identity = await aircraftIdentity(db, aircraftId);
  if (!identity || (options.tenantId && identity.tenantId !== options.tenantId))
    await requireOwnAircraft(db, options.tenantId ?? '', aircraftId);
  const { rows } = await db.query<{ seq: number; applied: number }>(
    'UPDATE aircraft SET downlink_bundle_seq = downlink_bundle_seq + 1 WHERE aircraft_id = $1 RETURNING downlink_bundle_seq AS seq, downlink_applied AS applied',
    [aircraftId],
  );
  const { seq: sequence, applied } = rows[0]!;
  const publications: Publication[] = [];
  for (let after = applied; ; ) {
    const page = await listPublications(db, identity!.tenantId, aircraftId, after, 500);
    publications.push(...page);
    if (page.length < 500) break;
    after = page.at(-1)!.seq;
  }
  const blobs: { role: 'file'; source: Buffer }[] = [];
  const seen = new Set<string>();
  for (const p of publications) {
    for (const f of p.files) {
      if (seen.has(f.sha256)) continue;
      seen.add(f.sha256);
      const size = (await fileSize(db, identity!.tenantId, f.sha256)) ?? 0;
      const parts: Buffer[] = [];
      if (size > 0)
        for await (const part of readFileRange(db, identity!.tenantId, f.sha256, 0, size - 1)) parts.push(part);
      blobs.push({ role: 'file', source: Buffer.concat(parts) });
    }
  }
  const now = options.now ?? new Date();
  return writeBundle(
    outFile,
    {
      direction: 'downlink',
      aircraftId,
      sequence,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + BUNDLE_LIFETIME_MS).toISOString(),
      acked: await ackedOf(db, aircraftId),
      downlinkApplied: applied,
      publications,
    },
    blobs,
    signingKey,
  );
}

export interface UplinkImport {
  aircraftId: string;
  sequence: number;
  batches: number;
  records: number;
  stored: number;
  acked: StreamCheckpoint;
  /** The last bundle imported, plugged in again: verified, nothing to do (not a refusal). */
  alreadyImported: boolean;
}

/**
 * Verifies the whole bundle, then stores its batches; refuses with BundleRefused and stores nothing.
 * The last bundle imported, brought again (the same stick re-plugged), succeeds with nothing applied;
 * an older one is still refused as a replay.
 */
export async function importUplinkBundle(
  db: Database,
  file: string,
  options: { tenantId?: string; aircraftId?: string; now?: Date } = {},
): Promise<UplinkImport> {
  let opened: Awaited<ReturnType<typeof openBundle>>;
  let alreadyImported = false;
  try {
    opened = await openBundle(file, {
      direction: 'uplink',
      aircraftId: options.aircraftId,
      now: options.now,
      trustedKey: async (h) => {
        const identity = await aircraftIdentity(db, h.aircraftId);
        return identity && (!options.tenantId || identity.tenantId === options.tenantId)
          ? identity.publicKey
          : undefined;
      },
      lastSequence: async (h) => {
        const last =
          (
            await db.query<{ n: number }>('SELECT last_uplink_bundle AS n FROM aircraft WHERE aircraft_id = $1', [
              h.aircraftId,
            ])
          ).rows[0]?.n ?? 0;
        // Still verified in full (signature, checksums) before it is called the same bundle.
        alreadyImported = last > 0 && h.sequence === last;
        return alreadyImported ? last - 1 : last;
      },
    });
  } catch (error) {
    if (error instanceof BundleRefused && options.aircraftId)
      await recordAircraftError(db, options.aircraftId, error.code, `uplink bundle refused: ${error.message}`);
    throw error;
  }
  const { header } = opened;
  const batches: UplinkBatch[] = [];
  for (let i = 0; i < header.blobs.length; i++) {
    if (header.blobs[i]!.role !== 'batch') continue;
    let batch: UplinkBatch;
    try {
      batch = decodeBatch(opened.blob(i));
    } catch (error) {
      if (error instanceof SyncFormatError)
        throw new BundleRefused('BUNDLE_MALFORMED', `batch ${i}: ${error.code}: ${error.message}`);
      throw error;
    }
    if (batch.aircraftId !== header.aircraftId)
      throw new BundleRefused(
        'BUNDLE_WRONG_AIRCRAFT',
        `batch ${i} is from aircraft ${batch.aircraftId}, the bundle from ${header.aircraftId}`,
      );
    batches.push(batch);
  }
  const records = batches.reduce((n, b) => n + b.records.length, 0);
  if (alreadyImported)
    return {
      aircraftId: header.aircraftId,
      sequence: header.sequence,
      batches: batches.length,
      records,
      stored: 0,
      acked: await ackedOf(db, header.aircraftId),
      alreadyImported: true,
    };
  const claimed = await db.query(
    'UPDATE aircraft SET last_uplink_bundle = $2 WHERE aircraft_id = $1 AND last_uplink_bundle < $2',
    [header.aircraftId, header.sequence],
  );
  if (claimed.affected === 0)
    throw new BundleRefused('BUNDLE_REPLAYED', `bundle ${header.sequence} was imported meanwhile`);
  let stored = 0;
  let acked = await ackedOf(db, header.aircraftId);
  for (const batch of batches) {
    const r = await ingestBatch(db, batch);
    stored += r.stored;
    acked = r.acked;
  }
  await recordContact(db, header.aircraftId, 'usb', header.downlinkApplied);
  return {
    aircraftId: header.aircraftId,
    sequence: header.sequence,
    batches: batches.length,
    records,
    stored,
    acked,
    alreadyImported: false,
  };
}
