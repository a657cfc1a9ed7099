/**
 * Local time anywhere, offline: the zone of a point from `tz-lookup` (bundled, 176 KB), the
 * clock from Intl's time zone data. Formatters are cached per zone (creating one costs ~50 µs).
 */
import { createRequire } from 'node:module';
import type { LocalTime } from '@ifec/protocol';

const require = createRequire(import.meta.url);
const tzLookup = require('tz-lookup') as (lat: number, lon: number) => string;

export function timeZoneAt(lat: number, lon: number): string | undefined {
  try {
    return tzLookup(lat, lon);
  } catch {
    return undefined;
  }
}

export class LocalClock {
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();

  /** "14:05" in a zone and its offset from UTC; undefined for a zone this Node does not know. */
  at(tz: string, when: number): LocalTime | undefined {
    let f = this.formatters.get(tz);
    if (!f) {
      try {
        f = new Intl.DateTimeFormat('en-GB', {
          timeZone: tz,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
        });
      } catch {
        return undefined;
      }
      this.formatters.set(tz, f);
    }
    const parts = Object.fromEntries(f.formatToParts(new Date(when)).map((p) => [p.type, p.value]));
    const hour = Number(parts.hour) % 24;
    const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), hour, Number(parts.minute));
    const utcMinute = Math.floor(when / 60_000) * 60_000;
    return {
      tz,
      time: `${String(hour).padStart(2, '0')}:${parts.minute}`,
      utcOffsetMin: Math.round((wall - utcMinute) / 60_000),
    };
  }
}
