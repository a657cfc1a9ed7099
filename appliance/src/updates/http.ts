/**
 * The updates routes: the seat unit's agent (assignment, download, reports; seat token) and
 * the maintenance screen (overview, verify, rollouts, maintenance mode; maintenance crew).
 * Thin: every decision is in rollout.ts and verify.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseBody } from '@ifec/http-kit';
import {
  IfecError,
  maintenanceModeRequest,
  rolloutRequest,
  unitReport,
  updateSource,
  updatesPaths,
} from '@ifec/protocol';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import type { AccessDirectory } from '../access/directory.ts';
import { describePrincipal } from '../access/principal.ts';
import { crewOf, requireCrew } from '../http/crew-auth.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { Rollouts } from './rollout.ts';

export interface UpdatesRouterDeps {
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  rollouts: Rollouts;
  targetsDir: string;
  overview(): Promise<unknown>;
  verify(source: z.infer<typeof updateSource>, actor: string): Promise<unknown>;
}

/** Per seat: a unit polls every few seconds; a burst of 20, then 5 a second, is far more than an honest agent needs. */
export const UNIT_RATE = { burst: 20, perSecond: 5 } as const;

/** A token bucket per authenticated seat (the map holds at most one entry per provisioned seat). */
export function seatRateLimit(now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (_req: Request, res: Response, next: NextFunction): void => {
    const seatId = res.locals.seatId as string;
    const t = now();
    const b = buckets.get(seatId) ?? { tokens: UNIT_RATE.burst, at: t };
    b.tokens = Math.min(UNIT_RATE.burst, b.tokens + ((t - b.at) / 1000) * UNIT_RATE.perSecond);
    b.at = t;
    buckets.set(seatId, b);
    if (b.tokens < 1)
      throw new IfecError(
        'UPDATE_TOO_FAST',
        `seat ${seatId}: more than ${UNIT_RATE.perSecond} update requests a second`,
      );
    b.tokens -= 1;
    next();
  };
}

function body<T>(schema: z.ZodType<T>, req: Request): T {
  return parseBody(schema, req.body ?? {});
}

export function updatesRouter(deps: UpdatesRouterDeps): Router {
  const router = Router();
  const seatAuth = deps.seatSessions.requireSeat();
  const limit = seatRateLimit();

  const maintenance = requireCrew(deps.directory, ['maintenance']);

  router.get(updatesPaths.assignment, seatAuth, limit, async (_req, res) => {
    res.json(await deps.rollouts.assignment(res.locals.seatId as string));
  });

  router.get(updatesPaths.bundle, seatAuth, limit, (req, res) => {
    const sha256 = String(req.params.hash);
    if (!/^[0-9a-f]{64}$/.test(sha256) || !deps.rollouts.mayDownload(res.locals.seatId as string, sha256))
      throw new IfecError('UPDATE_NOT_ASSIGNED', 'this load is not assigned to this seat now');
    // express answers Range requests: a unit resumes a cut download.
    res.sendFile(path.join(deps.targetsDir, sha256), { headers: { 'content-type': 'application/octet-stream' } });
  });

  router.post(updatesPaths.report, seatAuth, limit, async (req, res) => {
    res.json(await deps.rollouts.report(res.locals.seatId as string, body(unitReport, req)));
  });

  router.get(updatesPaths.crewOverview, maintenance, async (_req, res) => {
    res.json(await deps.overview());
  });

  router.post(updatesPaths.crewVerify, maintenance, async (req, res) => {
    const source = body(updateSource, req);
    if (source.from === 'folder' && !fs.existsSync(source.dir))
      throw new IfecError('UPDATE_METADATA_MISSING', `${source.dir} does not exist (is the stick mounted?)`);
    res.json(await deps.verify(source, describePrincipal(crewOf(res))));
  });

  router.post(updatesPaths.crewRollouts, maintenance, async (req, res) => {
    const request = body(rolloutRequest, req);
    res.status(201).json(await deps.rollouts.start(request, describePrincipal(crewOf(res))));
  });

  router.post(updatesPaths.crewStopRollout, maintenance, async (_req, res) => {
    await deps.rollouts.stop(describePrincipal(crewOf(res)));
    res.json({ stopped: true });
  });

  router.post(updatesPaths.crewMaintenanceMode, maintenance, async (req, res) => {
    const { on } = body(maintenanceModeRequest, req);
    res.json({ maintenanceMode: await deps.rollouts.setMaintenanceMode(on, describePrincipal(crewOf(res))) });
  });

  return router;
}
