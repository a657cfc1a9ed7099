/**
 * What each crew role sees on the console. The appliance enforces the same rules (requireCrew
 * with roles on each route); the console only hides what a role could not do anyway, and the
 * purser's cabin-wide actions from cabin crew who should not reach for them by mistake.
 */
export type ConsoleAction = 'ackCall' | 'lock' | 'parentalLock' | 'resetSeat' | 'pa' | 'resetFlight' | 'maintenance';

const BY_ROLE: Record<string, readonly ConsoleAction[]> = {
  purser: ['ackCall', 'lock', 'parentalLock', 'resetSeat', 'pa', 'resetFlight', 'maintenance'],
  cabin_crew: ['ackCall', 'lock', 'parentalLock', 'resetSeat', 'pa'],
  // Maintenance works on seat units and content at the gate: no passenger service, no PA.
  maintenance: ['lock', 'resetSeat', 'maintenance'],
};

export function allowed(role: string, action: ConsoleAction): boolean {
  return BY_ROLE[role]?.includes(action) ?? false;
}
