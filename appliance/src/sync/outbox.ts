/**
 * The outbox for the ground: every record the airline needs, numbered by the journal's seq.
 * It is filled inside the same store transaction as the record's own applier, and journal
 * replay runs that applier again, so a power cut restores the outbox with the same numbers.
 * The sync client and the USB bundle both read from here.
 */
import type { Transaction } from '@electric-sql/pglite';
import { type OutboxRecord, type OutboxStream, streamOfKind } from '@ifec/protocol';
import type { DurableRecords, RecordApplier } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';

/** Wraps a kind's applier so its records also go to the ground: `records.register(kind, toGround(apply))`. */
export function toGround(apply: RecordApplier): RecordApplier {
  const applier: RecordApplier = async (tx: Transaction, record: JournalRecord) => {
    await apply(tx, record);
    await tx.query(
      'INSERT INTO outbox (seq, stream, kind, id, at, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING',
      [record.seq, streamOfKind(record.kind), record.kind, record.id, record.at, JSON.stringify(record.data ?? null)],
    );
  };
  // The outbox row is written in the applier's own transaction: a record with one was applied whole.
  applier.appliedIn = 'outbox';
  return applier;
}

/** For kinds that exist only to go to the ground (statistics): nothing to apply locally; many at once in one statement. */
export const groundOnly: RecordApplier = Object.assign(
  toGround(async () => {}),
  {
    applyMany: async (tx: Transaction, records: JournalRecord[]) => {
      await tx.query(
        `INSERT INTO outbox (seq, stream, kind, id, at, data)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
       ON CONFLICT (seq) DO NOTHING`,
        [
          records.map((r) => r.seq),
          records.map((r) => streamOfKind(r.kind)),
          records.map((r) => r.kind),
          records.map((r) => r.id),
          records.map((r) => r.at),
          records.map((r) => JSON.stringify(r.data ?? null)),
        ],
      );
    },
  },
);

/** What the uploader and the bundle writer read; the bench feeds a generated flight through the same shape. */
export interface OutboxSource {
  /**
   * Up to `limit` records of a stream after a seq, in order, and how far they cover: the
   * last record's seq when the page is full, else the settled watermark (every record up to
   * it is in the store, so no later one can appear below it).
   */
  readBatch(stream: OutboxStream, after: number, limit: number): Promise<{ records: OutboxRecord[]; through: number }>;
  count(stream: OutboxStream, after: number): Promise<number>;
}

export class Outbox implements OutboxSource {
  constructor(
    private readonly db: Sql,
    private readonly records: Pick<DurableRecords, 'settledThrough'>,
  ) {}

  settledThrough(): number {
    return this.records.settledThrough;
  }

  async readBatch(
    stream: OutboxStream,
    after: number,
    limit: number,
  ): Promise<{ records: OutboxRecord[]; through: number }> {
    const through = this.settledThrough();
    const { rows } = await this.db.query<{ seq: number | string; kind: string; id: string; at: Date; data: unknown }>(
      'SELECT seq, kind, id, at, data FROM outbox WHERE stream = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4',
      [stream, after, through, limit],
    );
    const records = rows.map((r) => ({
      seq: Number(r.seq),
      kind: r.kind,
      id: r.id,
      at: new Date(r.at).toISOString(),
      data: r.data,
    }));
    return { records, through: records.length === limit ? records.at(-1)!.seq : Math.max(after, through) };
  }

  async count(stream: OutboxStream, after: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE stream = $1 AND seq > $2',
      [stream, after],
    );
    return rows[0]?.n ?? 0;
  }

  async head(): Promise<number> {
    const { rows } = await this.db.query<{ n: number | null }>('SELECT max(seq)::int AS n FROM outbox');
    return rows[0]?.n ?? 0;
  }
}
