/**
 * The ground's viewing-count table: every anonymous `viewing.count` record an aircraft sends
 * in its outbox becomes one row (title, cabin class, seconds watched, completed, audio
 * language, route, region, hour, flight), written in the same transaction as the uplink batch
 * that carried it, so a count is in the table exactly when the ground acknowledged it. The
 * model is trained from this table (and the opted-in watch histories), not from an export.
 */
import {
  RECO_LIMITS,
  type RecoTrainingInput,
  type RecoViewingCount,
  recoWatchHistory,
  type UplinkBatch,
  VIEWING_COUNT_KIND,
  type ViewingCountRecord,
  viewingCountRecord,
} from '@ifec/protocol';
import type { Queryable } from '../store/database.ts';

/** The outbox kind of an opted-in session's watch history (sent at reset for next flight). */
export const WATCH_HISTORY_KIND = 'reco.watch.history';

/**
 * Adds the batch's viewing counts that are new (seq above the acknowledgement) to the table.
 * A count that fails the schema stays in uplink_records as it came and is left out of training.
 * Returns how many rows were added and how many counts were refused.
 */
export async function addViewingCounts(
  tx: Queryable,
  batch: UplinkBatch,
  acked: number,
): Promise<{ added: number; refused: number }> {
  const rows: { seq: number; id: string; at: string; count: ViewingCountRecord }[] = [];
  let refused = 0;
  for (const r of batch.records) {
    if (r.kind !== VIEWING_COUNT_KIND || r.seq <= acked) continue;
    const parsed = viewingCountRecord.safeParse(r.data);
    if (parsed.success) rows.push({ seq: r.seq, id: r.id, at: r.at, count: parsed.data });
    else refused++;
  }
  if (rows.length === 0) return { added: 0, refused };
  const c = rows.map((r) => r.count);
  const { affected } = await tx.query(
    `INSERT INTO viewing_counts (aircraft_id, record_id, seq, watched_at, title_id, cabin_class, watched_s, completed,
        audio_language, route, region, hour, flight_id)
     SELECT $1, i, s, a, t, cc, w, d, l, ro, re, h, f
     FROM unnest($2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::integer[], $8::boolean[],
       $9::text[], $10::text[], $11::text[], $12::smallint[], $13::text[]) AS u(i, s, a, t, cc, w, d, l, ro, re, h, f)
     ON CONFLICT DO NOTHING`,
    [
      batch.aircraftId,
      rows.map((r) => r.id),
      rows.map((r) => r.seq),
      rows.map((r) => r.at),
      c.map((x) => x.titleId),
      c.map((x) => x.cabinClass),
      c.map((x) => Math.round(x.watchedS)),
      c.map((x) => x.completed),
      c.map((x) => x.audioLanguage ?? null),
      c.map((x) => x.route ?? null),
      c.map((x) => x.region ?? null),
      c.map((x) => x.hour ?? null),
      c.map((x) => x.flightId ?? null),
    ],
  );
  return { added: affected, refused };
}

export interface TrainingWindow {
  /** Counts watched from here (inclusive)… */
  from?: Date;
  /** …to here (exclusive). */
  until?: Date;
}

/**
 * What the trainer reads for one tenant: its viewing counts from the table and its opted-in
 * watch histories, within the window. `catalogue`: the titles of the next load; without it,
 * every title the counts and histories name.
 */
export async function trainingInputFromStore(
  db: Queryable,
  tenantId: string,
  options: TrainingWindow & { catalogue?: string[] } = {},
): Promise<RecoTrainingInput> {
  const window = [tenantId, options.from ?? null, options.until ?? null];
  const { rows } = await db.query<{
    title_id: string;
    cabin_class: string;
    watched_s: number;
    completed: boolean;
    audio_language: string | null;
    route: string | null;
    region: string | null;
    hour: number | null;
  }>(
    `SELECT v.title_id, v.cabin_class, v.watched_s, v.completed, v.audio_language, v.route, v.region, v.hour
     FROM viewing_counts v JOIN aircraft a USING (aircraft_id)
     WHERE a.tenant_id = $1 AND ($2::timestamptz IS NULL OR v.watched_at >= $2) AND ($3::timestamptz IS NULL OR v.watched_at < $3)
     ORDER BY v.watched_at, v.aircraft_id, v.record_id`,
    window,
  );
  const counts: RecoViewingCount[] = rows.map((r) => ({
    titleId: r.title_id,
    cabinClass: r.cabin_class,
    watchedS: r.watched_s,
    completed: r.completed,
    ...(r.audio_language ? { audioLanguage: r.audio_language } : {}),
    ...(r.route ? { route: r.route } : {}),
    ...(r.region ? { region: r.region } : {}),
    ...(r.hour !== null ? { hour: r.hour } : {}),
  }));
  const h = await db.query<{ data: unknown }>(
    `SELECT u.data FROM uplink_records u JOIN aircraft a USING (aircraft_id)
     WHERE a.tenant_id = $1 AND u.kind = $4 AND ($2::timestamptz IS NULL OR u.at >= $2) AND ($3::timestamptz IS NULL OR u.at < $3)
     ORDER BY u.at, u.aircraft_id, u.seq`,
    [...window, WATCH_HISTORY_KIND],
  );
  const histories = h.rows.flatMap((r) => {
    const parsed = recoWatchHistory.safeParse(r.data);
    return parsed.success ? [parsed.data] : [];
  });
  const catalogue =
    options.catalogue ?? [...new Set([...counts.map((c) => c.titleId), ...histories.flatMap((x) => x.titles)])].sort();
  return { catalogue: catalogue.slice(0, RECO_LIMITS.titles), counts, histories };
}
