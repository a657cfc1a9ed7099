/**
 * Each seat's own replicated state (settings, favourites, its passenger parental lock):
 * held in memory per seat and in PGlite, pulled, pushed and streamed to that seat only.
 * Pushes are taken one at a time (the order they reach the appliance is the order they win
 * in), conflicts are settled here (resolve.ts), and what a push stored is journalled before the
 * seat hears back, like every acknowledged write: a store lost to a power cut is rebuilt with
 * it. The reset for next flight is journalled too, so a replay never brings last flight back.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import {
  checkpointAfter,
  type PullResponse,
  type ReplicationCheckpoint,
  type SeatStateDoc,
  type SeatStatePushRow,
  STREAM_EVENTS,
} from '@ifec/protocol';
import type { Logger } from 'pino';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Store } from '../store/store.ts';

export const SEAT_STATE_STORED = 'seat-state.stored';
export const SEAT_STATE_FORGOTTEN = 'seat-state.forgotten';

interface StoredRecord {
  seatId: string;
  docs: SeatStateDoc[];
}

/** Applier of SEAT_STATE_STORED: the documents a push stored (idempotent: a replay writes the same rows). */
export async function applySeatStateStored(tx: Transaction, record: JournalRecord): Promise<void> {
  const { seatId, docs } = record.data as StoredRecord;
  for (const doc of docs) {
    await tx.query(
      `INSERT INTO seat_state_docs (seat_id, doc_id, updated_at, deleted, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (seat_id, doc_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, deleted = EXCLUDED.deleted, doc = EXCLUDED.doc`,
      [seatId, doc.id, doc.updatedAt, doc._deleted, JSON.stringify(doc)],
    );
  }
}

/** Applier of SEAT_STATE_FORGOTTEN: the reset for next flight wiped every seat's documents. */
export async function applySeatStateForgotten(tx: Transaction): Promise<void> {
  await tx.query('DELETE FROM seat_state_docs');
}

import type { LiveStream } from '../catalog/live-stream.ts';
import type { ReplicationClock } from '../catalog/sequence.ts';
import { resolvePush } from './resolve.ts';

/** One seat's documents in checkpoint order (a seat holds a handful: a scan is enough). */
type SeatDocs = Map<string, SeatStateDoc>;

export class SeatStates {
  private readonly seats = new Map<string, SeatDocs>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      store: Store;
      records: DurableRecords;
      clock: ReplicationClock;
      stream: LiveStream;
      log: Logger;
    },
  ) {}

  async load(): Promise<void> {
    const { rows } = await this.deps.store.query<{ seat_id: string; doc: SeatStateDoc }>(
      'SELECT seat_id, doc FROM seat_state_docs',
    );
    for (const { seat_id, doc } of rows) {
      this.docsOf(seat_id).set(doc.id, doc);
      this.deps.clock.observe(doc.updatedAt ?? 0);
    }
  }

  /** The seat's documents after `since`, in order. */
  pull(seatId: string, since: ReplicationCheckpoint | null, limit: number): PullResponse<SeatStateDoc> {
    const docs = [...(this.seats.get(seatId)?.values() ?? [])]
      .filter((d) => checkpointAfter({ updatedAt: d.updatedAt!, id: d.id }, since))
      .sort((a, b) => a.updatedAt! - b.updatedAt! || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
    const last = docs[docs.length - 1];
    return { documents: docs, checkpoint: last ? { updatedAt: last.updatedAt!, id: last.id } : since };
  }

  get(seatId: string, docId: string): SeatStateDoc | undefined {
    return this.seats.get(seatId)?.get(docId);
  }

  /** Applies a validated push; answers the appliance's state of every row it did not take as sent. */
  push(seatId: string, rows: SeatStatePushRow[]): Promise<SeatStateDoc[]> {
    const run = this.queue.then(() => this.pushNow(seatId, rows));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async pushNow(seatId: string, rows: SeatStatePushRow[]): Promise<SeatStateDoc[]> {
    const held = this.docsOf(seatId);
    const stored: SeatStateDoc[] = [];
    const conflictIds: string[] = [];
    for (const row of rows) {
      const master = held.get(row.newDocumentState.id);
      const resolution = resolvePush(master, row.assumedMasterState, row.newDocumentState);
      if (resolution.conflict) conflictIds.push(row.newDocumentState.id);
      if (!resolution.store) continue;
      stored.push({ ...resolution.store, updatedAt: this.deps.clock.next() } as SeatStateDoc);
    }
    if (stored.length > 0)
      await this.deps.records.write<StoredRecord>(SEAT_STATE_STORED, crypto.randomUUID(), { seatId, docs: stored });
    for (const doc of stored) held.set(doc.id, doc);
    if (stored.length > 0) {
      const last = stored[stored.length - 1]!;
      this.deps.stream.publish(
        STREAM_EVENTS.changes,
        { documents: stored, checkpoint: { updatedAt: last.updatedAt!, id: last.id } },
        seatId,
      );
    }
    if (conflictIds.length)
      this.deps.log.debug({ seatId, conflicts: conflictIds }, 'seat state push settled by the appliance');
    return conflictIds.map((id) => held.get(id)!).filter(Boolean);
  }

  /** Inside the reset-for-next-flight transaction: every seat's settings and favourites go (seats wipe their copies on the new session). */
  async forgetAll(tx: Transaction): Promise<void> {
    await this.deps.records.journalOnly(SEAT_STATE_FORGOTTEN, crypto.randomUUID(), {});
    await applySeatStateForgotten(tx);
    this.seats.clear();
  }

  private docsOf(seatId: string): SeatDocs {
    let docs = this.seats.get(seatId);
    if (!docs) this.seats.set(seatId, (docs = new Map()));
    return docs;
  }
}
