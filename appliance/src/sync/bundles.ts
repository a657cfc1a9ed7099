/**
 * USB bundles on the aircraft: export an uplink bundle (exactly the batches the HTTP path
 * would send from the ground's last known checkpoint) and import a downlink bundle (the
 * ground's acknowledgements, publications and their files). Mixing bundles and HTTP is safe:
 * the ground dedupes on (aircraft, seq), acks only move forward, publications are kept by seq.
 */
import type crypto from 'node:crypto';
import { OUTBOX_STREAMS, type StreamCheckpoint } from '@ifec/protocol';
import { BundleRefused, encodeBatch, openBundle, writeBundle, type BundleHeader } from '@ifec/protocol/node';
import type { OutboxSource } from './outbox.ts';
import type { SyncState } from './sync-state.ts';
import type { GroundPublications } from './publications.ts';

export const UPLINK_BUNDLE_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface SyncBundlesOptions {
  aircraftId: string;
  privateKey: crypto.KeyObject;
  groundKey: crypto.KeyObject | undefined;
  outbox: OutboxSource;
  state: SyncState;
  publications: GroundPublications;
  batchRecords: number;
}

export interface DownlinkImport {
  sequence: number;
  publications: number;
  files: number;
  acked: StreamCheckpoint;
  activated: { seq: number; state: string; reason?: string }[];
}

export class SyncBundles {
  /** One export or import at a time: two would race for the bundle sequence. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: SyncBundlesOptions) {}

  exportUplink(file: string): Promise<BundleHeader> {
    return this.serialise(async () => {
      const { state } = this.o;
      const blobs: { role: 'batch'; source: Buffer }[] = [];
      for (const stream of OUTBOX_STREAMS) {
        let cursor = state.current.acked[stream];
        let remaining = await this.o.outbox.count(stream, cursor);
        for (;;) {
          const { records, through } = await this.o.outbox.readBatch(stream, cursor, this.o.batchRecords);
          if (records.length === 0) break;
          remaining = Math.max(0, remaining - records.length);
          blobs.push({ role: 'batch', source: encodeBatch({ aircraftId: this.o.aircraftId, stream, after: cursor, through, pending: remaining, records }) });
          cursor = through;
        }
      }
      // A clock-based sequence survives a lost sync_state (power cut) and still only moves up.
      const sequence = Math.max(state.current.uplinkBundleSequence + 1, Date.now());
      state.update({ uplinkBundleSequence: sequence });
      await state.save();
      const now = new Date();
      return writeBundle(file, {
        direction: 'uplink', aircraftId: this.o.aircraftId, sequence,
        createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + UPLINK_BUNDLE_LIFETIME_MS).toISOString(),
        acked: { ...state.current.acked }, downlinkApplied: state.current.downlinkApplied, publications: [],
      }, blobs, this.o.privateKey);
    });
  }

  /** Verifies everything first (signature, aircraft, direction, replay, expiry, every blob); refuses with BundleRefused. */
  importDownlink(file: string): Promise<DownlinkImport> {
    return this.serialise(async () => {
      const { state } = this.o;
      if (!this.o.groundKey) throw new BundleRefused('BUNDLE_SIGNATURE', 'no ground public key is configured (IFEC_GROUND_PUBLIC_KEY): cannot verify a bundle');
      const opened = await openBundle(file, {
        direction: 'downlink',
        aircraftId: this.o.aircraftId,
        trustedKey: this.o.groundKey,
        lastSequence: state.current.downlinkBundleSequence,
      });
      const { header } = opened;
      const wanted = new Set(header.publications.flatMap((p) => p.files.map((f) => f.sha256)));
      header.blobs.forEach((blob, i) => {
        if (blob.role === 'file' && wanted.has(blob.sha256) && !this.o.publications.hasFile(blob.sha256)) this.o.publications.adoptBytes(blob.sha256, opened.blob(i));
      });
      const applied = header.publications.length ? await this.o.publications.accept(header.publications) : 0;
      state.advanceAcked(header.acked);
      state.update({ downlinkBundleSequence: header.sequence, downlinkApplied: Math.max(state.current.downlinkApplied, applied) });
      await state.save();
      const activated = await this.o.publications.activateReady();
      return { sequence: header.sequence, publications: header.publications.length, files: header.blobs.length, acked: { ...state.current.acked }, activated };
    });
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
