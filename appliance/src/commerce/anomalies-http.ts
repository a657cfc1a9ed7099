/** The crew's view of seats flagged by the shop's anomaly rules (the orders panel polls it). */
import { shopAnomalyPaths } from '@ifec/protocol';
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';
import type { AnomalyWatch } from './anomalies.ts';

export function anomalyRouter(deps: { directory: AccessDirectory; anomalies: AnomalyWatch }): Router {
  const router = Router();
  router.get(shopAnomalyPaths.crewAnomalies, requireCrew(deps.directory, ['purser', 'cabin_crew']), (_req, res) => {
    res.json({ flagged: deps.anomalies.current().slice(0, 500) });
  });
  return router;
}
