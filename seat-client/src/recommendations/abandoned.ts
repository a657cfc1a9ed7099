/**
 * The "abandoned" signal: a passenger who leaves a title well before its end, having given it
 * a real try, tells the ranking "not this, and less like it". A stop the passenger did not
 * choose (PA, crew lock, the airspace policy: the player is held then) says nothing, nor does
 * a peek of a few seconds, nor leaving near the end (the credits).
 */
import type { RecommendationsApi } from './reco-api.ts';

/** Left before this share of the running time: well before the end (finished counts from 90 %). */
export const ABANDONED_BEFORE_SHARE = 0.6;
/** Watched at least this long (or a tenth of a short title): a try, not a peek. */
export const ABANDON_MIN_WATCHED_S = 120;

export interface LeftPlayback {
  /** Where the passenger left (s). */
  positionS: number;
  /** The title's running time (s); unknown: no signal. */
  durationS: number | undefined;
  /** Seconds actually played this time (the video's played ranges), not where the seek bar is. */
  watchedS: number;
  /** The cabin held playback (PA, crew lock, airspace policy): not the passenger's choice. */
  heldByCabin: boolean;
}

export function isAbandoned(left: LeftPlayback): boolean {
  const d = left.durationS;
  if (left.heldByCabin || d === undefined || !Number.isFinite(d) || d <= 0) return false;
  const tried = left.watchedS >= Math.min(ABANDON_MIN_WATCHED_S, 0.1 * d);
  return tried && left.positionS < ABANDONED_BEFORE_SHARE * d;
}

/** Seconds a media element actually played (sum of its played ranges). */
export function playedSeconds(played: TimeRanges): number {
  let total = 0;
  for (let i = 0; i < played.length; i++) total += played.end(i) - played.start(i);
  return total;
}

/** Sends the signal when the passenger abandoned the title; the appliance keeps it only with consent. */
export function signalIfAbandoned(api: RecommendationsApi, titleId: string, left: LeftPlayback): boolean {
  if (!isAbandoned(left)) return false;
  api.signal({ kind: 'abandoned', titleId }).catch(() => undefined);
  return true;
}
