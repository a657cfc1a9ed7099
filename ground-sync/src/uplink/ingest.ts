/**
 * Storing an aircraft's outbox. Each record is kept once per (aircraft, seq) whatever path
 * brought it (HTTP, a bundle, a replay). Per stream, the ground acknowledges the highest seq
 * up to which it holds every batch without a gap: batches arriving ahead of a gap (out of
 * order, or a bundle from later) are remembered as ranges and absorbed once the gap closes.
 */
import type { OutboxStream, StreamCheckpoint, UplinkBatch } from '@ifec/protocol';
import { addViewingCounts } from '../recommendations/viewing-counts.ts';
import type { Database, Queryable } from '../store/database.ts';

export interface IngestResult {
  acked: StreamCheckpoint;
  stored: number;
}

export async function ackedOf(db: Queryable, aircraftId: string): Promise<StreamCheckpoint> {
  const { rows } = await db.query<{ acked_critical: number; acked_bulk: number }>(
    'SELECT acked_critical, acked_bulk FROM aircraft WHERE aircraft_id = $1',
    [aircraftId],
  );
  return { critical: rows[0]?.acked_critical ?? 0, bulk: rows[0]?.acked_bulk ?? 0 };
}

/**
 * Stores a batch (already decoded and checked) and moves the acknowledgement. The backlog an
 * aircraft reports travels with each batch and is true as of that batch's `through`; batches
 * of one aircraft commit in any order (two processes, re-sends), so per stream the ground
 * keeps the figure of the batch reaching furthest, not of the batch that committed last.
 */
export async function ingestBatch(db: Database, batch: UplinkBatch): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    // One writer per aircraft at a time, across every ground process sharing the database.
    const { rows } = await tx.query<{
      acked_critical: number;
      acked_bulk: number;
      pending_critical: number;
      pending_critical_through: number;
      pending_bulk: number;
      pending_bulk_through: number;
    }>(
      `SELECT acked_critical, acked_bulk, pending_critical, pending_critical_through, pending_bulk, pending_bulk_through
       FROM aircraft WHERE aircraft_id = $1 FOR UPDATE`,
      [batch.aircraftId],
    );
    const row = rows[0];
    if (!row) throw new Error(`aircraft ${batch.aircraftId} is not registered`);
    const critical = batch.stream === 'critical';
    let acked = critical ? row.acked_critical : row.acked_bulk;
    // Records at or below the acknowledgement are held already (or pruned by retention after
    // export): a late re-send must not bring them back.
    const stored = await insertRecords(tx, batch, acked);
    // Viewing counts also go to the recommendations' table, in this transaction (before the ack).
    await addViewingCounts(tx, batch, acked);
    if (batch.after > acked) {
      await tx.query(
        'INSERT INTO uplink_ranges (aircraft_id, stream, after_seq, through_seq) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [batch.aircraftId, batch.stream, batch.after, batch.through],
      );
    } else {
      acked = Math.max(acked, batch.through);
      acked = await absorbRanges(tx, batch.aircraftId, batch.stream, acked);
    }
    const backlog = mergeBacklog(
      {
        through: critical ? row.pending_critical_through : row.pending_bulk_through,
        pending: critical ? row.pending_critical : row.pending_bulk,
      },
      { through: batch.through, pending: batch.pending },
    );
    const other = critical ? row.pending_bulk : row.pending_critical;
    const s = critical ? 'critical' : 'bulk';
    await tx.query(
      `UPDATE aircraft SET acked_${s} = $2, pending_${s} = $3, pending_${s}_through = $4, reported_pending = $5 WHERE aircraft_id = $1`,
      [batch.aircraftId, acked, backlog.pending, backlog.through, backlog.pending + other],
    );
    const otherAcked = critical ? row.acked_bulk : row.acked_critical;
    return { acked: critical ? { critical: acked, bulk: otherAcked } : { critical: otherAcked, bulk: acked }, stored };
  });
}

/**
 * The backlog of a stream as of the furthest batch seen. At the same `through` the larger
 * figure wins: the same position counted later can only have grown (records are appended).
 */
export function mergeBacklog(
  held: { through: number; pending: number },
  batch: { through: number; pending: number },
): { through: number; pending: number } {
  if (batch.through > held.through) return batch;
  if (batch.through === held.through) return { through: held.through, pending: Math.max(held.pending, batch.pending) };
  return held;
}

async function insertRecords(tx: Queryable, batch: UplinkBatch, acked: number): Promise<number> {
  const r = batch.records.filter((x) => x.seq > acked);
  if (r.length === 0) return 0;
  // One statement per batch: arrays in, unnest on the server (the same on PGlite and PostgreSQL).
  const { affected } = await tx.query(
    `INSERT INTO uplink_records (aircraft_id, seq, kind, record_id, at, data)
     SELECT $1, s, k, i, a, d::jsonb FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) AS u(s, k, i, a, d)
     ON CONFLICT (aircraft_id, seq) DO NOTHING`,
    [
      batch.aircraftId,
      r.map((x) => x.seq),
      r.map((x) => x.kind),
      r.map((x) => x.id),
      r.map((x) => x.at),
      r.map((x) => JSON.stringify(x.data ?? null)),
    ],
  );
  return affected;
}

async function absorbRanges(tx: Queryable, aircraftId: string, stream: OutboxStream, acked: number): Promise<number> {
  for (;;) {
    const { rows } = await tx.query<{ through_seq: number }>(
      'SELECT max(through_seq) AS through_seq FROM uplink_ranges WHERE aircraft_id = $1 AND stream = $2 AND after_seq <= $3 AND through_seq > $3',
      [aircraftId, stream, acked],
    );
    const next = rows[0]?.through_seq;
    if (next == null) break;
    acked = next;
  }
  await tx.query('DELETE FROM uplink_ranges WHERE aircraft_id = $1 AND stream = $2 AND through_seq <= $3', [
    aircraftId,
    stream,
    acked,
  ]);
  return acked;
}

export interface StoredRecord {
  seq: number;
  kind: string;
  id: string;
  at: string;
  data: unknown;
}

/** An airline's view of one of its aircraft's records (the caller checked the tenant). */
export async function readRecords(
  db: Queryable,
  aircraftId: string,
  afterSeq: number,
  limit: number,
  kind?: string,
): Promise<StoredRecord[]> {
  const { rows } = await db.query<{ seq: number; kind: string; record_id: string; at: Date; data: unknown }>(
    `SELECT seq, kind, record_id, at, data FROM uplink_records WHERE aircraft_id = $1 AND seq > $2 AND ($4::text IS NULL OR kind = $4)
     ORDER BY seq LIMIT $3`,
    [aircraftId, afterSeq, limit, kind ?? null],
  );
  return rows.map((r) => ({
    seq: r.seq,
    kind: r.kind,
    id: r.record_id,
    at: new Date(r.at).toISOString(),
    data: r.data,
  }));
}
