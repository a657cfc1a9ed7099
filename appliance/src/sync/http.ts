/**
 * The crew console's sync API (the maintenance screen): state with the aircraft's public
 * key, history, "sync now", and USB bundles (export for the ground, import from it). Every
 * import and export is logged and audited; the same bundle imported twice answers 200
 * "already imported, nothing to do".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BUNDLE_SUMMARY_HEADER,
  IfecError,
  MAX_BUNDLE_UPLOAD_BYTES,
  maintenancePaths,
  type SyncOverview,
  syncErrorInWords,
} from '@ifec/protocol';
import { BundleRefused } from '@ifec/protocol/node';
import { type Request, Router } from 'express';
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import { describePrincipal } from '../access/principal.ts';
import { crewOf, requireCrew } from '../http/crew-auth.ts';
import type { SyncBundles } from './bundles.ts';
import type { SyncHistory } from './history.ts';
import type { AircraftIdentity } from './identity.ts';
import type { GroundPublications } from './publications.ts';
import { PublicationRefused } from './publications.ts';
import type { SyncService } from './sync-service.ts';

export interface SyncRouterDeps {
  directory: AccessDirectory;
  service: SyncService;
  bundles: SyncBundles;
  publications: GroundPublications;
  history: SyncHistory;
  aircraftId: string;
  identity: Pick<AircraftIdentity, 'publicKeyPem' | 'fingerprint'>;
  log: Logger;
  /** A refused signature is reported to the ground (audit). */
  reportRefusal(code: string, message: string): void;
}

export function syncRouter(deps: SyncRouterDeps): Router {
  const router = Router();
  const crew = requireCrew(deps.directory);
  const bundleCrew = requireCrew(deps.directory, ['purser', 'maintenance']);

  router.get(maintenancePaths.sync, crew, async (_req, res) => {
    const status = await deps.service.status();
    const overview: SyncOverview = {
      status,
      lastErrorInWords: syncErrorInWords(status.lastError),
      linksConfigured: deps.service.hasLinks,
      publications: await deps.publications.list(),
      aircraftId: deps.aircraftId,
      publicKey: deps.identity.publicKeyPem,
      publicKeyFingerprint: deps.identity.fingerprint,
    };
    res.json(overview);
  });

  router.get(maintenancePaths.history, crew, (_req, res) => {
    res.json({ history: deps.history.list() });
  });

  router.post(maintenancePaths.syncNow, bundleCrew, (_req, res) => {
    if (!deps.service.hasLinks)
      throw new IfecError(
        'NO_LINK',
        'no ground link is configured on this aircraft (IFEC_GROUND_URL): use Export to USB',
      );
    deps.service.syncNow();
    res.status(202).json({ requested: true });
  });

  router.post(maintenancePaths.exportBundle, bundleCrew, async (_req, res) => {
    const actor = describePrincipal(crewOf(res));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-uplink-'));
    const file = path.join(dir, 'bundle');
    const exported = await deps.bundles.exportUplink(file, actor);
    const { header } = exported;
    const summary = { ...exported.summary, file: `${deps.aircraftId}.uplink.${header.sequence}.ifecb` };
    deps.log.info({ actor, ...summary }, 'USB uplink bundle exported');
    void deps.history.add({
      kind: 'bundle-export',
      ok: true,
      link: 'usb',
      summary: `bundle ${summary.sequence}: ${summary.records} records, ${summary.bytes} bytes, publications acknowledged through ${summary.publicationsAcknowledged}`,
    });
    res.set('x-ifec-bundle-sequence', String(header.sequence));
    res.set(BUNDLE_SUMMARY_HEADER, JSON.stringify(summary));
    res.set('access-control-expose-headers', `${BUNDLE_SUMMARY_HEADER}, x-ifec-bundle-sequence`);
    res.download(file, summary.file, () => fs.rmSync(dir, { recursive: true, force: true }));
  });

  router.post(maintenancePaths.importBundle, bundleCrew, async (req, res) => {
    const actor = describePrincipal(crewOf(res));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-downlink-'));
    const file = path.join(dir, 'bundle');
    try {
      await receiveBundle(req, file);
      const imported = await deps.bundles.importDownlink(file, actor);
      const words = imported.alreadyImported
        ? `bundle ${imported.sequence}: already imported, nothing to do`
        : `bundle ${imported.sequence}: ${imported.applied} new publications, ${imported.activated.length} activated; acked critical ${imported.acked.critical} bulk ${imported.acked.bulk}`;
      deps.log.info(
        { actor, ...imported, activated: imported.activated.map((p) => p.seq) },
        `USB downlink bundle imported: ${words}`,
      );
      void deps.history.add({ kind: 'bundle-import', ok: true, link: 'usb', summary: words });
      res.json({ imported, message: words });
    } catch (error) {
      const refused =
        error instanceof BundleRefused
          ? error.code.toUpperCase().replaceAll('-', '_')
          : error instanceof PublicationRefused
            ? error.code
            : undefined;
      if (refused) {
        deps.log.warn({ actor, code: refused, err: (error as Error).message }, 'USB downlink bundle refused');
        void deps.history.add({
          kind: 'bundle-import',
          ok: false,
          link: 'usb',
          code: refused,
          summary: `${refused}: ${(error as Error).message}`,
        });
        deps.reportRefusal(refused, (error as Error).message);
      }
      throw error;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  return router;
}

/** Streams the request body to a file (a bundle can be hundreds of MB: never held in memory), within the limit. */
async function receiveBundle(req: Request, file: string): Promise<void> {
  const declared = Number(req.get('content-length') ?? Number.NaN);
  if (declared > MAX_BUNDLE_UPLOAD_BYTES)
    throw new IfecError('BUNDLE_TOO_LARGE', `a bundle is at most ${MAX_BUNDLE_UPLOAD_BYTES} bytes`);
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > MAX_BUNDLE_UPLOAD_BYTES)
        return done(new IfecError('BUNDLE_TOO_LARGE', `a bundle is at most ${MAX_BUNDLE_UPLOAD_BYTES} bytes`));
      done(null, chunk);
    },
  });
  await pipeline(req, limit, fs.createWriteStream(file));
  if (received === 0) throw new IfecError('BUNDLE_MISSING', 'send the bundle file as the request body');
}
