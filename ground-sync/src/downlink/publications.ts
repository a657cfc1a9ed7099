/**
 * Publishing to a fleet or one aircraft: policies, price lists, deny lists, software and
 * content loads. Each publication gets the tenant-wide next seq and is signed with the
 * ground's key once, at publication; aircraft fetch everything after their checkpoint.
 */
import type crypto from 'node:crypto';
import { IfecError, type DownlinkPage, type Publication, type PublicationRequest } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import type { Database, Queryable } from '../store/database.ts';
import { requireOwnAircraft } from '../fleet/aircraft.ts';
import { ackedOf } from '../uplink/ingest.ts';

export class PublicationError extends IfecError<'FILE_NOT_UPLOADED'> {}

export async function publish(db: Database, signingKey: crypto.KeyObject, tenantId: string, request: PublicationRequest): Promise<Publication> {
  if (request.aircraftId) await requireOwnAircraft(db, tenantId, request.aircraftId);
  return db.transaction(async (tx) => {
    for (const file of request.files) {
      const { rows } = await tx.query<{ size: number }>('SELECT size FROM files WHERE tenant_id = $1 AND sha256 = $2', [tenantId, file.sha256]);
      if (rows[0]?.size !== file.size) throw new PublicationError('FILE_NOT_UPLOADED', `file ${file.path} (sha256 ${file.sha256.slice(0, 12)}…, ${file.size} bytes) is not uploaded: PUT /admin/v1/files/${file.sha256} first`);
    }
    const { rows } = await tx.query<{ seq: number; published_at: Date }>(
      'INSERT INTO publications (tenant_id, kind, name, version, aircraft_id) VALUES ($1, $2, $3, $4, $5) RETURNING seq, published_at',
      [tenantId, request.kind, request.name, request.version, request.aircraftId]);
    const signed = signBlock({ ...request, seq: rows[0]!.seq, tenantId, publishedAt: new Date(rows[0]!.published_at).toISOString() }, signingKey) as Publication;
    await tx.query('UPDATE publications SET signed = $2 WHERE seq = $1', [signed.seq, JSON.stringify(signed)]);
    return signed;
  });
}

export async function listPublications(db: Queryable, tenantId: string, aircraftId: string | null, after: number, limit: number): Promise<Publication[]> {
  const { rows } = await db.query<{ signed: Publication }>(
    `SELECT signed FROM publications WHERE tenant_id = $1 AND ($2::text IS NULL OR aircraft_id IS NULL OR aircraft_id = $2)
       AND seq > $3 ORDER BY seq LIMIT $4`,
    [tenantId, aircraftId, after, limit]);
  return rows.map((r) => r.signed);
}

export async function downlinkPage(db: Queryable, tenantId: string, aircraftId: string, after: number, limit: number): Promise<DownlinkPage> {
  const publications = await listPublications(db, tenantId, aircraftId, after, limit);
  const { rows } = await db.query<{ head: number | null }>(
    'SELECT max(seq) AS head FROM publications WHERE tenant_id = $1 AND (aircraft_id IS NULL OR aircraft_id = $2)', [tenantId, aircraftId]);
  return { aircraftId, acked: await ackedOf(db, aircraftId), publications, head: rows[0]?.head ?? 0 };
}
