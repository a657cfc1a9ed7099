/**
 * An airport's city in the seat's language, from the bundled list (map-cities.ts) when the
 * airport is near one of its cities, else the name the appliance gave. Its own small chunk:
 * the map and the home strip both use it.
 */
import type { Airport } from '@ifec/protocol';
import { distanceM } from './geo-math.ts';
import { cityName, nearestCity } from './map-cities.ts';

/** An airport is "in" a city within this distance (Heathrow is 23 km from central London, Narita 60 km from Tokyo). */
const AIRPORT_CITY_KM = 70;

export function airportCityName(a: Pick<Airport, 'lat' | 'lon' | 'city' | 'name'>, lang: string): string {
  const city = nearestCity([a.lon, a.lat], AIRPORT_CITY_KM, distanceM);
  return city ? cityName(city, lang) : (a.city ?? a.name);
}
