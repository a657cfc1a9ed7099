/**
 * Publishing to a fleet or one aircraft: policies, price lists, deny lists, software and
 * content loads. Aircraft fetch everything after the highest seq they hold, so a seq must
 * only ever become visible in increasing order. A database sequence does not give that (a
 * publish that took 3 and commits after 4 is skipped for ever), so the seq is taken from the
 * tenant's counter row as the transaction's last step: the row lock is held until commit,
 * so the next publisher of the tenant numbers after this one has committed — commit order,
 * on PostgreSQL with any number of processes and on PGlite alike. Signed once, at publication.
 */
import type crypto from 'node:crypto';
import type { DownlinkPage, Publication, PublicationRequest } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import { requireOwnAircraft } from '../fleet/aircraft.ts';
import type { Database, Queryable } from '../store/database.ts';
import { ackedOf } from '../uplink/ingest.ts';
import { checkFlightPlanRequest, PublicationError } from './publication-rules.ts';

export { PublicationError };

/** Takes the tenant's next seq; the counter row stays locked until the caller's transaction ends. */
export const NEXT_PUBLICATION_SEQ_SQL = `INSERT INTO publication_heads (tenant_id, head) VALUES ($1, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET head = publication_heads.head + 1 RETURNING head, now() AS at`;

export async function publish(
  db: Database,
  signingKey: crypto.KeyObject,
  tenantId: string,
  request: PublicationRequest,
): Promise<Publication> {
  checkFlightPlanRequest(request);
  if (request.aircraftId) await requireOwnAircraft(db, tenantId, request.aircraftId);
  return db.transaction(async (tx) => {
    for (const file of request.files) {
      const { rows } = await tx.query<{ size: number }>('SELECT size FROM files WHERE tenant_id = $1 AND sha256 = $2', [
        tenantId,
        file.sha256,
      ]);
      if (rows[0]?.size !== file.size)
        throw new PublicationError(
          'FILE_NOT_UPLOADED',
          `file ${file.path} (sha256 ${file.sha256.slice(0, 12)}…, ${file.size} bytes) is not uploaded: PUT /admin/v1/files/${file.sha256} first`,
        );
    }
    // Everything slow is done: from here to commit the tenant's publishers wait on this row.
    const { rows } = await tx.query<{ head: number; at: Date }>(NEXT_PUBLICATION_SEQ_SQL, [tenantId]);
    const signed = signBlock(
      { ...request, seq: rows[0]!.head, tenantId, publishedAt: new Date(rows[0]!.at).toISOString() },
      signingKey,
    ) as Publication;
    await tx.query(
      'INSERT INTO publications (seq, tenant_id, kind, name, version, aircraft_id, signed, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        signed.seq,
        tenantId,
        request.kind,
        request.name,
        request.version,
        request.aircraftId,
        JSON.stringify(signed),
        signed.publishedAt,
      ],
    );
    return signed;
  });
}

export async function listPublications(
  db: Queryable,
  tenantId: string,
  aircraftId: string | null,
  after: number,
  limit: number,
): Promise<Publication[]> {
  const { rows } = await db.query<{ signed: Publication }>(
    `SELECT signed FROM publications WHERE tenant_id = $1 AND ($2::text IS NULL OR aircraft_id IS NULL OR aircraft_id = $2)
       AND seq > $3 ORDER BY seq LIMIT $4`,
    [tenantId, aircraftId, after, limit],
  );
  return rows.map((r) => r.signed);
}

export async function downlinkPage(
  db: Queryable,
  tenantId: string,
  aircraftId: string,
  after: number,
  limit: number,
): Promise<DownlinkPage> {
  const publications = await listPublications(db, tenantId, aircraftId, after, limit);
  const { rows } = await db.query<{ head: number | null }>(
    'SELECT max(seq) AS head FROM publications WHERE tenant_id = $1 AND (aircraft_id IS NULL OR aircraft_id = $2)',
    [tenantId, aircraftId],
  );
  return { aircraftId, acked: await ackedOf(db, aircraftId), publications, head: rows[0]?.head ?? 0 };
}
