/** The flight's HTTP API: anyone reads the flight; crew set its plan. Thin: the domain decides. */

import { type FlightPhaseState, flightPlanUpdate } from '@ifec/protocol';
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';
import { HttpError, parseBody } from '../http/errors.ts';

export function flightRouter(deps: {
  directory: AccessDirectory;
  snapshot: () => unknown;
  setPlan: (update: { flightNumber?: string; origin?: string; destination?: string }) => Promise<FlightPhaseState>;
}): Router {
  const router = Router();
  router.get('/api/flight', (_req, res) => {
    res.json(deps.snapshot());
  });
  router.put('/api/crew/flight', requireCrew(deps.directory), async (req, res) => {
    const update = parseBody(flightPlanUpdate, req);
    try {
      res.json({ flight: await deps.setPlan(update) });
    } catch (error) {
      const e = error as { code?: string; message: string };
      if (e.code === 'UNKNOWN_AIRPORT') throw new HttpError(400, 'UNKNOWN_AIRPORT', e.message);
      throw error;
    }
  });
  return router;
}
