/** The airline's admin API. Every route runs as one tenant, taken from its API key. */

import type crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBody } from '@ifec/http-kit';
import { aircraftId as aircraftIdSchema, IfecError, publicationRequest } from '@ifec/protocol';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { exportDownlinkBundle, importUplinkBundle } from '../bundles/bundles.ts';
import { putFile } from '../downlink/files.ts';
import { listPublications, publish } from '../downlink/publications.ts';
import { aircraftStatus, listAircraft, registerAircraft, requireOwnAircraft } from '../fleet/aircraft.ts';
import { pruneRetained, recordExport, retentionOf, setRetention } from '../retention/retention.ts';
import { aircraftSoftwareStatus } from '../software/fleet-status.ts';
import type { Database } from '../store/database.ts';
import { type Tenant, tenantForApiKey } from '../tenants/tenants.ts';
import { readRecords } from '../uplink/ingest.ts';

export const aircraftRegistration = z
  .object({ aircraftId: aircraftIdSchema, publicKey: z.string().min(1).max(4096) })
  .strict();
export const recordsQuery = z
  .object({
    after: z.coerce.number().int().nonnegative().default(0),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    kind: z.string().min(1).max(64).optional(),
  })
  .strict();
export const retentionPolicy = z
  .object({
    keepDays: z.number().int().min(1).max(3650),
    requireExport: z.boolean().default(true),
  })
  .strict();
export const exportMark = z.object({ through: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }).strict();
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

function tenantOf(res: Response): Tenant {
  return res.locals.tenant as Tenant;
}

export function adminRouter(db: Database, signingKey: crypto.KeyObject): Router {
  const router = Router();
  const auth = async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const tenant = header.startsWith('Bearer ') ? await tenantForApiKey(db, header.slice(7)) : undefined;
    if (!tenant) throw new IfecError('API_KEY_REQUIRED', 'send Authorization: Bearer <your airline API key>');
    res.locals.tenant = tenant;
    next();
  };
  const json = express.json({ limit: '32mb' });
  const aircraftParam = (req: Request) => parseBody(aircraftIdSchema, req.params.aircraftId);

  router.get('/admin/v1/aircraft', auth, async (_req, res) => {
    res.json({ aircraft: await listAircraft(db, tenantOf(res).tenantId) });
  });

  router.post('/admin/v1/aircraft', auth, json, async (req, res) => {
    const body = parseBody(aircraftRegistration, req.body);
    await registerAircraft(db, tenantOf(res).tenantId, body.aircraftId, body.publicKey);
    res.status(201).json({ aircraft: await aircraftStatus(db, tenantOf(res).tenantId, body.aircraftId) });
  });

  router.get('/admin/v1/aircraft/:aircraftId', auth, async (req, res) => {
    res.json({ aircraft: await aircraftStatus(db, tenantOf(res).tenantId, aircraftParam(req)) });
  });

  router.get('/admin/v1/aircraft/:aircraftId/records', auth, async (req, res) => {
    const id = aircraftParam(req);
    await requireOwnAircraft(db, tenantOf(res).tenantId, id);
    const q = parseBody(recordsQuery, req.query);
    res.json({ records: await readRecords(db, id, q.after, q.limit, q.kind) });
  });

  // The airline's export pipeline says how far it holds this aircraft's records: retention may prune up to there.
  router.put('/admin/v1/aircraft/:aircraftId/exported', auth, json, async (req, res) => {
    const id = aircraftParam(req);
    const body = parseBody(exportMark, req.body);
    res.json({ aircraftId: id, ...(await recordExport(db, tenantOf(res).tenantId, id, body.through)) });
  });

  router.get('/admin/v1/retention', auth, async (_req, res) => {
    res.json({ retention: await retentionOf(db, tenantOf(res).tenantId) });
  });

  router.put('/admin/v1/retention', auth, json, async (req, res) => {
    const body = parseBody(retentionPolicy, req.body);
    await setRetention(db, tenantOf(res).tenantId, body);
    res.json({ retention: body });
  });

  router.post('/admin/v1/retention/prune', auth, async (_req, res) => {
    res.json({ pruned: await pruneRetained(db, { tenantId: tenantOf(res).tenantId }) });
  });

  router.post('/admin/v1/aircraft/:aircraftId/bundles', auth, async (req, res) => {
    const id = aircraftParam(req);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-bundle-')), `${id}.downlink.ifecb`);
    const header = await exportDownlinkBundle(db, signingKey, id, file, { tenantId: tenantOf(res).tenantId });
    res.set('x-ifec-bundle-sequence', String(header.sequence));
    res.download(file, path.basename(file), () => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  });

  router.post(
    '/admin/v1/bundles/import',
    auth,
    express.raw({ type: () => true, limit: MAX_BUNDLE_BYTES }),
    async (req, res) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        throw new IfecError('BUNDLE_MISSING', 'send the bundle file as the request body');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-import-'));
      try {
        fs.writeFileSync(path.join(dir, 'bundle'), req.body);
        res.json({
          imported: await importUplinkBundle(db, path.join(dir, 'bundle'), { tenantId: tenantOf(res).tenantId }),
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  router.get('/admin/v1/aircraft/:aircraftId/software', auth, async (req, res) => {
    const id = aircraftParam(req);
    await requireOwnAircraft(db, tenantOf(res).tenantId, id);
    res.json({ software: await aircraftSoftwareStatus(db, tenantOf(res).tenantId, id) });
  });

  router.get('/admin/v1/publications', auth, async (req, res) => {
    const after = parseBody(z.coerce.number().int().nonnegative().default(0), req.query.after);
    res.json({ publications: await listPublications(db, tenantOf(res).tenantId, null, after, 500) });
  });

  router.post('/admin/v1/publications', auth, json, async (req, res) => {
    const body = parseBody(publicationRequest, req.body);
    res.status(201).json({ publication: await publish(db, signingKey, tenantOf(res).tenantId, body) });
  });

  router.put(
    '/admin/v1/files/:sha256',
    auth,
    express.raw({ type: () => true, limit: MAX_FILE_BYTES }),
    async (req, res) => {
      const sha256 = parseBody(z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex'), req.params.sha256);
      if (!Buffer.isBuffer(req.body)) throw new IfecError('FILE_MISSING', 'send the file as the request body');
      const r = await putFile(db, tenantOf(res).tenantId, sha256, req.body);
      res.status(r.created ? 201 : 200).json({ file: r });
    },
  );

  return router;
}
