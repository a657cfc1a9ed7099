/** The crew's cabin API: seat map, announcements. */

import { parseBody } from '@ifec/http-kit';
import { paCommand, paths } from '@ifec/protocol';
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { describePrincipal } from '../access/principal.ts';
import { crewOf, requireCrew } from '../http/crew-auth.ts';
import { announcementLibrary } from './announcements.ts';
import type { PaService } from './pa.ts';
import type { SeatMap } from './seat-map.ts';

export function cabinRouter(directory: AccessDirectory, pa: PaService, seatMap: SeatMap): Router {
  const router = Router();
  const crew = requireCrew(directory);

  router.get(paths.crew.seats, crew, (_req, res) => {
    const seats = seatMap.entries();
    const count = (state: string) => seats.filter((s) => s.state === state).length;
    res.json({
      seats,
      summary: {
        total: seats.length,
        online: count('online'),
        offline: count('offline'),
        neverSeen: count('never_seen'),
      },
    });
  });

  router.get(paths.crew.announcements, crew, (_req, res) => {
    res.json({ announcements: announcementLibrary });
  });

  router.get(paths.crew.pa, crew, (_req, res) => {
    res.json({ pa: pa.state });
  });

  router.post(paths.crew.pa, requireCrew(directory, ['purser', 'cabin_crew']), async (req, res) => {
    const command = parseBody(paCommand, req.body);
    const state = await pa.apply(describePrincipal(crewOf(res)), command);
    res.status(command.action === 'start' ? 201 : 200).json({ pa: state });
  });

  return router;
}
