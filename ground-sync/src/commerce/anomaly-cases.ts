/**
 * The shop's anomaly cases as the ground keeps them: each `shop.anomaly` record an aircraft
 * sent (kept in the uplink records), one per aircraft and case id however often it was
 * re-sent, with the payments of the flagged session's orders for the airline's fraud desk.
 */
import { SHOP_ANOMALY_RECORD, type ShopAnomaly } from '@ifec/protocol';
import { z } from 'zod';
import type { Queryable } from '../store/database.ts';

export const anomalyCasesQuery = z
  .object({
    aircraftId: z
      .string()
      .regex(/^[A-Z0-9-]{2,10}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

export async function listAnomalyCases(
  db: Queryable,
  tenantId: string,
  filter: z.infer<typeof anomalyCasesQuery>,
): Promise<(ShopAnomaly & { receivedAt: string; payments: { orderId: string; state: string }[] })[]> {
  const { rows } = await db.query<{
    data: ShopAnomaly;
    received_at: string;
    payments: { orderId: string; state: string }[];
  }>(
    `SELECT c.data, c.received_at,
            COALESCE((SELECT json_agg(json_build_object('orderId', o.record_id, 'state', COALESCE(p.state, 'pending')) ORDER BY o.seq)
                      FROM uplink_records o LEFT JOIN shop_payments p ON p.order_id = o.record_id
                      WHERE o.aircraft_id = c.aircraft_id AND o.kind = 'order' AND o.data->'order'->>'sessionId' = c.data->>'sessionId'), '[]') AS payments
     FROM (SELECT DISTINCT ON (r.aircraft_id, r.record_id) r.aircraft_id, r.data, r.received_at
           FROM uplink_records r JOIN aircraft a USING (aircraft_id)
           WHERE r.kind = $1 AND a.tenant_id = $2 AND ($3::text IS NULL OR r.aircraft_id = $3)
           ORDER BY r.aircraft_id, r.record_id, r.seq) c
     ORDER BY c.data->>'flaggedAt' DESC LIMIT $4`,
    [SHOP_ANOMALY_RECORD, tenantId, filter.aircraftId ?? null, filter.limit],
  );
  return rows.map((r) => ({ ...r.data, receivedAt: new Date(r.received_at).toISOString(), payments: r.payments }));
}
