/** Ads over HTTP (paths in protocol/src/ads.ts): a seat asks for its ad, reports a click; crew switch ads off. */
import { parseBody } from '@ifec/http-kit';
import { adClick, adPaths, adRequest, adSwitch } from '@ifec/protocol';
import express, { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { AdDesk } from './ads.ts';
import { callerOf } from './http.ts';

export function adsRouter(deps: {
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  pairedSeat: (deviceId: string) => string | undefined;
  ads: AdDesk;
  placementOf: (adId: string) => Promise<'home-banner' | 'pre-roll' | undefined>;
}): Router {
  const router = Router();
  const crew = requireCrew(deps.directory, ['purser', 'cabin_crew']);

  router.get(adPaths.next, async (req, res) => {
    const caller = await callerOf(deps, req);
    res.json(await deps.ads.next(caller.seatId, parseBody(adRequest, req.query)));
  });

  router.post(adPaths.click, express.json({ limit: '1kb' }), async (req, res) => {
    const caller = await callerOf(deps, req);
    const { adId } = parseBody(adClick, req.body ?? {});
    const placement = await deps.placementOf(adId);
    res.json({ counted: deps.ads.click(caller.seatId, adId, () => placement) });
  });

  router.get(adPaths.crewSwitch, crew, (_req, res) => {
    res.json({ enabled: deps.ads.enabled });
  });

  router.post(adPaths.crewSwitch, crew, express.json({ limit: '1kb' }), async (req, res) => {
    const { enabled } = parseBody(adSwitch, req.body ?? {});
    const crewId = (res.locals.crew as { crewId?: string } | undefined)?.crewId ?? 'crew';
    await deps.ads.setEnabled(enabled, `crew:${crewId}`);
    res.json({ enabled });
  });

  return router;
}
