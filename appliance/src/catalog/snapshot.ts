/**
 * The catalogue snapshot: every live title at one checkpoint, as one JSON file compressed
 * once (gzip for every browser, brotli for clients that ask for it) each time the catalogue
 * changes, which is once per content load. A seat's first sync downloads this one file and
 * then pulls only what changed after its checkpoint.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { ReplicationCheckpoint } from '@ifec/protocol';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export interface CatalogSnapshotFile {
  checkpoint: ReplicationCheckpoint | null;
  loadId: string | null;
  /** Strong validator: the checkpoint names the catalogue's state exactly. */
  etag: string;
  documents: number;
  json: Buffer;
  gzip: Buffer;
  brotli: Buffer;
}

export async function buildSnapshot(input: {
  loadId: string | null;
  checkpoint: ReplicationCheckpoint | null;
  documentsJson: string[];
  now: Date;
}): Promise<CatalogSnapshotFile> {
  const head = JSON.stringify({ loadId: input.loadId, builtAt: input.now.toISOString(), checkpoint: input.checkpoint });
  // The documents are already serialised (CatalogPages holds each one's JSON): splice them in.
  const json = Buffer.from(`${head.slice(0, -1)},"documents":[${input.documentsJson.join(',')}]}`);
  const [gz, br] = await Promise.all([
    gzip(json, { level: 9 }),
    brotli(json, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: json.length },
    }),
  ]);
  const etag = `"catalog-${input.checkpoint ? `${input.checkpoint.updatedAt}-${input.checkpoint.id}` : 'empty'}"`;
  return {
    checkpoint: input.checkpoint,
    loadId: input.loadId,
    etag,
    documents: input.documentsJson.length,
    json,
    gzip: gz,
    brotli: br,
  };
}

/** Picks the best encoding a client accepts (q=0 refuses one). */
export function negotiateEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | 'identity' {
  if (acceptsEncoding(acceptEncoding, 'br')) return 'br';
  if (acceptsEncoding(acceptEncoding, 'gzip')) return 'gzip';
  return 'identity';
}

export function acceptsEncoding(acceptEncoding: string | undefined, name: 'br' | 'gzip'): boolean {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(coding, q ? Number(q.slice(2)) : 1);
  }
  return (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
}
