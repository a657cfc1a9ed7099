/**
 * Spherical geometry the moving map needs, pure and without a library: great-circle distance
 * and bearing, points along the route, how far a city is from it, and where the sun is
 * overhead (for the day/night terminator). Coordinates are [lon, lat] in degrees, as GeoJSON.
 */
export type LonLat = readonly [number, number];

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
const rad = Math.PI / 180;

export function distanceM(a: LonLat, b: LonLat): number {
  return centralAngle(a, b) * EARTH_RADIUS_M;
}

/** The angle between two points seen from the Earth's centre, radians (haversine: exact for short legs too). */
export function centralAngle(a: LonLat, b: LonLat): number {
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial true course from a to b, degrees 0..360. */
export function bearingDeg(a: LonLat, b: LonLat): number {
  const φ1 = a[1] * rad,
    φ2 = b[1] * rad,
    Δλ = (b[0] - a[0]) * rad;
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return (Math.atan2(y, x) / rad + 360) % 360;
}

/** The point a fraction f (0..1) of the way from a to b along the great circle. */
export function interpolate(a: LonLat, b: LonLat, f: number): [number, number] {
  const δ = centralAngle(a, b);
  if (δ < 1e-12) return [a[0], a[1]];
  const A = Math.sin((1 - f) * δ) / Math.sin(δ);
  const B = Math.sin(f * δ) / Math.sin(δ);
  const [x1, y1, z1] = cartesian(a);
  const [x2, y2, z2] = cartesian(b);
  return spherical([A * x1 + B * x2, A * y1 + B * y2, A * z1 + B * z2]);
}

/** n+1 points from a to b along the great circle (both ends included). */
export function greatCircle(a: LonLat, b: LonLat, n = 64): [number, number][] {
  return Array.from({ length: n + 1 }, (_, i) => interpolate(a, b, i / n));
}

/**
 * How far p is from the great-circle leg a -> b, metres: the perpendicular distance when p
 * lies abeam the leg, otherwise the distance to the nearer end.
 */
export function distanceFromLegM(p: LonLat, a: LonLat, b: LonLat): number {
  const δ13 = centralAngle(a, p);
  const δ12 = centralAngle(a, b);
  const θ = (bearingDeg(a, p) - bearingDeg(a, b)) * rad;
  const xt = Math.asin(Math.max(-1, Math.min(1, Math.sin(δ13) * Math.sin(θ))));
  const along = Math.acos(Math.max(-1, Math.min(1, Math.cos(δ13) / Math.cos(xt))));
  const abeam = Math.cos(θ) > 0 && along <= δ12;
  return abeam ? Math.abs(xt) * EARTH_RADIUS_M : Math.min(distanceM(p, a), distanceM(p, b));
}

/**
 * Where the sun is overhead at a moment: [lon, lat]. The low-precision solar position of the
 * Astronomical Almanac (good to ~0.01° in declination, ~0.1° in longitude for 1950-2050),
 * which is far finer than a terminator drawn on a seatback map needs.
 */
export function subsolarPoint(at: Date): [number, number] {
  const n = at.getTime() / 86_400_000 + 2_440_587.5 - 2_451_545.0; // days since J2000.0
  const L = 280.46 + 0.9856474 * n; // mean longitude
  const g = (357.528 + 0.9856003 * n) * rad; // mean anomaly
  const λ = (L + 1.915 * Math.sin(g) + 0.02 * Math.sin(2 * g)) * rad; // ecliptic longitude
  const ε = (23.439 - 0.0000004 * n) * rad; // obliquity
  const declination = Math.asin(Math.sin(ε) * Math.sin(λ)) / rad;
  const rightAscension = Math.atan2(Math.cos(ε) * Math.sin(λ), Math.cos(λ)) / rad;
  const equationOfTimeDeg = normalizeLon(L - rightAscension);
  const utcHours = (at.getTime() % 86_400_000) / 3_600_000;
  return [normalizeLon((12 - utcHours) * 15 - equationOfTimeDeg), declination];
}

/** The point on the other side of the Earth (the night side's centre is the sun's antipode). */
export function antipode(p: LonLat): [number, number] {
  return [normalizeLon(p[0] + 180), -p[1]];
}

export function normalizeLon(lon: number): number {
  const x = ((((lon + 180) % 360) + 360) % 360) - 180;
  return x === -180 ? 180 : x;
}

function cartesian(p: LonLat): [number, number, number] {
  const λ = p[0] * rad,
    φ = p[1] * rad;
  return [Math.cos(φ) * Math.cos(λ), Math.cos(φ) * Math.sin(λ), Math.sin(φ)];
}

function spherical([x, y, z]: [number, number, number]): [number, number] {
  return [Math.atan2(y, x) / rad, Math.atan2(z, Math.hypot(x, y)) / rad];
}
