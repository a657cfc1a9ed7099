/**
 * Whether a session may have a title's key: entitlement, parental lock, geo policy, rights.
 * Pure: the caller passes what it knows (the title, who asks, the seat's lock, the region).
 */
import type { TitleManifest } from '@ifec/protocol';

export type PlaybackDevice = 'seat' | 'phone';

export interface Viewer {
  /** `seat:12A` or `phone:<device id>`: who the session belongs to. */
  subject: string;
  device: PlaybackDevice;
  seatId?: string;
}

export type PlaybackRefusalCode = 'SEATBACK_ONLY' | 'NOT_ENTITLED' | 'PARENTAL_LOCK' | 'REGION_BLOCKED';

export interface PlaybackRefusal {
  code: PlaybackRefusalCode;
  message: string;
}

/**
 * Who has paid for what. The shop will answer `purchased`; until then only included titles
 * play. The hook is one function so the shop can plug in without touching the key server.
 */
export interface Entitlements {
  purchased(viewer: Viewer, titleId: string): boolean;
}

export const noPurchases: Entitlements = { purchased: () => false };

/**
 * The youngest age a rating is meant for, across the systems a manifest may use. Unknown or
 * unrated titles count as adult: a lock must fail closed.
 */
const MIN_AGE: Record<string, Record<string, number>> = {
  MPAA: { G: 0, PG: 8, 'PG-13': 13, R: 17, 'NC-17': 18 },
  TVPG: { 'TV-Y': 0, 'TV-Y7': 7, 'TV-G': 0, 'TV-PG': 10, 'TV-14': 14, 'TV-MA': 17 },
  BBFC: { U: 0, PG: 8, '12': 12, '12A': 12, '15': 15, '18': 18, R18: 18 },
  FSK: { '0': 0, '6': 6, '12': 12, '16': 16, '18': 18 },
  CNC: { TP: 0, U: 0, '10': 10, '12': 12, '16': 16, '18': 18 },
  ACB: { G: 0, PG: 8, M: 15, 'MA15+': 15, 'R18+': 18 },
  CHVRS: { G: 0, PG: 8, '14A': 14, '18A': 18, R: 18 },
  EIRIN: { G: 0, PG12: 12, 'R15+': 15, 'R18+': 18 },
  KMRB: { ALL: 0, '12': 12, '15': 15, '18': 18 },
  CBFC: { U: 0, UA: 12, 'U/A': 12, A: 18 },
  PEGI: { '3': 3, '7': 7, '12': 12, '16': 16, '18': 18 },
};

export function minimumAge(rating: TitleManifest['rating']): number {
  return MIN_AGE[rating.system]?.[rating.value.toUpperCase()] ?? MIN_AGE[rating.system]?.[rating.value] ?? 18;
}

/** Allowed unless the region is blocked or not in the allowed list; an unknown region is allowed. */
export function regionAllows(regions: TitleManifest['regions'], region: string | undefined): boolean {
  if (!region) return true;
  if (regions.blocked.includes(region)) return false;
  return regions.allowed.includes('*') || regions.allowed.includes(region);
}

export interface PlaybackContext {
  viewer: Viewer;
  /** The highest minimum age the seat's parental lock allows; undefined = no lock. */
  parentalMaxAge: number | undefined;
  /** ISO code of the airspace/country under the aircraft, when the geo engine knows it. */
  region: string | undefined;
  entitlements: Entitlements;
}

/** Undefined when the key may be released; otherwise why not. */
export function refusePlayback(title: TitleManifest, ctx: PlaybackContext): PlaybackRefusal | undefined {
  if (title.rights === 'seatback-only' && ctx.viewer.device !== 'seat') {
    return { code: 'SEATBACK_ONLY', message: `${title.id} may only be watched on the seatback screen` };
  }
  if (title.priceTier !== 'included' && !ctx.entitlements.purchased(ctx.viewer, title.id)) {
    return { code: 'NOT_ENTITLED', message: `${title.id} is ${title.priceTier}: buy it first` };
  }
  if (ctx.parentalMaxAge !== undefined && minimumAge(title.rating) > ctx.parentalMaxAge) {
    return {
      code: 'PARENTAL_LOCK',
      message: `${title.id} is rated ${title.rating.system} ${title.rating.value}, above this seat's parental lock`,
    };
  }
  if (!regionAllows(title.regions, ctx.region)) {
    return { code: 'REGION_BLOCKED', message: `${title.id} may not be shown over ${ctx.region}` };
  }
  return undefined;
}
