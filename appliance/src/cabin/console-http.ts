/**
 * The crew console's views of the cabin: the plan drawn from the provisioned layout file, and
 * the PA history read back from the audit trail the PA service journals.
 */
import { type CabinPlan, crewConsolePaths, IfecError, type PaHistoryEntry } from '@ifec/protocol';
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { cabinPlanOf } from '../aircraft/cabin-plan.ts';
import { cabinLayout } from '../aircraft/layout.ts';
import { currentAircraft } from '../aircraft/provisioning.ts';
import { requireCrew } from '../http/crew-auth.ts';
import type { Sql } from '../store/store.ts';

/** The last announcements a crew console lists (a long flight has a few dozen). */
export const PA_HISTORY_LIMIT = 50;

export async function paHistory(db: Sql, limit = PA_HISTORY_LIMIT): Promise<PaHistoryEntry[]> {
  const { rows } = await db.query<{
    id: string;
    at: Date;
    actor: string;
    action: string;
    detail: Record<string, unknown>;
  }>(
    `SELECT id, at, actor, action, detail FROM audit WHERE action IN ('pa.start', 'pa.stop') ORDER BY seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    by: r.actor,
    action: r.action === 'pa.start' ? 'start' : 'stop',
    announcementId: typeof r.detail.announcementId === 'string' ? r.detail.announcementId : null,
    text: typeof r.detail.text === 'string' ? r.detail.text : null,
  }));
}

export function crewConsoleRouter(directory: AccessDirectory, db: Sql): Router {
  const router = Router();
  const crew = requireCrew(directory);
  // The plan changes only with a new provisioning: built once per layout, kept.
  let cached: { key: string; plan: CabinPlan } | undefined;

  router.get(crewConsolePaths.cabinPlan, crew, async (_req, res) => {
    const aircraft = await currentAircraft(db);
    if (!aircraft) throw new IfecError('NOT_PROVISIONED', 'this appliance has no aircraft provisioned yet');
    const key = JSON.stringify(aircraft.layout);
    // Layouts provisioned before groups, decks and monuments existed get their defaults here.
    if (cached?.key !== key) cached = { key, plan: cabinPlanOf(cabinLayout.parse(aircraft.layout)) };
    res.json(cached.plan);
  });

  router.get(crewConsolePaths.paHistory, crew, async (_req, res) => {
    res.json({ history: await paHistory(db) });
  });

  return router;
}
