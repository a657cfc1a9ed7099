/**
 * What the ranking needs to know about the flight: route, destination, region, local time and
 * the time left. The time left is the flight domain's ETA (retained flight/position) when it has
 * one; until then the planned duration (the crew's, or the configured default) from take-off,
 * else the scheduled arrival of the ground's flight plan.
 */
import {
  type FlightPhaseState,
  type FlightPosition,
  flightPhaseState,
  flightPosition,
  timeOfDayOf,
} from '@ifec/protocol';
import type { FlightContext } from './rank.ts';

const AIRBORNE = new Set(['takeoff', 'climb', 'cruise', 'descent', 'approach']);

export class FlightClock {
  private position?: FlightPosition;
  private phase?: FlightPhaseState;
  private departedAt?: number;

  constructor(
    private plannedDurationS: number | undefined,
    private readonly fallbackRegion: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A malformed message is ignored: the last good one stays. */
  observePosition(payload: Buffer | string): void {
    const parsed = safeJson(payload, flightPosition);
    if (parsed) this.position = parsed;
  }

  observePhase(payload: Buffer | string): void {
    const parsed = safeJson(payload, flightPhaseState);
    if (!parsed) return;
    if (AIRBORNE.has(parsed.phase) && this.departedAt === undefined) {
      this.departedAt = parsed.phase === 'takeoff' ? Date.parse(parsed.since) : this.now();
    }
    if (!AIRBORNE.has(parsed.phase)) this.departedAt = undefined;
    this.phase = parsed;
  }

  /** The crew's planned flight duration (the flight domain may set it from the console). */
  setPlannedDuration(seconds: number | undefined): void {
    this.plannedDurationS = seconds;
  }

  remainingS(): number | undefined {
    const now = this.now();
    const eta = this.position?.eta ? Date.parse(this.position.eta) : Number.NaN;
    if (Number.isFinite(eta)) return Math.max(0, Math.round((eta - now) / 1000));
    // The ground's flight plan gives a scheduled arrival: better than nothing, worse than the crew's duration from take-off.
    const scheduled = this.phase?.scheduledArrival ? Date.parse(this.phase.scheduledArrival) : Number.NaN;
    if (this.plannedDurationS === undefined)
      return Number.isFinite(scheduled) ? Math.max(0, Math.round((scheduled - now) / 1000)) : undefined;
    const elapsed = this.departedAt === undefined ? 0 : (now - this.departedAt) / 1000;
    return Math.max(0, Math.round(this.plannedDurationS - elapsed));
  }

  context(language: string | undefined): FlightContext {
    const origin = this.phase?.origin;
    const destination = this.phase?.destination;
    const code = (a: typeof origin) => a?.iata ?? a?.icao;
    const route = origin && destination ? `${code(origin)}-${code(destination)}` : undefined;
    const local = this.position?.localTimes.below ?? this.position?.localTimes.origin;
    const hour = local ? Number(local.time.slice(0, 2)) : new Date(this.now()).getUTCHours();
    const context: FlightContext = { timeOfDay: timeOfDayOf(Number.isFinite(hour) ? hour % 24 : 0) };
    if (route) context.route = route;
    const place = destination?.city ?? code(destination ?? undefined);
    if (place) context.destination = place;
    const region = this.position?.region ?? this.fallbackRegion;
    if (region) context.region = region;
    if (language) context.language = language;
    const remaining = this.remainingS();
    if (remaining !== undefined) context.remainingS = remaining;
    return context;
  }
}

function safeJson<T>(
  payload: Buffer | string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(payload.toString()));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
