/**
 * USB bundles on the aircraft: export an uplink bundle (exactly the batches the HTTP path
 * would send from the ground's last known checkpoint) and import a downlink bundle (the
 * ground's acknowledgements, publications and their files). Mixing bundles and HTTP is safe:
 * the ground dedupes on (aircraft, seq), acks only move forward, publications are kept by seq.
 * The same stick plugged in twice is not an attack: the bundle already imported is answered
 * "already imported, nothing to do". Every import and export is audited for the ground.
 */
import type crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  type DownlinkImportSummary,
  OUTBOX_STREAMS,
  type OutboxStream,
  type UplinkExportSummary,
} from '@ifec/protocol';
import { type BundleHeader, BundleRefused, encodeBatch, openBundle, writeBundle } from '@ifec/protocol/node';
import type { AuditEntry } from './audit.ts';
import type { OutboxSource } from './outbox.ts';
import type { ActivatedPublication, GroundPublications } from './publications.ts';
import type { SyncState } from './sync-state.ts';

export const UPLINK_BUNDLE_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface SyncBundlesOptions {
  aircraftId: string;
  privateKey: crypto.KeyObject;
  groundKey: crypto.KeyObject | undefined;
  outbox: OutboxSource;
  state: SyncState;
  publications: GroundPublications;
  batchRecords: number;
  /** Journals an audit record (resolves once durable). */
  audit: (entry: AuditEntry) => Promise<void>;
  /** Something the sync status shows changed (acks, publications, the outbox). */
  changed?: () => void;
}

export class SyncBundles {
  /** One export or import at a time: two would race for the bundle sequence. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: SyncBundlesOptions) {}

  /** `actor` is who asked (`crew:M200`, `maintenance-cli`): it goes into the audit record. */
  exportUplink(file: string, actor = 'appliance'): Promise<{ header: BundleHeader; summary: UplinkExportSummary }> {
    return this.serialise(async () => {
      const { state } = this.o;
      const blobs: { role: 'batch'; source: Buffer }[] = [];
      const ranges = {} as Record<OutboxStream, { after: number; through: number; records: number }>;
      for (const stream of OUTBOX_STREAMS) {
        let cursor = state.current.acked[stream];
        ranges[stream] = { after: cursor, through: cursor, records: 0 };
        let remaining = await this.o.outbox.count(stream, cursor);
        for (;;) {
          const { records, through } = await this.o.outbox.readBatch(stream, cursor, this.o.batchRecords);
          if (records.length === 0) break;
          remaining = Math.max(0, remaining - records.length);
          blobs.push({
            role: 'batch',
            source: encodeBatch({
              aircraftId: this.o.aircraftId,
              stream,
              after: cursor,
              through,
              pending: remaining,
              records,
            }),
          });
          cursor = through;
          ranges[stream].through = through;
          ranges[stream].records += records.length;
        }
      }
      // A clock-based sequence survives a lost sync_state (power cut) and still only moves up.
      const sequence = Math.max(state.current.uplinkBundleSequence + 1, Date.now());
      state.update({ uplinkBundleSequence: sequence });
      await state.save();
      const now = new Date();
      const header = await writeBundle(
        file,
        {
          direction: 'uplink',
          aircraftId: this.o.aircraftId,
          sequence,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + UPLINK_BUNDLE_LIFETIME_MS).toISOString(),
          acked: { ...state.current.acked },
          downlinkApplied: state.current.downlinkApplied,
          publications: [],
        },
        blobs,
        this.o.privateKey,
      );
      const summary: UplinkExportSummary = {
        aircraftId: this.o.aircraftId,
        sequence,
        file: path.basename(file),
        bytes: fs.statSync(file).size,
        records: ranges.critical.records + ranges.bulk.records,
        batches: blobs.length,
        critical: ranges.critical,
        bulk: ranges.bulk,
        publicationsAcknowledged: header.downlinkApplied,
        createdAt: header.createdAt,
        expiresAt: header.expiresAt,
      };
      await this.o.audit({ actor, action: 'sync.bundle-export', detail: { ...summary } });
      return { header, summary };
    });
  }

  /**
   * Verifies everything first (signature, aircraft, direction, replay, expiry, every blob);
   * refuses with BundleRefused. The bundle imported last, imported again, applies nothing
   * and succeeds (`alreadyImported`).
   */
  importDownlink(file: string, actor = 'appliance'): Promise<DownlinkImportSummary> {
    return this.serialise(async () => {
      const { state } = this.o;
      if (!this.o.groundKey)
        throw new BundleRefused(
          'BUNDLE_SIGNATURE',
          'no ground public key is configured (IFEC_GROUND_PUBLIC_KEY): cannot verify a bundle',
        );
      const last = state.current.downlinkBundleSequence;
      let alreadyImported = false;
      const opened = await openBundle(file, {
        direction: 'downlink',
        aircraftId: this.o.aircraftId,
        trustedKey: this.o.groundKey,
        // Called after the signature is verified: the ground's sequence never repeats, so the
        // same sequence (and signature, when known) is this very bundle again.
        lastSequence: (h) => {
          const known = state.current.downlinkBundleSignature;
          alreadyImported = h.sequence === last && last > 0 && (known === undefined || known === h.signature.value);
          return alreadyImported ? last - 1 : last;
        },
      });
      const { header } = opened;
      const bytes = fs.statSync(file).size;
      const base = {
        aircraftId: header.aircraftId,
        sequence: header.sequence,
        bytes,
        publications: header.publications.length,
        files: header.blobs.length,
      };
      if (alreadyImported) {
        const summary: DownlinkImportSummary = {
          ...base,
          alreadyImported: true,
          applied: 0,
          acked: { ...state.current.acked },
          activated: [],
        };
        await this.o.audit({
          actor,
          action: 'sync.bundle-import',
          detail: { sequence: header.sequence, bytes, alreadyImported: true },
        });
        return summary;
      }
      const wanted = new Set(header.publications.flatMap((p) => p.files.map((f) => f.sha256)));
      header.blobs.forEach((blob, i) => {
        if (blob.role === 'file' && wanted.has(blob.sha256) && !this.o.publications.hasFile(blob.sha256))
          this.o.publications.adoptBytes(blob.sha256, opened.blob(i));
      });
      const accepted = header.publications.length
        ? await this.o.publications.accept(header.publications)
        : { highest: 0, added: [] };
      state.advanceAcked(header.acked);
      state.update({
        downlinkBundleSequence: header.sequence,
        downlinkBundleSignature: header.signature.value,
        // The ground's answer arrived (by stick): that is a contact, as a pass over a link is.
        lastContactAt: new Date().toISOString(),
        downlinkApplied: Math.max(state.current.downlinkApplied, accepted.highest),
      });
      await state.save();
      // File-less publications are active on arrival; those with files are activated now that their files are here.
      const byFiles = await this.o.publications.activateReady();
      const activated: ActivatedPublication[] = [...accepted.added.filter((p) => p.state === 'active'), ...byFiles];
      const summary: DownlinkImportSummary = {
        ...base,
        alreadyImported: false,
        applied: accepted.added.length,
        acked: { ...state.current.acked },
        activated: activated.map((p) => ({
          seq: p.seq,
          kind: p.kind,
          name: p.name,
          version: p.version,
          state: p.state,
          ...(p.reason ? { reason: p.reason } : {}),
        })),
      };
      await this.o.audit({
        actor,
        action: 'sync.bundle-import',
        detail: {
          sequence: header.sequence,
          bytes,
          applied: summary.applied,
          activated: summary.activated.map((p) => p.seq),
          acked: summary.acked,
        },
      });
      this.o.changed?.();
      return summary;
    });
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
