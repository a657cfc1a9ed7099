/**
 * Playback-state documents in PGlite: each applied Yjs update is a row; a session's rows are
 * periodically replaced by one merged state (compaction). Writes are batched into one short
 * transaction every few ms so 850 seats writing positions cost a handful of transactions.
 *
 * Why not the journal: a resume point is personal data that must be gone after the flight
 * (a journal is append-only and replayed forever), and it is not money or law. PGlite commits
 * survive kill -9 (FIELD-NOTES); a power cut may lose the last seconds, which the seat and the
 * phone still hold and send back in sync step 2 at their next connect.
 */
import * as Y from 'yjs';
import type { Store } from '../store/store.ts';

interface Pending {
  sessionId: string;
  update: Uint8Array;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class ResumeStore {
  private batch: Pending[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly flushMs = 3,
  ) {}

  /** The session's persisted state as one update, and how many rows it came from. */
  async load(sessionId: string): Promise<{ state?: Uint8Array; rows: number }> {
    const { rows } = await this.store.query<{ update: Uint8Array }>(
      'SELECT update FROM resume_updates WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    if (rows.length === 0) return { rows: 0 };
    return { state: Y.mergeUpdates(rows.map((r) => r.update)), rows: rows.length };
  }

  /** Resolves once the update is committed: only then is the device's QoS 1 publish acknowledged. */
  append(sessionId: string, update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ sessionId, update, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    });
  }

  /**
   * Replaces a session's rows by one. `state` is called inside the write transaction, so every
   * update appended before it is in the document it encodes, and none queued after is deleted.
   */
  compact(sessionId: string, state: () => Uint8Array): Promise<void> {
    return this.store.write(async (tx) => {
      await tx.query('DELETE FROM resume_updates WHERE session_id = $1', [sessionId]);
      await tx.query('INSERT INTO resume_updates (session_id, update) VALUES ($1, $2)', [sessionId, state()]);
    });
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    this.store
      .write(async (tx) => {
        for (const p of batch)
          await tx.query('INSERT INTO resume_updates (session_id, update) VALUES ($1, $2)', [p.sessionId, p.update]);
      })
      .then(
        () => {
          for (const p of batch) p.resolve();
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      );
  }
}
