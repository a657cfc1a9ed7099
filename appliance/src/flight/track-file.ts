/**
 * Recorded tracks for replay: CSV (`time,lat,lon,altitude_m,ground_speed_mps,track_deg[,vertical_speed_mps,oat_c]`,
 * time ISO 8601 or Unix seconds) or GeoJSON (a FeatureCollection of Points with a `time`
 * property and the same optional properties in camelCase). Pure: text in, points out, the
 * first bad row named in the error.
 */
import { IfecError } from '@ifec/protocol';
import type { Fix } from './fix.ts';

export class TrackFileError extends IfecError<'TRACK_FILE_INVALID'> {
  constructor(message: string) {
    super('TRACK_FILE_INVALID', message);
  }
}

/** Largest track we replay: a 20-hour flight at 1 Hz. */
export const MAX_TRACK_POINTS = 100_000;

function time(value: unknown, where: string): number {
  const t =
    typeof value === 'number'
      ? value * 1000
      : /^\d+(\.\d+)?$/.test(String(value))
        ? Number(value) * 1000
        : Date.parse(String(value));
  if (!Number.isFinite(t))
    throw new TrackFileError(`${where}: time ${String(value).slice(0, 40)} is not ISO 8601 or Unix seconds`);
  return t;
}

function optional(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function point(at: number, lat: number, lon: number, extra: Record<string, unknown>, where: string): Fix {
  if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) throw new TrackFileError(`${where}: lat/lon out of range`);
  const fix: Fix = { at, lat, lon };
  const fields: [keyof Fix, unknown][] = [
    ['altitudeM', extra.altitudeM],
    ['groundSpeedMps', extra.groundSpeedMps],
    ['trackDeg', extra.trackDeg],
    ['verticalSpeedMps', extra.verticalSpeedMps],
    ['outsideAirTempC', extra.outsideAirTempC],
    ['headingDeg', extra.headingDeg],
  ];
  for (const [key, value] of fields) {
    const n = optional(value);
    if (n !== undefined) (fix as unknown as Record<string, number>)[key] = n;
  }
  return fix;
}

const CSV_COLUMNS: Record<string, string> = {
  altitude_m: 'altitudeM',
  ground_speed_mps: 'groundSpeedMps',
  track_deg: 'trackDeg',
  vertical_speed_mps: 'verticalSpeedMps',
  oat_c: 'outsideAirTempC',
  heading_deg: 'headingDeg',
};

export function parseTrack(text: string): Fix[] {
  const trimmed = text.trimStart();
  const points = trimmed.startsWith('{') ? parseGeoJson(trimmed) : parseCsv(trimmed);
  if (points.length < 2) throw new TrackFileError('a track needs at least two points');
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.at < points[i - 1]!.at) throw new TrackFileError(`point ${i + 1}: time goes backwards`);
  }
  return points;
}

function parseCsv(text: string): Fix[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('time') < 0 || col('lat') < 0 || col('lon') < 0)
    throw new TrackFileError('CSV header must name time, lat and lon');
  if (lines.length > MAX_TRACK_POINTS) throw new TrackFileError(`more than ${MAX_TRACK_POINTS} points`);
  return lines.map((line, i) => {
    const cells = line.split(',');
    const where = `line ${i + 2}`;
    const extra: Record<string, unknown> = {};
    for (const [csv, key] of Object.entries(CSV_COLUMNS)) if (col(csv) >= 0) extra[key] = cells[col(csv)];
    return point(time(cells[col('time')], where), Number(cells[col('lat')]), Number(cells[col('lon')]), extra, where);
  });
}

function parseGeoJson(text: string): Fix[] {
  let doc: {
    type?: string;
    features?: { geometry?: { type?: string; coordinates?: number[] }; properties?: Record<string, unknown> }[];
  };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new TrackFileError('GeoJSON track is not valid JSON');
  }
  if (doc.type !== 'FeatureCollection' || !Array.isArray(doc.features))
    throw new TrackFileError('GeoJSON track must be a FeatureCollection of Points');
  if (doc.features.length > MAX_TRACK_POINTS) throw new TrackFileError(`more than ${MAX_TRACK_POINTS} points`);
  return doc.features.map((f, i) => {
    const where = `feature ${i}`;
    const c = f.geometry?.coordinates;
    if (f.geometry?.type !== 'Point' || !Array.isArray(c) || c.length < 2)
      throw new TrackFileError(`${where}: not a Point`);
    const props = f.properties ?? {};
    return point(time(props.time, where), Number(c[1]), Number(c[0]), { altitudeM: c[2], ...props }, where);
  });
}

export function trackToCsv(points: Fix[]): string {
  const r = (v: number | undefined, d: number) => (v === undefined ? '' : v.toFixed(d));
  const rows = points.map((p) =>
    [
      new Date(p.at).toISOString(),
      p.lat.toFixed(5),
      p.lon.toFixed(5),
      r(p.altitudeM, 0),
      r(p.groundSpeedMps, 1),
      r(p.trackDeg, 1),
      r(p.verticalSpeedMps, 2),
      r(p.outsideAirTempC, 1),
    ].join(','),
  );
  return `time,lat,lon,altitude_m,ground_speed_mps,track_deg,vertical_speed_mps,oat_c\n${rows.join('\n')}\n`;
}
