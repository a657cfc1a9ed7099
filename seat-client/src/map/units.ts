/**
 * The flight-info panel's numbers in the passenger's language and unit system. The position
 * comes in SI units (protocol/src/flight.ts); this turns it into "10,668 m" or "35,000 ft",
 * "−54 °C" or "−65 °F", "2 h 05 min", and local times from an offset.
 */
import { MAP_UNITS_KEY } from './map-preferences.ts';

export type UnitSystem = 'metric' | 'imperial';

/** Where people read miles and °F: the United States, Liberia, Myanmar (by the device's region). */
const IMPERIAL_REGIONS = new Set(['US', 'LR', 'MM']);

/** The passenger's choice if they made one on the map, else what the device's region reads. */
export function unitSystemFor(storage: Pick<Storage, 'getItem'>, deviceLanguage: string): UnitSystem {
  const saved = storage.getItem(MAP_UNITS_KEY);
  if (saved === 'metric' || saved === 'imperial') return saved;
  const region = deviceLanguage.split(/[-_]/)[1]?.toUpperCase();
  return region && IMPERIAL_REGIONS.has(region) ? 'imperial' : 'metric';
}

export function saveUnitSystem(storage: Pick<Storage, 'setItem'>, system: UnitSystem): void {
  storage.setItem(MAP_UNITS_KEY, system);
}

const FT_PER_M = 3.280839895;
const M_PER_MI = 1609.344;

function unit(lang: string, u: string, value: number, digits = 0): string {
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: u,
    unitDisplay: 'short',
    maximumFractionDigits: digits,
  }).format(value);
}

export function formatDistance(m: number, system: UnitSystem, lang: string): string {
  return system === 'imperial'
    ? unit(lang, 'mile', Math.round(m / M_PER_MI))
    : unit(lang, 'kilometer', Math.round(m / 1000));
}

export function formatSpeed(mps: number, system: UnitSystem, lang: string): string {
  return system === 'imperial'
    ? unit(lang, 'mile-per-hour', Math.round((mps * 3600) / M_PER_MI))
    : unit(lang, 'kilometer-per-hour', Math.round(mps * 3.6));
}

/** Altitude to the nearest 10 m or 100 ft: the last digits of a barometric figure mean nothing to a passenger. */
export function formatAltitude(m: number, system: UnitSystem, lang: string): string {
  return system === 'imperial'
    ? unit(lang, 'foot', Math.round((m * FT_PER_M) / 100) * 100)
    : unit(lang, 'meter', Math.round(m / 10) * 10);
}

export function formatTemperature(c: number, system: UnitSystem, lang: string): string {
  return system === 'imperial'
    ? unit(lang, 'fahrenheit', Math.round((c * 9) / 5 + 32))
    : unit(lang, 'celsius', Math.round(c));
}

/** "2 h 5 min" / "45 min", never seconds: an ETA is not that precise. */
export function formatDuration(seconds: number, lang: string): string {
  const total = Math.max(0, Math.round(seconds / 60));
  const h = Math.floor(total / 60),
    m = total % 60;
  return h > 0 ? `${unit(lang, 'hour', h)} ${unit(lang, 'minute', m)}` : unit(lang, 'minute', m);
}

/** The wall-clock time somewhere at `at`, given that place's offset from UTC (the appliance knows the zones, offline). */
export function formatLocalTime(at: Date, utcOffsetMin: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { timeStyle: 'short', timeZone: 'UTC' }).format(
    new Date(at.getTime() + utcOffsetMin * 60_000),
  );
}

/** Seconds to the destination: from the ETA when the appliance gives one, else distance over ground speed. */
export function secondsToGo(
  p: { at: string; eta: string | null; distanceToGoM: number | null; groundSpeedMps: number },
  now: Date,
): number | null {
  if (p.eta) return Math.max(0, (Date.parse(p.eta) - now.getTime()) / 1000);
  if (p.distanceToGoM !== null && p.groundSpeedMps > 30) return p.distanceToGoM / p.groundSpeedMps;
  return null;
}
