/**
 * Retention: what an aircraft sent is kept on the ground until the airline has exported it
 * (it says so per aircraft: "I hold everything through seq N") and it is older than the
 * tenant's policy. Only records the ground has acknowledged are pruned: the aircraft never
 * sends them again, and ingest ignores a late re-send at or below the acknowledgement.
 */
import { CRITICAL_KINDS, IfecError } from '@ifec/protocol';
import { requireOwnAircraft } from '../fleet/aircraft.ts';
import type { Database, Queryable } from '../store/database.ts';

export class RetentionError extends IfecError<'EXPORT_AHEAD_OF_GROUND'> {}

export interface RetentionPolicy {
  /** Records received more than this many days ago may go. */
  keepDays: number;
  /** Only what the airline said it exported (PUT .../exported); false = age alone decides. */
  requireExport: boolean;
}

export async function setRetention(db: Queryable, tenantId: string, policy: RetentionPolicy): Promise<void> {
  await db.query(
    `INSERT INTO tenant_retention (tenant_id, keep_days, require_export) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET keep_days = EXCLUDED.keep_days, require_export = EXCLUDED.require_export, updated_at = now()`,
    [tenantId, policy.keepDays, policy.requireExport],
  );
}

export async function retentionOf(db: Queryable, tenantId: string): Promise<RetentionPolicy | null> {
  const { rows } = await db.query<{ keep_days: number; require_export: boolean }>(
    'SELECT keep_days, require_export FROM tenant_retention WHERE tenant_id = $1',
    [tenantId],
  );
  return rows[0] ? { keepDays: rows[0].keep_days, requireExport: rows[0].require_export } : null;
}

/** The airline holds every record of this aircraft through `through`; the mark only moves forward. */
export async function recordExport(
  db: Queryable,
  tenantId: string,
  aircraftId: string,
  through: number,
): Promise<{ exportedThrough: number }> {
  await requireOwnAircraft(db, tenantId, aircraftId);
  const { rows } = await db.query<{ exported_through: number; held: number }>(
    `UPDATE aircraft SET exported_through = GREATEST(exported_through, $2)
     WHERE aircraft_id = $1 AND $2 <= GREATEST(acked_critical, acked_bulk)
     RETURNING exported_through, GREATEST(acked_critical, acked_bulk) AS held`,
    [aircraftId, through],
  );
  if (!rows[0]) {
    const held = await db.query<{ held: number }>(
      'SELECT GREATEST(acked_critical, acked_bulk) AS held FROM aircraft WHERE aircraft_id = $1',
      [aircraftId],
    );
    throw new RetentionError(
      'EXPORT_AHEAD_OF_GROUND',
      `the ground holds ${aircraftId}'s records through seq ${held.rows[0]?.held ?? 0}, not ${through}`,
    );
  }
  return { exportedThrough: rows[0].exported_through };
}

export interface PruneResult {
  records: number;
  errors: number;
  /** True when another process was pruning: this one left it alone. */
  skipped: boolean;
}

const PRUNE_LOCK = 7261002;

/** Deletes what every tenant's policy allows, in chunks, one process at a time fleet-wide. */
export async function pruneRetained(
  db: Database,
  options: { now?: Date; tenantId?: string; chunk?: number } = {},
): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const chunk = options.chunk ?? 10_000;
  const result: PruneResult = { records: 0, errors: 0, skipped: false };
  const critical = [...CRITICAL_KINDS];
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        PRUNE_LOCK,
      ]);
      if (!rows[0]?.locked) return undefined;
      // Per record: acknowledged in its own stream, exported (if the policy asks), old enough.
      const records = await tx.query(
        `DELETE FROM uplink_records WHERE (aircraft_id, seq) IN (
           SELECT r.aircraft_id, r.seq FROM tenant_retention p
             JOIN aircraft a ON a.tenant_id = p.tenant_id
             JOIN uplink_records r ON r.aircraft_id = a.aircraft_id
               AND r.seq <= CASE WHEN p.require_export THEN LEAST(a.exported_through, GREATEST(a.acked_critical, a.acked_bulk)) ELSE GREATEST(a.acked_critical, a.acked_bulk) END
           WHERE ($1::text IS NULL OR p.tenant_id = $1)
             AND r.seq <= CASE WHEN r.kind = ANY($2::text[]) THEN a.acked_critical ELSE a.acked_bulk END
             AND r.received_at < $3::timestamptz - make_interval(days => p.keep_days)
           LIMIT $4)`,
        [options.tenantId ?? null, critical, now.toISOString(), chunk],
      );
      return records.affected;
    });
    if (step === undefined) return { ...result, skipped: true };
    result.records += step;
    if (step < chunk) break;
  }
  const errors = await db.query(
    `DELETE FROM aircraft_errors e USING aircraft a, tenant_retention p
     WHERE e.aircraft_id = a.aircraft_id AND p.tenant_id = a.tenant_id AND ($1::text IS NULL OR p.tenant_id = $1)
       AND e.at < $2::timestamptz - make_interval(days => p.keep_days)`,
    [options.tenantId ?? null, now.toISOString()],
  );
  result.errors = errors.affected;
  return result;
}
