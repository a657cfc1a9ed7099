/**
 * The catalogue's replication endpoints (read-only for seats): snapshot, pull, live stream.
 * The catalogue is the same for every seat and not secret, so phones on the cabin Wi-Fi may
 * read it before pairing; everything is answered from memory.
 */

import { describeIssues, IfecError, pullQuery, type ReplicationCheckpoint, replicationPaths } from '@ifec/protocol';
import { type Request, Router } from 'express';
import type { Catalog } from './catalog.ts';
import type { LiveStream } from './live-stream.ts';
import { acceptsEncoding, negotiateEncoding } from './snapshot.ts';

export function catalogRouter(catalog: Catalog, stream: LiveStream): Router {
  const router = Router();

  router.get(replicationPaths.catalogSnapshot, async (req, res) => {
    const file = await catalog.snapshot();
    res.setHeader('etag', file.etag);
    res.setHeader('vary', 'accept-encoding');
    res.setHeader('cache-control', 'no-cache');
    if (req.get('if-none-match') === file.etag) {
      res.status(304).end();
      return;
    }
    const encoding = negotiateEncoding(req.get('accept-encoding'));
    const body = encoding === 'br' ? file.brotli : encoding === 'gzip' ? file.gzip : file.json;
    if (encoding !== 'identity') res.setHeader('content-encoding', encoding);
    res.type('application/json').send(body);
  });

  router.get(replicationPaths.catalogPull, (req, res) => {
    const { since, limit } = parsePull(req);
    const page = catalog.pull(since, limit);
    res.setHeader('vary', 'accept-encoding');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-documents', String(page.documents));
    if (page.gzip && acceptsEncoding(req.get('accept-encoding'), 'gzip')) {
      res.setHeader('content-encoding', 'gzip');
      res.type('application/json').send(page.gzip);
      return;
    }
    res.type('application/json').send(page.json);
  });

  router.get(replicationPaths.catalogStream, (req, res) => {
    stream.attach(req, res, '*', { checkpoint: catalog.checkpoint, loadId: catalog.currentLoadId });
  });

  return router;
}

/** A pull's query string; garbage is a 400 naming the field. */
export function parsePull(req: Request): { since: ReplicationCheckpoint | null; limit: number } {
  const parsed = pullQuery.safeParse(req.query);
  if (!parsed.success) throw new IfecError('INVALID_CHECKPOINT', describeIssues(parsed.error));
  const { updatedAt, id, limit } = parsed.data;
  return { since: updatedAt !== undefined && id !== undefined ? { updatedAt, id } : null, limit };
}
