/**
 * The airline's ad report for its partners: the anonymous impression and click counts the
 * aircraft sent (`ad.counts` records), summed per ad, placement, route and region.
 */
import { AD_COUNTS_RECORD, type AdCount } from '@ifec/protocol';
import { z } from 'zod';
import type { Queryable } from '../store/database.ts';

export const adCountsQuery = z
  .object({
    aircraftId: z
      .string()
      .regex(/^[A-Z0-9-]{2,10}$/)
      .optional(),
  })
  .strict();

export async function sumAdCounts(
  db: Queryable,
  tenantId: string,
  filter: z.infer<typeof adCountsQuery>,
): Promise<AdCount[]> {
  const { rows } = await db.query<AdCount>(
    `SELECT c->>'adId' AS "adId", c->>'placement' AS placement, c->>'route' AS route, c->>'region' AS region,
            sum((c->>'impressions')::bigint)::int AS impressions, sum((c->>'clicks')::bigint)::int AS clicks
     FROM uplink_records r JOIN aircraft a USING (aircraft_id), jsonb_array_elements(r.data->'counts') c
     WHERE r.kind = $1 AND a.tenant_id = $2 AND ($3::text IS NULL OR r.aircraft_id = $3)
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 LIMIT 10000`,
    [AD_COUNTS_RECORD, tenantId, filter.aircraftId ?? null],
  );
  return rows;
}
