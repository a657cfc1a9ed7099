/** The flight's HTTP API: anyone reads the flight; crew set its plan. Thin: the domain decides. */

import { parseBody } from '@ifec/http-kit';
import { type FlightPhaseState, flightPlanUpdate, paths } from '@ifec/protocol';
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';

export function flightRouter(deps: {
  directory: AccessDirectory;
  snapshot: () => unknown;
  setPlan: (update: { flightNumber?: string; origin?: string; destination?: string }) => Promise<FlightPhaseState>;
}): Router {
  const router = Router();
  router.get(paths.flight, (_req, res) => {
    res.json(deps.snapshot());
  });
  router.put(paths.crew.flight, requireCrew(deps.directory), async (req, res) => {
    const update = parseBody(flightPlanUpdate, req.body);
    res.json({ flight: await deps.setPlan(update) });
  });
  return router;
}
