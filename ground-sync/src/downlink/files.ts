/**
 * Files of content loads and software, stored in the database in 1 MiB chunks so every
 * stateless ground process can serve any byte range of them (HTTP Range: resumable downloads).
 */
import crypto from 'node:crypto';
import { IfecError } from '@ifec/protocol';
import type { Database, Queryable } from '../store/database.ts';

export const CHUNK_BYTES = 1024 * 1024;

export class FileError extends IfecError<'FILE_CHECKSUM' | 'FILE_UNKNOWN' | 'RANGE_NOT_SATISFIABLE'> {}

export async function putFile(
  db: Database,
  tenantId: string,
  sha256: string,
  bytes: Buffer,
): Promise<{ sha256: string; size: number; created: boolean }> {
  const actual = crypto.createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new FileError('FILE_CHECKSUM', `body has sha256 ${actual}, not ${sha256}`);
  return db.transaction(async (tx) => {
    const { affected } = await tx.query(
      'INSERT INTO files (tenant_id, sha256, size, chunk_size) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [tenantId, sha256, bytes.length, CHUNK_BYTES],
    );
    if (affected === 0) return { sha256, size: bytes.length, created: false };
    for (let idx = 0; idx * CHUNK_BYTES < bytes.length; idx++) {
      await tx.query('INSERT INTO file_chunks (tenant_id, sha256, idx, bytes) VALUES ($1, $2, $3, $4)', [
        tenantId,
        sha256,
        idx,
        bytes.subarray(idx * CHUNK_BYTES, (idx + 1) * CHUNK_BYTES),
      ]);
    }
    return { sha256, size: bytes.length, created: true };
  });
}

export async function fileSize(db: Queryable, tenantId: string, sha256: string): Promise<number | undefined> {
  const { rows } = await db.query<{ size: number }>('SELECT size FROM files WHERE tenant_id = $1 AND sha256 = $2', [
    tenantId,
    sha256,
  ]);
  return rows[0]?.size;
}

/** Yields the bytes [start, end] (inclusive) chunk by chunk. */
export async function* readFileRange(
  db: Queryable,
  tenantId: string,
  sha256: string,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  for (let idx = Math.floor(start / CHUNK_BYTES); idx <= Math.floor(end / CHUNK_BYTES); idx++) {
    const { rows } = await db.query<{ bytes: Uint8Array }>(
      'SELECT bytes FROM file_chunks WHERE tenant_id = $1 AND sha256 = $2 AND idx = $3',
      [tenantId, sha256, idx],
    );
    if (!rows[0]) throw new FileError('FILE_UNKNOWN', `chunk ${idx} of ${sha256} is missing`);
    const chunk = Buffer.from(rows[0].bytes);
    const from = Math.max(0, start - idx * CHUNK_BYTES);
    const to = Math.min(chunk.length, end - idx * CHUNK_BYTES + 1);
    yield chunk.subarray(from, to);
  }
}

/** Parses `bytes=a-b` / `bytes=a-` against a size; undefined = the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m)
    throw new FileError('RANGE_NOT_SATISFIABLE', `unsupported Range ${header}: use bytes=start- or bytes=start-end`);
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || end < start)
    throw new FileError('RANGE_NOT_SATISFIABLE', `range ${header} is outside a file of ${size} bytes`);
  return { start, end };
}
