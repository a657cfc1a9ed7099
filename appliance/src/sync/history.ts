/**
 * What the maintenance screen lists: recent syncs and USB bundles, newest first. Kept in
 * sync_state (not journalled: it is a convenience; the audit records are what the ground gets).
 * A pass that moved nothing is not an event; identical failures in a row are one entry.
 */
import type { SyncHistoryEntry } from '@ifec/protocol';
import type { Store } from '../store/store.ts';

const KEPT = 100;

export class SyncHistory {
  private entries: SyncHistoryEntry[] = [];
  private saving: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    const { rows } = await this.store.query<{ value: SyncHistoryEntry[] }>(
      "SELECT value FROM sync_state WHERE key = 'history'",
    );
    this.entries = Array.isArray(rows[0]?.value) ? rows[0].value : [];
  }

  list(): SyncHistoryEntry[] {
    return [...this.entries];
  }

  add(entry: Omit<SyncHistoryEntry, 'at'> & { at?: string }): Promise<unknown> {
    const e: SyncHistoryEntry = { at: new Date().toISOString(), ...entry };
    const last = this.entries[0];
    if (last && !e.ok && !last.ok && last.kind === e.kind && last.code === e.code && last.summary === e.summary) {
      last.repeated = (last.repeated ?? 1) + 1;
      last.at = e.at;
    } else {
      this.entries.unshift(e);
      this.entries.length = Math.min(this.entries.length, KEPT);
    }
    const snapshot = JSON.stringify(this.entries);
    this.saving = this.saving
      .then(() =>
        this.store.write((tx) =>
          tx.query(
            `INSERT INTO sync_state (key, value, updated_at) VALUES ('history', $1, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [snapshot],
          ),
        ),
      )
      .catch(() => undefined);
    return this.saving;
  }
}
