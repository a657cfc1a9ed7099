/**
 * The sync checkpoints kept on the aircraft. Not journalled on purpose: if a power cut loses
 * them, the aircraft re-sends from an older point and the ground dedupes, or re-fetches
 * publications it applies idempotently. Losing them costs bytes, never records.
 */
import type { StreamCheckpoint } from '@ifec/protocol';
import type { Store } from '../store/store.ts';

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

  constructor(private readonly store: Store) {}

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
