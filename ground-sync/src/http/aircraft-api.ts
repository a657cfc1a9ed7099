/**
 * The API aircraft call over a gate link or satcom. Every request is signed with the
 * aircraft's own Ed25519 key (see protocol/src/sync.ts); the raw body is kept for that.
 */

import { parseBody } from '@ifec/http-kit';
import { IfecError, MAX_BATCH_BYTES } from '@ifec/protocol';
import { decodeBatch, parseAircraftAuth, SyncFormatError, verifyAircraftRequest } from '@ifec/protocol/node';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { fileSize, parseRange, readFileRange } from '../downlink/files.ts';
import { downlinkPage } from '../downlink/publications.ts';
import { aircraftIdentity, recordAircraftError, recordContact } from '../fleet/aircraft.ts';
import type { Database } from '../store/database.ts';
import { ackedOf, ingestBatch } from '../uplink/ingest.ts';

interface AircraftCaller {
  aircraftId: string;
  tenantId: string;
}

const downlinkQuery = z
  .object({
    after: z.coerce.number().int().nonnegative().default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export function aircraftRouter(db: Database): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: MAX_BATCH_BYTES });

  const auth = async (req: Request, res: Response, next: NextFunction) => {
    const parsed = parseAircraftAuth(req.get('authorization'));
    if (!parsed)
      throw new IfecError(
        'AIRCRAFT_AUTH_REQUIRED',
        'sign the request: Authorization: IFEC-Aircraft id=..,ts=..,sig=..',
      );
    if (parsed.aircraftId !== req.params.aircraftId)
      throw new IfecError('AIRCRAFT_MISMATCH', `signed as ${parsed.aircraftId}, calling for ${req.params.aircraftId}`);
    const identity = await aircraftIdentity(db, parsed.aircraftId);
    if (!identity) throw new IfecError('AIRCRAFT_NOT_REGISTERED', `aircraft ${parsed.aircraftId} is not registered`);
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const verdict = verifyAircraftRequest(parsed, identity.publicKey, req.method, req.originalUrl, body);
    if (verdict !== 'ok') {
      await recordAircraftError(db, parsed.aircraftId, verdict, `${req.method} ${req.path}: ${verdict}`);
      throw new IfecError(
        verdict,
        verdict === 'REQUEST_STALE'
          ? 'request timestamp is too far from the ground clock'
          : 'request signature does not verify with the registered key',
      );
    }
    res.locals.caller = { aircraftId: parsed.aircraftId, tenantId: identity.tenantId } satisfies AircraftCaller;
    const link = req.get('x-ifec-link');
    const applied = Number(req.get('x-ifec-downlink-applied'));
    await recordContact(
      db,
      parsed.aircraftId,
      link && /^[a-z]{2,12}$/.test(link) ? link : undefined,
      Number.isSafeInteger(applied) ? applied : undefined,
    );
    next();
  };
  const callerOf = (res: Response) => res.locals.caller as AircraftCaller;

  router.get('/v1/ping', (_req, res) => {
    res.json({ ok: true, at: new Date().toISOString() });
  });

  router.get('/v1/aircraft/:aircraftId/checkpoint', auth, async (_req, res) => {
    const { aircraftId } = callerOf(res);
    res.json({ aircraftId, acked: await ackedOf(db, aircraftId) });
  });

  router.post('/v1/aircraft/:aircraftId/batches', raw, auth, async (req, res) => {
    const { aircraftId } = callerOf(res);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0)
      throw new IfecError('BATCH_MISSING', 'send a gzip batch as the body');
    let batch: ReturnType<typeof decodeBatch>;
    try {
      batch = decodeBatch(req.body);
    } catch (error) {
      if (error instanceof SyncFormatError) await recordAircraftError(db, aircraftId, error.code, error.message);
      throw error;
    }
    if (batch.aircraftId !== aircraftId)
      throw new IfecError('AIRCRAFT_MISMATCH', `batch is from ${batch.aircraftId}, signed by ${aircraftId}`);
    const result = await ingestBatch(db, batch);
    res.json({ aircraftId, acked: result.acked, stored: result.stored });
  });

  router.get('/v1/aircraft/:aircraftId/downlink', auth, async (req, res) => {
    const { aircraftId, tenantId } = callerOf(res);
    const q = parseBody(downlinkQuery, req.query);
    res.json(await downlinkPage(db, tenantId, aircraftId, q.after, q.limit));
  });

  router.get('/v1/aircraft/:aircraftId/files/:sha256', auth, async (req, res) => {
    const { tenantId } = callerOf(res);
    const sha256 = parseBody(z.string().regex(/^[0-9a-f]{64}$/), req.params.sha256);
    const size = await fileSize(db, tenantId, sha256);
    if (size === undefined) throw new IfecError('FILE_UNKNOWN', `no file ${sha256}`);
    const range = parseRange(req.get('range'), size);
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    res.status(range ? 206 : 200).set({
      'content-type': 'application/octet-stream',
      'content-length': String(size === 0 ? 0 : end - start + 1),
      'accept-ranges': 'bytes',
    });
    if (range) res.set('content-range', `bytes ${start}-${end}/${size}`);
    if (size === 0) return void res.end();
    for await (const part of readFileRange(db, tenantId, sha256, start, end)) {
      if (!res.write(part)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  return router;
}
