/**
 * Flight figures: the geo engine's airspace lookup on the bundled boundaries (OSM land plus
 * 12-nm territorial waters, 860 polygons), per fix and in bulk, at points along the London ->
 * Singapore route (what an aircraft asks) and at uniform points over the globe (the worst
 * case: most fall in big boxes over Russia, Canada, the oceans). For scale, the same lookups
 * testing every polygon (no index) are reported as a note.
 */
import { performance } from 'node:perf_hooks';
import { AirportDirectory } from '../appliance/src/flight/airports.ts';
import { SimulatedFlight } from '../appliance/src/flight/simulator.ts';
import { AirspaceIndex } from '../appliance/src/geo/airspace.ts';
import { type BenchGroup, median, percentile } from './harness.ts';

const RUNS = 3;
const PER_FIX_SAMPLES = 20_000;
const BULK = 200_000;

function globePoints(n: number, seed = 1): [number, number][] {
  let a = seed;
  const next = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  // Uniform on the sphere, not in lat/lon: no pile-up at the poles.
  return Array.from({ length: n }, () => [(Math.asin(2 * next() - 1) * 180) / Math.PI, next() * 360 - 180]);
}

function routePoints(n: number): [number, number][] {
  const airports = AirportDirectory.bundled();
  const flight = new SimulatedFlight(airports.find('LHR')!, airports.find('SIN')!);
  return Array.from({ length: n }, (_, i) => {
    const s = flight.sample((i / n) * flight.durationS);
    return [s.lat, s.lon];
  });
}

function perFix(index: AirspaceIndex, points: [number, number][]): number[] {
  const us: number[] = [];
  for (const [lat, lon] of points) {
    const t = process.hrtime.bigint();
    index.lookup(lat, lon);
    us.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return us;
}

function bulk(lookup: (lat: number, lon: number) => unknown, points: [number, number][]): number {
  const t = performance.now();
  for (const [lat, lon] of points) lookup(lat, lon);
  return points.length / ((performance.now() - t) / 1000);
}

export const flightGroup: BenchGroup = {
  name: 'flight',
  async run(ctx) {
    const t = performance.now();
    const index = AirspaceIndex.bundled();
    ctx.log(
      `geo: ${index.polygonCount} polygons, ${index.regions.size} regions indexed in ${Math.round(performance.now() - t)} ms`,
    );
    const route = routePoints(PER_FIX_SAMPLES);
    const globe = globePoints(PER_FIX_SAMPLES);
    // Warm up the JIT on both sets before measuring.
    perFix(index, route);
    perFix(index, globe);
    const p99Route: number[] = [];
    const p99Globe: number[] = [];
    const p50Route: number[] = [];
    const rateGlobe: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const r = perFix(index, route);
      const g = perFix(index, globe);
      p99Route.push(percentile(r, 99));
      p50Route.push(percentile(r, 50));
      p99Globe.push(percentile(g, 99));
      rateGlobe.push(bulk((lat, lon) => index.lookup(lat, lon), globePoints(BULK, run + 2)));
    }
    const round = (v: number) => Math.round(v * 100) / 100;
    ctx.record({
      id: 'geo.lookup_p99_us',
      value: round(median(p99Route)),
      unit: 'µs',
      goal: '< 100',
      note: `points along LHR-SIN; p50 ${round(median(p50Route))} µs; median of ${RUNS} runs of ${PER_FIX_SAMPLES}`,
    });
    ctx.record({
      id: 'geo.lookup_p99_us.globe',
      value: round(median(p99Globe)),
      unit: 'µs',
      goal: '< 100',
      note: `uniform points over the globe; median of ${RUNS} runs`,
    });
    // No index: the same ray casting over every polygon (what the index avoids), on fewer points.
    const brute = bruteForce(index);
    const bruteRate = bulk(brute, globePoints(2000, 99));
    ctx.record({
      id: 'geo.lookups_per_s',
      value: Math.round(median(rateGlobe)),
      unit: 'lookups/s',
      note: `uniform points over the globe, one core; without the index ${Math.round(bruteRate)} lookups/s`,
    });
  },
};

/** Every polygon for every point: reads the index's polygons through its lookup contract, box test off. */
function bruteForce(index: AirspaceIndex): (lat: number, lon: number) => string | null {
  const polygons = (index as unknown as { polygons: { region: string; rings: Float64Array[] }[] }).polygons;
  const inRing = (ring: Float64Array, x: number, y: number) => {
    let inside = false;
    for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
      const [xi, yi, xj, yj] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  return (lat, lon) => {
    for (const p of polygons)
      if (inRing(p.rings[0]!, lon, lat) && !p.rings.slice(1).some((h) => inRing(h, lon, lat))) return p.region;
    return null;
  };
}
