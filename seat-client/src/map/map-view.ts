/**
 * Which part of the world the map shows: the whole route, a circle around the aircraft
 * (three zoom levels), or the whole world centred on the aircraft's longitude. Pure: a view
 * and a frame size in, a d3 projection out (rotated so no route is cut by the antimeridian).
 */
import { type GeoProjection, geoCircle, geoMercator, geoNaturalEarth1 } from 'd3-geo';
import { greatCircle, interpolate, type LonLat, normalizeLon } from './geo-math.ts';

export type MapViewKind = 'route' | 'aircraft' | 'world';

/** Radius shown around the aircraft at each zoom level, km (0 = widest). */
export const AIRCRAFT_ZOOM_KM = [2500, 1000, 400] as const;

export interface MapFrame {
  width: number;
  height: number;
  /** Room kept clear at the edges (labels, buttons), px. */
  margin: number;
}

export interface MapSubject {
  origin: LonLat | null;
  destination: LonLat | null;
  aircraft: LonLat | null;
  zoom: number;
}

const EARTH_KM = 6371.0088;

export function fitProjection(view: MapViewKind, frame: MapFrame, s: MapSubject): GeoProjection {
  const extent: [[number, number], [number, number]] = [
    [frame.margin, frame.margin],
    [frame.width - frame.margin, frame.height - frame.margin],
  ];
  const centre = s.aircraft ?? s.origin ?? s.destination ?? ([0, 20] as const);
  if (view === 'route' && s.origin && s.destination) {
    const mid = interpolate(s.origin, s.destination, 0.5);
    // Mercator rotated to the route's middle: north up, and the route never touches the cut at ±180°.
    const route = greatCircle(s.origin, s.destination, 64);
    const points = s.aircraft ? [...route, [s.aircraft[0], s.aircraft[1]] as [number, number]] : route;
    return geoMercator().rotate([-mid[0], 0]).fitExtent(extent, { type: 'MultiPoint', coordinates: points });
  }
  if (view === 'aircraft' || view === 'route') {
    const zoom = Math.max(0, Math.min(AIRCRAFT_ZOOM_KM.length - 1, s.zoom));
    const radiusDeg = (AIRCRAFT_ZOOM_KM[zoom]! / EARTH_KM) * (180 / Math.PI);
    // Latitudes near the poles make Mercator blow up; the circle's fit keeps the scale sane there.
    const lat = Math.max(-80, Math.min(80, centre[1]));
    const circle = geoCircle().center([centre[0], lat]).radius(radiusDeg)();
    const p = geoMercator().rotate([-centre[0], 0]).fitExtent(extent, circle);
    // Then put the aircraft itself in the middle of the frame.
    return p.center([0, lat]).translate([frame.width / 2, frame.height / 2]);
  }
  return geoNaturalEarth1()
    .rotate([-normalizeLon(centre[0]), 0])
    .fitExtent(extent, { type: 'Sphere' });
}

/**
 * Which way the aircraft symbol points on screen, degrees clockwise from up: the true track
 * projected (on a world view north is not "up" away from the centre).
 */
export function screenHeadingDeg(projection: GeoProjection, at: LonLat, trackDeg: number): number {
  const a = projection([at[0], at[1]]);
  const rad = Math.PI / 180;
  // A point 10 km ahead along the track.
  const d = 10 / EARTH_KM;
  const φ1 = at[1] * rad,
    λ1 = at[0] * rad,
    θ = trackDeg * rad;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
  const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  const b = projection([λ2 / rad, φ2 / rad]);
  if (!a || !b) return trackDeg;
  return (Math.atan2(b[0] - a[0], a[1] - b[1]) / rad + 360) % 360;
}
