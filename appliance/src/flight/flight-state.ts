/**
 * The aircraft's state as the cabin sees it: the latest fix, its quality (live, stale, dead
 * reckoning, lost), the phase, distances, ETA, local times and the airspace below. Pure and
 * clock-free: fixes and the current time come in, the protocol's shapes go out.
 */
import type {
  FlightPhase,
  FlightPhaseState,
  FlightPosition,
  PositionQuality,
  PositionSourceKind,
  RoutePoint,
} from '@ifec/protocol';
import { type KnownAirport, publicAirport } from './airports.ts';
import type { Fix } from './fix.ts';
import { destinationPoint, distanceM } from './great-circle.ts';
import { LocalClock, timeZoneAt } from './local-time.ts';
import { type PhaseChange, PhaseDetector } from './phase.ts';

/** A fix older than this is shown stale. */
export const STALE_AFTER_MS = 5_000;
/** From here on the position is extrapolated from the last speed and track… */
export const DEAD_RECKONING_AFTER_MS = 10_000;
/** …until this long after the last fix; then the position is lost. */
export const LOST_AFTER_MS = 10 * 60_000;

const AFTER_TOP_OF_DESCENT: ReadonlySet<FlightPhase> = new Set(['descent', 'approach', 'landed', 'taxi_in']);
const ON_GROUND_LEARNING: ReadonlySet<FlightPhase> = new Set(['gate', 'taxi_out', 'landed', 'taxi_in']);

export interface FlightPlan {
  flightNumber: string | null;
  origin: KnownAirport | null;
  destination: KnownAirport | null;
  /** The ground's flight plan adds these (ISO times, filed route). */
  scheduledDeparture?: string;
  scheduledArrival?: string;
  route?: RoutePoint[];
  from?: 'crew' | 'ground' | 'simulator';
}

export interface FlightStateDeps {
  /** ISO alpha-2 of the airspace at a point, or null over international waters. */
  regionAt: (lat: number, lon: number) => string | null;
  plan?: FlightPlan;
  phase?: { phase: FlightPhase; since: number; previous: FlightPhase | null };
}

interface LastFix {
  fix: Required<Pick<Fix, 'at' | 'lat' | 'lon'>> & Fix;
  source: PositionSourceKind;
  receivedAt: number;
  verticalSpeedMps: number;
  region: string | null;
}

export class FlightState {
  private planValue: FlightPlan;
  private readonly detector: PhaseDetector;
  private previousPhase: FlightPhase | null;
  private last: LastFix | undefined;
  private flownM = 0;
  private groundAltitudeM: number | undefined;
  private readonly clock = new LocalClock();

  constructor(private readonly deps: FlightStateDeps) {
    this.planValue = deps.plan ?? { flightNumber: null, origin: null, destination: null };
    this.detector = new PhaseDetector(deps.phase?.phase ?? 'gate', deps.phase?.since ?? 0);
    this.previousPhase = deps.phase?.previous ?? null;
  }

  get plan(): FlightPlan {
    return this.planValue;
  }

  setPlan(plan: FlightPlan): void {
    this.planValue = plan;
  }

  get phase(): FlightPhase {
    return this.detector.phase;
  }

  /** The airspace of the last fix (or dead-reckoned position), null over international waters or before any fix. */
  get region(): string | null {
    return this.last?.region ?? null;
  }

  get hasFix(): boolean {
    return this.last !== undefined;
  }

  /** Takes a fix from the active source; says whether the phase or the region changed. */
  accept(
    fix: Fix,
    source: PositionSourceKind,
    receivedAt: number,
  ): { phase?: PhaseChange; region?: { from: string | null; to: string | null } } {
    const previous = this.last;
    const dtS = previous ? (fix.at - previous.fix.at) / 1000 : 0;
    let vs = fix.verticalSpeedMps;
    if (vs === undefined) {
      // Derived from altitude, smoothed (time constant 10 s): GNSS altitude jitters by metres.
      const raw =
        previous && dtS > 0 && fix.altitudeM !== undefined && previous.fix.altitudeM !== undefined
          ? (fix.altitudeM - previous.fix.altitudeM) / dtS
          : 0;
      const k = dtS > 0 ? Math.min(1, dtS / 10) : 1;
      vs = previous ? previous.verticalSpeedMps + k * (raw - previous.verticalSpeedMps) : raw;
    }
    const gs = fix.groundSpeedMps ?? (previous && dtS > 0 ? distanceM(previous.fix, fix) / dtS : 0);
    const altitude = fix.altitudeM ?? previous?.fix.altitudeM ?? 0;
    if (previous && this.detector.phase !== 'gate' && dtS > 0) {
      // A source switch can jump a few hundred metres: never count more than the aircraft can fly.
      this.flownM += Math.min(distanceM(previous.fix, fix), 400 * dtS);
    }
    if (ON_GROUND_LEARNING.has(this.detector.phase) && gs < 30) this.groundAltitudeM = altitude;
    const region = this.deps.regionAt(fix.lat, fix.lon);
    this.last = {
      fix: { ...fix, altitudeM: altitude, groundSpeedMps: gs },
      source,
      receivedAt,
      verticalSpeedMps: vs,
      region,
    };
    const change = this.detector.update({
      at: fix.at,
      groundSpeedMps: gs,
      verticalSpeedMps: vs,
      heightM: altitude - this.fieldElevationM(),
    });
    if (change) {
      this.previousPhase = change.previous;
      if (change.previous === 'gate' && change.phase !== 'gate') this.flownM = 0;
    }
    const out: { phase?: PhaseChange; region?: { from: string | null; to: string | null } } = {};
    if (change) out.phase = change;
    if (!previous || previous.region !== region) out.region = { from: previous?.region ?? null, to: region };
    return out;
  }

  private fieldElevationM(): number {
    const { origin, destination } = this.planValue;
    if (AFTER_TOP_OF_DESCENT.has(this.detector.phase) && destination) return destination.elevationM;
    if (!AFTER_TOP_OF_DESCENT.has(this.detector.phase) && origin) return origin.elevationM;
    return this.groundAltitudeM ?? origin?.elevationM ?? 0;
  }

  quality(now: number): PositionQuality {
    if (!this.last) return 'lost';
    const age = now - this.last.receivedAt;
    if (age <= STALE_AFTER_MS) return 'live';
    if (age <= DEAD_RECKONING_AFTER_MS) return 'stale';
    if (age <= LOST_AFTER_MS) return 'dead_reckoning';
    return 'lost';
  }

  /**
   * What flight/position says now; while dead reckoning the position moves on along the
   * last track at the last ground speed, and the region is looked up again.
   */
  position(now: number): FlightPosition | undefined {
    const last = this.last;
    if (!last) return undefined;
    const quality = this.quality(now);
    let { lat, lon } = last.fix;
    let at = last.fix.at;
    let region = last.region;
    const gs = last.fix.groundSpeedMps ?? 0;
    const track = last.fix.trackDeg ?? last.fix.headingDeg ?? 0;
    let flown = this.flownM;
    if (quality === 'dead_reckoning') {
      const elapsedS = (now - last.receivedAt) / 1000;
      const moved = destinationPoint(last.fix, track, gs * elapsedS);
      lat = moved.lat;
      lon = moved.lon;
      at = last.fix.at + elapsedS * 1000;
      region = this.deps.regionAt(lat, lon);
      last.region = region;
      flown += gs * elapsedS;
    }
    const { origin, destination } = this.planValue;
    const toGo = destination ? distanceM({ lat, lon }, destination) : null;
    const eta = toGo !== null && gs > 50 ? new Date(at + (toGo / gs) * 1000).toISOString() : null;
    const belowTz = timeZoneAt(lat, lon);
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
    const position: FlightPosition = {
      at: new Date(at).toISOString(),
      lat: clamp(lat, -90, 90),
      lon: clamp(lon, -180, 180),
      altitudeM: clamp(last.fix.altitudeM ?? 0, -500, 20000),
      groundSpeedMps: clamp(gs, 0, 400),
      trackDeg: clamp(((track % 360) + 360) % 360, 0, 360),
      verticalSpeedMps: quality === 'live' || quality === 'stale' ? clamp(last.verticalSpeedMps, -200, 200) : 0,
      quality,
      source: quality === 'lost' ? null : last.source,
      phase: this.detector.phase,
      region,
      distanceFlownM: Math.max(0, flown),
      distanceToGoM: toGo,
      eta,
      localTimes: {
        origin: origin ? (this.clock.at(origin.tz, at) ?? null) : null,
        destination: destination ? (this.clock.at(destination.tz, at) ?? null) : null,
        below: belowTz ? (this.clock.at(belowTz, at) ?? null) : null,
      },
    };
    if (last.fix.headingDeg !== undefined) position.headingDeg = clamp(last.fix.headingDeg, 0, 360);
    if (last.fix.outsideAirTempC !== undefined) position.outsideAirTempC = clamp(last.fix.outsideAirTempC, -100, 60);
    return position;
  }

  phaseState(): FlightPhaseState {
    const { flightNumber, origin, destination, scheduledDeparture, scheduledArrival, from } = this.planValue;
    return {
      phase: this.detector.phase,
      since: new Date(this.detector.since || Date.now()).toISOString(),
      previous: this.previousPhase,
      flightNumber,
      origin: origin ? publicAirport(origin) : null,
      destination: destination ? publicAirport(destination) : null,
      ...(scheduledDeparture ? { scheduledDeparture } : {}),
      ...(scheduledArrival ? { scheduledArrival } : {}),
      ...(from ? { planFrom: from } : {}),
    };
  }

  /** For the plan file: the phase survives a restart. */
  phaseSnapshot(): { phase: FlightPhase; since: number; previous: FlightPhase | null } {
    return { phase: this.detector.phase, since: this.detector.since, previous: this.previousPhase };
  }
}
