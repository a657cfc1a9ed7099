/**
 * The sync checkpoints kept on the aircraft: how far the ground acknowledged, which downlink was
 * applied, the satcom budget used. Journalled (kind `sync.checkpoints`) before a save resolves:
 * a store rebuilt after a power cut comes back at the last position the ground was told, not
 * at the checkpoint copy's (re-sending from there cost satcom bytes and re-opened the budget).
 */

import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import type { StreamCheckpoint } from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Store } from '../store/store.ts';

export const SYNC_CHECKPOINTS = 'sync.checkpoints';

/** Applier: the whole value, as saved (replay in journal order: the last wins). */
export async function applySyncCheckpoints(tx: Transaction, record: JournalRecord): Promise<void> {
  await tx.query(
    `INSERT INTO sync_state (key, value, updated_at) VALUES ('checkpoints', $1, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify(record.data)],
  );
}

export interface SyncCheckpoints {
  acked: StreamCheckpoint;
  downlinkApplied: number;
  satcomBytesUsed: number;
  uplinkBundleSequence: number;
  downlinkBundleSequence: number;
  /** The signature of the last downlink bundle imported: the same one again is "already imported". */
  downlinkBundleSignature?: string;
  lastContactAt: string | null;
}

const INITIAL: SyncCheckpoints = {
  acked: { critical: 0, bulk: 0 },
  downlinkApplied: 0,
  satcomBytesUsed: 0,
  uplinkBundleSequence: 0,
  downlinkBundleSequence: 0,
  lastContactAt: null,
};

export class SyncState {
  private value: SyncCheckpoints = structuredClone(INITIAL);
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    /** Without it (a tool on a stopped appliance's store) a save goes to the store alone. */
    private readonly records?: Pick<DurableRecords, 'write'>,
  ) {}

  async load(): Promise<SyncCheckpoints> {
    const { rows } = await this.store.query<{ value: Partial<SyncCheckpoints> }>(
      "SELECT value FROM sync_state WHERE key = 'checkpoints'",
    );
    this.value = { ...structuredClone(INITIAL), ...(rows[0]?.value ?? {}) };
    return this.current;
  }

  get current(): SyncCheckpoints {
    return this.value;
  }

  /** Acks only move forward, whichever path (HTTP, bundle) brought them. */
  advanceAcked(acked: StreamCheckpoint): boolean {
    const next = {
      critical: Math.max(this.value.acked.critical, acked.critical),
      bulk: Math.max(this.value.acked.bulk, acked.bulk),
    };
    const moved = next.critical !== this.value.acked.critical || next.bulk !== this.value.acked.bulk;
    this.value.acked = next;
    return moved;
  }

  update(change: Partial<SyncCheckpoints>): void {
    Object.assign(this.value, change);
  }

  /** Persists the current value (writes are serialised by the store). */
  save(): Promise<void> {
    const snapshot = JSON.stringify(this.value);
    const records = this.records;
    if (records) {
      const value = JSON.parse(snapshot) as SyncCheckpoints;
      this.saving = this.saving.then(async () => {
        await records.write(SYNC_CHECKPOINTS, crypto.randomUUID(), value);
      });
      return this.saving;
    }
    this.saving = this.saving.then(() =>
      this.store.write(async (tx) => {
        await tx.query(
          `INSERT INTO sync_state (key, value, updated_at) VALUES ('checkpoints', $1, now())
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [snapshot],
        );
      }),
    );
    return this.saving;
  }
}
