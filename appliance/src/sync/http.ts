/** The crew console's sync API: state, "sync now", and USB bundles (export for the ground, import from it). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { Router } from 'express';
import { IfecError, paths } from '@ifec/protocol';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';
import type { SyncService } from './sync-service.ts';
import type { SyncBundles } from './bundles.ts';
import type { GroundPublications } from './publications.ts';

const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

export function syncRouter(deps: { directory: AccessDirectory; service: SyncService; bundles: SyncBundles; publications: GroundPublications; aircraftId: string; publicKeyPem: string }): Router {
  const router = Router();
  const crew = requireCrew(deps.directory);
  const bundleCrew = requireCrew(deps.directory, ['purser', 'maintenance']);

  router.get(paths.crew.sync, crew, async (_req, res) => {
    res.json({ status: await deps.service.status(), publications: await deps.publications.list(), publicKey: deps.publicKeyPem });
  });

  router.post(paths.crew.syncNow, crew, (_req, res) => {
    deps.service.wake();
    res.status(202).json({ requested: true });
  });

  router.post(paths.crew.bundleExport, bundleCrew, async (_req, res) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-uplink-'));
    const file = path.join(dir, `${deps.aircraftId}.uplink.ifecb`);
    const header = await deps.bundles.exportUplink(file);
    res.set('x-ifec-bundle-sequence', String(header.sequence));
    res.download(file, path.basename(file), () => fs.rmSync(dir, { recursive: true, force: true }));
  });

  router.post(paths.crew.bundleImport, bundleCrew, express.raw({ type: () => true, limit: MAX_BUNDLE_BYTES }), async (req, res) => {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new IfecError('BUNDLE_MISSING', 'send the bundle file as the request body');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-downlink-'));
    try {
      fs.writeFileSync(path.join(dir, 'bundle'), req.body);
      res.json({ imported: await deps.bundles.importDownlink(path.join(dir, 'bundle')) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  return router;
}
