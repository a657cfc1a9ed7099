/**
 * The appliance's HTTP paths, one table: its routers mount these and every client calls them.
 * A path with `:name` segments is an express route; clients fill it with `fillPath`.
 */
export const REPLICATION_PREFIX = '/api/replication';

export const paths = {
  /** Anyone: the flight now (position, phase, plan, policy, sources). */
  flight: '/api/flight',
  /** RxDB replication of the catalogue and of each seat's own state (replication.ts). */
  replication: {
    catalogSnapshot: `${REPLICATION_PREFIX}/catalog/snapshot`,
    catalogPull: `${REPLICATION_PREFIX}/catalog/pull`,
    catalogStream: `${REPLICATION_PREFIX}/catalog/stream`,
    seatLogin: '/api/seats/login',
    seatStatePull: `${REPLICATION_PREFIX}/seat-state/pull`,
    seatStatePush: `${REPLICATION_PREFIX}/seat-state/push`,
    seatStateStream: `${REPLICATION_PREFIX}/seat-state/stream`,
  },
  /** Resume anywhere: a seat's codes and a phone's claim (resume.ts). */
  pairing: {
    /** Seat (bearer seat token): ask for a code. GET: the phones paired with this seat. DELETE: unpair them all. */
    seatCodes: '/api/pairing/codes',
    seatPhones: '/api/pairing/phones',
    /** Phone: claim a code with its device id and password (from POST /api/phones). DELETE: unpair itself. */
    claim: '/api/pairing/claim',
    phone: '/api/pairing',
    /** Crew (purser or cabin crew): end every passenger session. */
    resetForNextFlight: '/api/crew/flight/reset',
  },
  /** A phone registers once and gets its cabin bus login. */
  phones: '/api/phones',
  /** A signed, short-lived master playlist URL for a title or a live channel. */
  playback: '/api/playback',
  catalog: '/api/catalog',
  /** The caller's recommendation rows (seat or paired phone token), its signals and its consent (recommendations.ts). */
  recommendations: {
    rows: '/api/recommendations',
    signals: '/api/recommendations/signals',
    consent: '/api/recommendations/consent',
  },
  /** The crew console's API (crew bearer token). */
  crew: {
    login: '/api/crew/login',
    /** Purser: clear a crew member's login backoff. */
    clearLogin: '/api/crew/logins/:crewId/clear',
    seats: '/api/crew/seats',
    seatControls: '/api/crew/seat-controls',
    seatCommand: '/api/crew/seats/:seatId/command',
    announcements: '/api/crew/announcements',
    pa: '/api/crew/pa',
    /** Purser or cabin crew: origin, destination, flight number (flightPlanUpdate). */
    flight: '/api/crew/flight',
    sync: '/api/crew/sync',
    syncNow: '/api/crew/sync/now',
    syncHistory: '/api/crew/sync/history',
    bundleExport: '/api/crew/sync/bundles/export',
    bundleImport: '/api/crew/sync/bundles/import',
    contentLoads: '/api/crew/content-loads',
    liveChannels: '/api/crew/live-channels',
  },
  /** The cabin bus described as AsyncAPI (asyncapi.ts). */
  asyncapi: '/asyncapi.json',
} as const;

export const replicationPaths = paths.replication;
export const pairingPaths = paths.pairing;

/** `fillPath('/api/crew/seats/:seatId/command', { seatId: '12A' })` -> `/api/crew/seats/12A/command`. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template} needs :${name}`);
    return encodeURIComponent(value);
  });
}
