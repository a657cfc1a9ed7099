/**
 * The flight plan of an aircraft's next flight, published down the link like a policy: the
 * airline's operations system (or an admin) gives flight number, origin, destination,
 * scheduled times and route; the aircraft applies it (crew can still override aboard).
 * A plan is for one aircraft; each new plan gets the next version of the aircraft's
 * `next-flight` publication, so the newest plan is the one in force.
 */
import type crypto from 'node:crypto';
import { FLIGHT_PLAN_PUBLICATION, type GroundFlightPlan, groundFlightPlan, type Publication } from '@ifec/protocol';
import type { Database, Queryable } from '../store/database.ts';
import { publish } from './publications.ts';

/** The version after the aircraft's latest plan (a plan replaces the one before it). */
async function nextPlanVersion(db: Queryable, tenantId: string, aircraftId: string): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM publications WHERE tenant_id = $1 AND kind = $2 AND name = $3 AND aircraft_id = $4',
    [tenantId, 'flight-plan', FLIGHT_PLAN_PUBLICATION, aircraftId],
  );
  return (rows[0]?.version ?? 0) + 1;
}

/** Publishes the plan of `aircraftId`'s next flight; it reaches the aircraft with its next downlink. */
export async function publishFlightPlan(
  db: Database,
  signingKey: crypto.KeyObject,
  tenantId: string,
  aircraftId: string,
  plan: GroundFlightPlan,
): Promise<Publication> {
  return publish(db, signingKey, tenantId, {
    kind: 'flight-plan',
    name: FLIGHT_PLAN_PUBLICATION,
    version: await nextPlanVersion(db, tenantId, aircraftId),
    aircraftId,
    payload: groundFlightPlan.parse(plan) as unknown as Record<string, unknown>,
    files: [],
  });
}
