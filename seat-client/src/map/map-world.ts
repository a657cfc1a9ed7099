/**
 * The world outline, offline: Natural Earth 1:110m (world-atlas) as GeoJSON for d3-geo.
 * Converted when the map opens (about 10 ms); the map chunk holds the only copy of the data.
 */
import type { FeatureCollection, MultiLineString, MultiPolygon, Polygon } from 'geojson';
import { feature, mesh } from 'topojson-client';
import countries110m from 'world-atlas/countries-110m.json';

export interface WorldShapes {
  land: FeatureCollection<Polygon | MultiPolygon>;
  borders: MultiLineString;
}

export function worldShapes(): WorldShapes {
  return {
    land: feature(countries110m, countries110m.objects.countries) as FeatureCollection<Polygon | MultiPolygon>,
    // Borders between two countries only: coastlines are drawn by the land itself.
    borders: mesh(countries110m, countries110m.objects.countries, (a, b) => a !== b),
  };
}
