/**
 * One position fix as every source hands it to the flight state, in SI units. Sources fill
 * what they know; the flight state derives the rest (vertical speed from altitude, for one).
 */
export interface Fix {
  /** When the fix was valid, ms since the epoch (the receive time for live sources, the recorded or simulated time otherwise). */
  at: number;
  lat: number;
  lon: number;
  altitudeM?: number;
  groundSpeedMps?: number;
  trackDeg?: number;
  headingDeg?: number;
  verticalSpeedMps?: number;
  outsideAirTempC?: number;
}

/** Why a source refused some input; each reason is a label of the rejected counter in /metrics. */
export type RejectReason =
  | 'blank'
  | 'checksum'
  | 'crc'
  | 'parity'
  | 'ssm'
  | 'truncated'
  | 'too_long'
  | 'garbage'
  | 'unknown_type'
  | 'talker'
  | 'no_fix'
  | 'invalid'
  | 'rate';

/** What a parser makes of one sentence, frame or word. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; detail?: string };

export const KNOT_MPS = 1852 / 3600;
export const FOOT_M = 0.3048;
export const FPM_MPS = FOOT_M / 60;

export function validFix(fix: Fix): boolean {
  return (
    Number.isFinite(fix.lat) &&
    Number.isFinite(fix.lon) &&
    Math.abs(fix.lat) <= 90 &&
    Math.abs(fix.lon) <= 180 &&
    Number.isFinite(fix.at)
  );
}
