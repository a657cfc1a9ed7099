/**
 * What a publication must be before it is signed: the typed refusal, and the rules of the
 * kinds that carry more than a payload (a flight plan is one aircraft's valid plan).
 */
import { FLIGHT_PLAN_PUBLICATION, groundFlightPlan, IfecError, type PublicationRequest } from '@ifec/protocol';

export class PublicationError extends IfecError<'FILE_NOT_UPLOADED' | 'FLIGHT_PLAN_INVALID'> {}

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
