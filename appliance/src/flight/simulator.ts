/**
 * A simulated flight along the great circle between two airports, with a profile that fits
 * the distance: gate, taxi, take-off roll, climb, cruise at FL350-FL410 (step climbs on long
 * routes), descent, approach, landing roll, taxi in, gate. Pure: `sample(t)` gives the
 * aircraft's state t seconds after off-blocks preparation began; the source runs the clock.
 */
import type { FlightPhase } from '@ifec/protocol';
import { FOOT_M } from './fix.ts';
import { bearingDeg, distanceM, interpolate, type LatLon } from './great-circle.ts';

export interface SimulatedState {
  lat: number;
  lon: number;
  altitudeM: number;
  groundSpeedMps: number;
  verticalSpeedMps: number;
  trackDeg: number;
  outsideAirTempC: number;
  /** The phase the profile is in: what a correct detector should say (tests compare). */
  phase: FlightPhase;
}

interface Segment {
  phase: FlightPhase;
  durationS: number;
  /** Height above the origin's field at the start and end (the destination's after top of descent). */
  altStart: number;
  altEnd: number;
  gsStart: number;
  gsEnd: number;
}

interface PlacedSegment extends Segment {
  startS: number;
  startDistanceM: number;
  distanceM: number;
}

export interface RouteEnd extends LatLon {
  elevationM: number;
}

const GATE_S = 120;
const TAXI_OUT_S = 300;
const TAXI_SPEED = 8;
const ROTATE_SPEED = 80;
const CRUISE_SPEED = 245;
const APPROACH_SPEED = 72;
const APPROACH_FROM_M = 900;
const TAXI_IN_S = 240;

/** International standard atmosphere temperature at an altitude. */
export function isaTemperatureC(altitudeM: number): number {
  return altitudeM < 11_000 ? 15 - 0.0065 * altitudeM : -56.5;
}

export class SimulatedFlight {
  readonly distanceM: number;
  readonly segments: PlacedSegment[];
  readonly durationS: number;
  readonly cruiseLevels: number[];

  constructor(
    readonly origin: RouteEnd,
    readonly destination: RouteEnd,
  ) {
    this.distanceM = distanceM(origin, destination);
    const { segments, levels } = this.plan();
    this.cruiseLevels = levels;
    let t = 0;
    let s = 0;
    this.segments = segments.map((seg) => {
      const d = ((seg.gsStart + seg.gsEnd) / 2) * seg.durationS;
      const placed = { ...seg, startS: t, startDistanceM: s, distanceM: d };
      t += seg.durationS;
      s += d;
      return placed;
    });
    this.durationS = t;
  }

  private plan(): { segments: Segment[]; levels: number[] } {
    const D = this.distanceM;
    const length = (segments: Segment[]) =>
      segments.reduce((sum, seg) => sum + ((seg.gsStart + seg.gsEnd) / 2) * seg.durationS, 0);
    const altitude = (fl: number) => fl * 100 * FOOT_M;
    // Cruise level by distance: short hops stay lower, long hauls climb in steps as fuel burns off.
    let levels = D > 6_000_000 ? [370, 390, 410] : D > 3_000_000 ? [370, 390] : [350];
    const ground: Segment[] = [
      { phase: 'gate', durationS: GATE_S, altStart: 0, altEnd: 0, gsStart: 0, gsEnd: 0 },
      { phase: 'taxi_out', durationS: 15, altStart: 0, altEnd: 0, gsStart: 0, gsEnd: TAXI_SPEED },
      { phase: 'taxi_out', durationS: TAXI_OUT_S - 15, altStart: 0, altEnd: 0, gsStart: TAXI_SPEED, gsEnd: TAXI_SPEED },
      { phase: 'takeoff', durationS: 40, altStart: 0, altEnd: 0, gsStart: TAXI_SPEED, gsEnd: ROTATE_SPEED },
    ];
    const arrival: Segment[] = [
      { phase: 'landed', durationS: 30, altStart: 0, altEnd: 0, gsStart: APPROACH_SPEED - 5, gsEnd: 12 },
      { phase: 'taxi_in', durationS: 10, altStart: 0, altEnd: 0, gsStart: 12, gsEnd: TAXI_SPEED },
      { phase: 'taxi_in', durationS: TAXI_IN_S - 20, altStart: 0, altEnd: 0, gsStart: TAXI_SPEED, gsEnd: TAXI_SPEED },
      { phase: 'taxi_in', durationS: 10, altStart: 0, altEnd: 0, gsStart: TAXI_SPEED, gsEnd: 0 },
    ];
    const steps = (lv: number[]) =>
      lv.slice(1).map((fl, i): Segment => {
        const from = altitude(lv[i]!);
        const to = altitude(fl);
        // A step climb of 2,000 ft at 1,000 ft/min: still cruise for the crew and the detector.
        return {
          phase: 'cruise',
          durationS: (to - from) / 5.08,
          altStart: from,
          altEnd: to,
          gsStart: CRUISE_SPEED,
          gsEnd: CRUISE_SPEED,
        };
      });
    const fixed = (lv: number[]) =>
      length([
        ...ground,
        ...this.climb(altitude(lv[0]!)),
        ...steps(lv),
        ...this.descent(altitude(lv.at(-1)!)),
        ...arrival,
      ]);
    while (levels[0]! > 50 && fixed(levels) > 0.95 * D) levels = [levels[0]! - 50];
    const cruiseS = Math.max(0, D - fixed(levels)) / CRUISE_SPEED;
    const legS = cruiseS / levels.length;
    const stepSegments = steps(levels);
    const cruise: Segment[] = [];
    for (let i = 0; i < levels.length; i++) {
      cruise.push({
        phase: 'cruise',
        durationS: legS,
        altStart: altitude(levels[i]!),
        altEnd: altitude(levels[i]!),
        gsStart: CRUISE_SPEED,
        gsEnd: CRUISE_SPEED,
      });
      if (stepSegments[i]) cruise.push(stepSegments[i]!);
    }
    return {
      levels,
      segments: [
        ...ground,
        ...this.climb(altitude(levels[0]!)),
        ...cruise,
        ...this.descent(altitude(levels.at(-1)!)),
        ...arrival,
      ],
    };
  }

  private climb(top: number): Segment[] {
    // Initial climb to 1,500 ft is still the take-off; then 2,500 ft/min low, tapering higher up.
    const a = Math.min(top, 457);
    const b = Math.min(top, 3000);
    const c = Math.min(top, 8000);
    const segments: Segment[] = [
      { phase: 'takeoff', durationS: a / 12, altStart: 0, altEnd: a, gsStart: ROTATE_SPEED, gsEnd: 95 },
      { phase: 'climb', durationS: (b - a) / 12, altStart: a, altEnd: b, gsStart: 95, gsEnd: 150 },
      { phase: 'climb', durationS: (c - b) / 9, altStart: b, altEnd: c, gsStart: 150, gsEnd: 215 },
      { phase: 'climb', durationS: (top - c) / 6, altStart: c, altEnd: top, gsStart: 215, gsEnd: CRUISE_SPEED },
    ];
    return segments.filter((s) => s.durationS > 0);
  }

  private descent(top: number): Segment[] {
    const segments: Segment[] = [
      {
        phase: 'descent',
        durationS: (top - 3000) / 12,
        altStart: top,
        altEnd: 3000,
        gsStart: CRUISE_SPEED,
        gsEnd: 150,
      },
      {
        phase: 'descent',
        durationS: (3000 - APPROACH_FROM_M) / 8,
        altStart: 3000,
        altEnd: APPROACH_FROM_M,
        gsStart: 150,
        gsEnd: 90,
      },
      {
        phase: 'approach',
        durationS: APPROACH_FROM_M / 3.8,
        altStart: APPROACH_FROM_M,
        altEnd: 0,
        gsStart: 90,
        gsEnd: APPROACH_SPEED,
      },
    ];
    return segments.filter((s) => s.durationS > 0);
  }

  /** The aircraft t seconds into the simulated day; past the end it waits at the destination's gate. */
  sample(tS: number): SimulatedState {
    const t = Math.max(0, tS);
    const seg = this.segments.find((s) => t < s.startS + s.durationS) ?? this.segments.at(-1)!;
    const done = t >= this.durationS;
    const τ = done ? seg.durationS : t - seg.startS;
    const f = seg.durationS > 0 ? τ / seg.durationS : 1;
    const gs = done ? 0 : seg.gsStart + (seg.gsEnd - seg.gsStart) * f;
    const along = Math.min(
      this.distanceM,
      seg.startDistanceM + seg.gsStart * τ + ((seg.gsEnd - seg.gsStart) / (2 * (seg.durationS || 1))) * τ * τ,
    );
    const point = interpolate(this.origin, this.destination, this.distanceM > 0 ? along / this.distanceM : 0);
    const pastTopOfDescent = seg.startDistanceM > this.distanceM / 2;
    const field = pastTopOfDescent ? this.destination.elevationM : this.origin.elevationM;
    const height = seg.altStart + (seg.altEnd - seg.altStart) * f;
    const vs = done || seg.durationS === 0 ? 0 : (seg.altEnd - seg.altStart) / seg.durationS;
    const ahead = interpolate(this.origin, this.destination, Math.min(1, (along + 1000) / (this.distanceM || 1)));
    const behind = interpolate(
      this.origin,
      this.destination,
      Math.max(0, (this.distanceM - 1000) / (this.distanceM || 1)),
    );
    const track = along + 1000 <= this.distanceM ? bearingDeg(point, ahead) : bearingDeg(behind, this.destination);
    const altitudeM = field + height;
    return {
      lat: point.lat,
      lon: point.lon,
      altitudeM,
      groundSpeedMps: gs,
      verticalSpeedMps: vs,
      trackDeg: track,
      outsideAirTempC: isaTemperatureC(altitudeM),
      phase: done ? 'gate' : seg.phase,
    };
  }
}
