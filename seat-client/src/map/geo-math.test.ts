import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  antipode,
  bearingDeg,
  distanceFromLegM,
  distanceM,
  greatCircle,
  interpolate,
  normalizeLon,
  subsolarPoint,
} from './geo-math.ts';

const LHR = [-0.4614, 51.4775] as const;
const SIN = [103.9915, 1.3502] as const;
const LAX = [-118.4081, 33.9425] as const;
const SYD = [151.1772, -33.9461] as const;

test('the great-circle distance London Heathrow -> Singapore Changi is about 10,880 km', () => {
  assert.ok(Math.abs(distanceM(LHR, SIN) / 1000 - 10_880) < 25, `${distanceM(LHR, SIN) / 1000} km`);
  assert.equal(distanceM(LHR, LHR), 0);
});

test('the initial course London -> Singapore is east-north-east and a route due north reads 0°', () => {
  const c = bearingDeg(LHR, SIN);
  assert.ok(c > 70 && c < 80, `course ${c}`);
  assert.ok(Math.abs(bearingDeg([10, 10], [10, 20])) < 1e-9);
  assert.ok(Math.abs(bearingDeg([10, 20], [10, 10]) - 180) < 1e-9);
});

test('points along the great circle start and end at the airports and split the distance evenly', () => {
  const pts = greatCircle(LHR, SIN, 10);
  assert.equal(pts.length, 11);
  assert.ok(distanceM(pts[0]!, LHR) < 1 && distanceM(pts[10]!, SIN) < 1);
  const legs = pts.slice(1).map((p, i) => distanceM(pts[i]!, p));
  for (const leg of legs) assert.ok(Math.abs(leg - legs[0]!) < 1, 'equal legs');
  // The great circle bends north of the straight line on a flat map: its midpoint is north of both ends' average latitude.
  assert.ok(interpolate(LHR, SIN, 0.5)[1] > (LHR[1] + SIN[1]) / 2);
});

test('a route across the Pacific crosses the antimeridian with longitudes kept in -180..180', () => {
  const pts = greatCircle(LAX, SYD, 20);
  assert.ok(pts.every(([lon, lat]) => lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90));
  assert.ok(pts.some(([lon]) => lon > 170) && pts.some(([lon]) => lon < -170));
  assert.equal(normalizeLon(190), -170);
  assert.equal(normalizeLon(-180), 180);
  assert.deepEqual(antipode([10, 20]), [-170, -20]);
});

test('distance from the route: abeam cities by their perpendicular, cities beyond an end by that end', () => {
  const warsaw = [21.01, 52.23] as const;
  assert.ok(distanceFromLegM(warsaw, LHR, SIN) < 50_000, 'Warsaw lies under the London-Singapore great circle');
  const tehran = [51.39, 35.69] as const;
  const d = distanceFromLegM(tehran, LHR, SIN);
  assert.ok(d > 950_000 && d < 1_150_000, `Tehran is about 1,050 km south of it (${d / 1000} km)`);
  const newYork = [-74.0, 40.7] as const;
  assert.ok(
    Math.abs(distanceFromLegM(newYork, LHR, SIN) - distanceM(newYork, LHR)) < 1,
    'behind the origin: distance to the origin',
  );
  const onRoute = interpolate(LHR, SIN, 0.3);
  assert.ok(distanceFromLegM(onRoute, LHR, SIN) < 10);
});

test('the sun is overhead near the equator at an equinox and near the tropics at the solstices', () => {
  assert.ok(Math.abs(subsolarPoint(new Date('2024-03-20T03:06:00Z'))[1]) < 0.1);
  assert.ok(Math.abs(subsolarPoint(new Date('2024-06-20T20:51:00Z'))[1] - 23.44) < 0.05);
  assert.ok(Math.abs(subsolarPoint(new Date('2024-12-21T09:20:00Z'))[1] + 23.44) < 0.05);
});

test('the subsolar longitude follows the clock and the equation of time', () => {
  // Early November the sun runs ~16.4 min ahead: at 12:00 UTC it is already ~4.1° west of Greenwich.
  const nov = subsolarPoint(new Date('2025-11-03T12:00:00Z'))[0];
  assert.ok(Math.abs(nov + 4.1) < 0.15, `${nov}`);
  // Mid-February it runs ~14.2 min behind: ~3.55° east at noon UTC.
  const feb = subsolarPoint(new Date('2025-02-11T12:00:00Z'))[0];
  assert.ok(Math.abs(feb - 3.55) < 0.15, `${feb}`);
  // Six hours later the sun is 90° further west.
  const later = subsolarPoint(new Date('2025-11-03T18:00:00Z'))[0];
  assert.ok(Math.abs(later - (nov - 90)) < 0.1);
});
