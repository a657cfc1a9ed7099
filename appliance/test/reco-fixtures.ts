/** Catalogues and models for the recommendation tests and bench: schema-valid manifests with the fields ranking reads. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RECO_MODEL_FILE, type RecoModel, type TitleManifest, titleManifest } from '@ifec/protocol';
import type { ActiveContentLoad } from '../src/media/content-loads.ts';
import { sampleManifest } from './replication-fixtures.ts';

export interface RecoTitle {
  id: string;
  genres?: string[];
  durationS?: number;
  kind?: TitleManifest['kind'];
  rating?: TitleManifest['rating'];
  rights?: TitleManifest['rights'];
  priceTier?: TitleManifest['priceTier'];
  regions?: TitleManifest['regions'];
  series?: { id: string; season: number; episode: number };
  name?: string;
}

let n = 0;
export function recoTitle(t: RecoTitle): TitleManifest {
  const base = sampleManifest(n++);
  const kind = t.kind ?? (t.series ? 'episode' : 'movie');
  const { series: _s, album: _a, ...rest } = base;
  return titleManifest.parse({
    ...rest,
    id: t.id,
    kind,
    ...(t.series
      ? {
          series: {
            id: t.series.id,
            titles: { en: `Series ${t.series.id}` },
            season: t.series.season,
            episode: t.series.episode,
          },
        }
      : {}),
    titles: { en: t.name ?? `The ${t.id}`, fr: `Le ${t.id}` },
    genres: t.genres ?? ['drama'],
    durationS: t.durationS ?? 5400,
    rating: t.rating ?? { system: 'MPAA', value: 'PG' },
    rights: t.rights ?? 'all-devices',
    priceTier: t.priceTier ?? 'included',
    regions: t.regions ?? { allowed: ['*'], blocked: [] },
  });
}

/** An active load as the media domain hands it over, with the model written where load.json says and its sha256. */
export function activeLoadWith(dir: string, titles: TitleManifest[], model: RecoModel | undefined): ActiveContentLoad {
  fs.mkdirSync(path.join(dir, 'recommendations'), { recursive: true });
  let recommendations: ActiveContentLoad['load']['recommendations'];
  if (model) {
    const text = JSON.stringify(model);
    fs.writeFileSync(path.join(dir, RECO_MODEL_FILE), text);
    recommendations = {
      path: RECO_MODEL_FILE,
      size: Buffer.byteLength(text),
      sha256: crypto.createHash('sha256').update(text).digest('hex'),
      version: model.version,
    };
  }
  return {
    loadId: 'TEST-RECO',
    dir,
    activatedAt: new Date().toISOString(),
    titles,
    load: {
      schemaVersion: 1,
      id: 'TEST-RECO',
      cycle: '2026-12',
      airline: 'XA',
      fleet: 'A320',
      version: 1,
      createdAt: '2026-12-01T00:00:00Z',
      expiresAt: '2028-01-01T00:00:00Z',
      packages: [],
      keys: [],
      ...(recommendations ? { recommendations } : {}),
      signature: { alg: 'Ed25519', keyId: '0'.repeat(64), value: 'x' },
    },
  };
}
