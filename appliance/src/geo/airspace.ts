/**
 * Which state's airspace a point is in: land plus 12-nm territorial waters, from the bundled
 * OpenStreetMap maritime borders (`@osm_borders/maritime_10000m`, ODbL), or null over
 * international waters. Polygons are indexed by bounding box (Flatbush, a packed R-tree), so
 * a fix tests only the few polygons whose box holds it, never all 860.
 */
import { createRequire } from 'node:module';
import Flatbush from 'flatbush';

type Ring = number[][];
interface Geometry {
  type: 'Polygon' | 'MultiPolygon' | 'GeometryCollection';
  coordinates?: unknown;
  geometries?: Geometry[];
}
interface Feature {
  properties: { isoA2?: string; isoA3?: string };
  geometry: Geometry;
}

/** OSM carries no alpha-2 for some Dutch Caribbean islands. */
const ALPHA2_OF_ALPHA3: Record<string, string> = { BES: 'BQ', CUW: 'CW', SXM: 'SX' };

interface IndexedPolygon {
  region: string;
  /** Outer ring then holes, as flat [lon0, lat0, lon1, lat1, ...] arrays. */
  rings: Float64Array[];
  area: number;
}

function ringContains(ring: Float64Array, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
    const xi = ring[i]!;
    const yi = ring[i + 1]!;
    const xj = ring[j]!;
    const yj = ring[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygonsOf(geometry: Geometry): Ring[][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates as Ring[]];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as Ring[][];
  return (geometry.geometries ?? []).flatMap(polygonsOf);
}

export class AirspaceIndex {
  private readonly polygons: IndexedPolygon[] = [];
  private readonly index: Flatbush;
  readonly regions: ReadonlySet<string>;

  constructor(features: Feature[]) {
    const boxes: number[][] = [];
    for (const feature of features) {
      const a3 = feature.properties.isoA3 ?? '';
      const region = feature.properties.isoA2 ?? ALPHA2_OF_ALPHA3[a3];
      if (!region || !/^[A-Z]{2}$/.test(region)) continue;
      for (const polygon of polygonsOf(feature.geometry)) {
        const outer = polygon[0];
        if (!outer || outer.length < 4) continue;
        let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
        for (const [x, y] of outer as [number, number][]) {
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x);
          maxY = Math.max(maxY, y);
        }
        const rings = polygon.map((r) => Float64Array.from((r as [number, number][]).flat()));
        this.polygons.push({ region, rings, area: (maxX - minX) * (maxY - minY) });
        boxes.push([minX, minY, maxX, maxY]);
      }
    }
    this.index = new Flatbush(Math.max(1, boxes.length));
    for (const [minX, minY, maxX, maxY] of boxes) this.index.add(minX!, minY!, maxX!, maxY!);
    if (boxes.length === 0) this.index.add(0, 0, 0, 0);
    this.index.finish();
    this.regions = new Set(this.polygons.map((p) => p.region));
  }

  /** The bundled OSM boundaries, read once from node_modules (428 KB). */
  static bundled(): AirspaceIndex {
    const require = createRequire(import.meta.url);
    return new AirspaceIndex(
      (require('@osm_borders/maritime_10000m/borders.geo.json') as { features: Feature[] }).features,
    );
  }

  get polygonCount(): number {
    return this.polygons.length;
  }

  /** ISO 3166-1 alpha-2 of the state whose airspace holds the point, or null (international waters). */
  lookup(lat: number, lon: number): string | null {
    const candidates = this.index.search(lon, lat, lon, lat);
    if (candidates.length === 0) return null;
    // Where boxes overlap, the smaller polygon is the more specific one (an enclave inside its neighbour).
    if (candidates.length > 1) candidates.sort((a, b) => (this.polygons[a]?.area ?? 0) - (this.polygons[b]?.area ?? 0));
    for (const i of candidates) {
      // An index with no polygons holds one empty placeholder box (Flatbush needs an item).
      const p = this.polygons[i];
      if (!p) continue;
      if (!ringContains(p.rings[0]!, lon, lat)) continue;
      let inHole = false;
      for (let h = 1; h < p.rings.length && !inHole; h++) inHole = ringContains(p.rings[h]!, lon, lat);
      if (!inHole) return p.region;
    }
    return null;
  }
}

/** What the seat's about page and the README credit. */
export const BOUNDARY_CREDIT =
  'Airspace boundaries and territorial waters © OpenStreetMap contributors, ODbL (via @osm_borders/maritime_10000m)';
