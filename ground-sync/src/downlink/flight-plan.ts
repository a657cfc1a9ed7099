/**
 * The flight plan of an aircraft's next flight, published down the link like a policy: the
 * airline's operations system (or an admin) gives flight number, origin, destination,
 * scheduled times and route; the aircraft applies it (crew can still override aboard).
 * A plan is for one aircraft; each new plan gets the next version of the aircraft's
 * `next-flight` publication, so the newest plan is the one in force.
 */
import type crypto from 'node:crypto';
import {
  FLIGHT_PLAN_PUBLICATION,
  type GroundFlightPlan,
  groundFlightPlan,
  type Publication,
  type PublicationRequest,
} from '@ifec/protocol';
import type { Database, Queryable } from '../store/database.ts';
import { PublicationError, publish } from './publications.ts';

/** Refuses a `flight-plan` publication that is not one aircraft's valid plan (called by publish()). */
export function checkFlightPlanRequest(request: PublicationRequest): void {
  if (request.kind !== 'flight-plan') return;
  if (!request.aircraftId)
    throw new PublicationError('FLIGHT_PLAN_INVALID', 'a flight plan is for one aircraft: aircraftId is required');
  if (request.name !== FLIGHT_PLAN_PUBLICATION)
    throw new PublicationError(
      'FLIGHT_PLAN_INVALID',
      `a flight plan is published as "${FLIGHT_PLAN_PUBLICATION}", not "${request.name}"`,
    );
  if (request.files.length) throw new PublicationError('FLIGHT_PLAN_INVALID', 'a flight plan carries no files');
  const parsed = groundFlightPlan.safeParse(request.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PublicationError(
      'FLIGHT_PLAN_INVALID',
      `flight plan payload is not valid: ${issue?.path.join('.') || '(payload)'}: ${issue?.message}`,
    );
  }
}

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
