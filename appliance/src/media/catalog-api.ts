/**
 * The catalogue a seat or a phone shows, built from the active load's manifests in one
 * language (falling back to English, then to the title's original language, then to any).
 * Built once per load and language and kept: 850 seats asking at boarding read no disk.
 */
import type { TitleManifest } from '@ifec/protocol';
import type { ActiveContentLoad } from './content-loads.ts';
import type { LiveChannelState } from './live-channels.ts';
import type { PlaybackDevice } from './playback-policy.ts';

export interface CatalogTitle {
  id: string;
  kind: TitleManifest['kind'];
  title: string;
  synopsis: string;
  /** The language `title` and `synopsis` are in (may differ from the one asked for). */
  language: string;
  series?: { id: string; title: string; season: number; episode: number };
  album?: { id: string; title: string; artist: string; track: number };
  genres: string[];
  rating: TitleManifest['rating'];
  releaseYear?: number;
  durationS: number;
  audioLanguages: Array<{ language: string; audioDescription: boolean }>;
  subtitleLanguages: Array<{ language: string; closedCaptions: boolean }>;
  rights: TitleManifest['rights'];
  priceTier: TitleManifest['priceTier'];
  images: Array<{ role: string; width: number; height: number; format: string; url: string }>;
}

export interface Catalog {
  loadId: string | null;
  cycle: string | null;
  language: string;
  titles: CatalogTitle[];
  channels: Array<LiveChannelState & { kind: 'live' }>;
}

/** The text in `lang`, else its base language (pt for pt-BR), else English, else the original, else any. */
export function pickLanguage(texts: Record<string, string>, lang: string, original: string): { text: string; language: string } {
  const base = lang.split('-')[0]!;
  for (const candidate of [lang, base, 'en', original]) {
    if (texts[candidate]) return { text: texts[candidate]!, language: candidate };
  }
  const [language, text] = Object.entries(texts)[0]!;
  return { text, language };
}

export function catalogTitle(m: TitleManifest, lang: string): CatalogTitle {
  const title = pickLanguage(m.titles, lang, m.originalLanguage);
  const entry: CatalogTitle = {
    id: m.id,
    kind: m.kind,
    title: title.text,
    synopsis: pickLanguage(m.synopses, title.language, m.originalLanguage).text,
    language: title.language,
    genres: m.genres,
    rating: m.rating,
    durationS: m.durationS,
    audioLanguages: m.audioLanguages.map((a) => ({ language: a.language, audioDescription: a.audioDescription })),
    subtitleLanguages: m.subtitleLanguages.map((s) => ({ language: s.language, closedCaptions: s.closedCaptions })),
    rights: m.rights,
    priceTier: m.priceTier,
    // Artwork is not protected: it goes through the origin without a token.
    images: m.images.map((i) => ({ role: i.role, width: i.width, height: i.height, format: i.format, url: `/hls/${m.id}/${i.path}` })),
  };
  if (m.releaseYear !== undefined) entry.releaseYear = m.releaseYear;
  if (m.series) entry.series = { id: m.series.id, title: pickLanguage(m.series.titles, lang, m.originalLanguage).text, season: m.series.season, episode: m.series.episode };
  if (m.album) entry.album = { id: m.album.id, title: pickLanguage(m.album.titles, lang, m.originalLanguage).text, artist: m.album.artist, track: m.album.track };
  return entry;
}

export class CatalogView {
  private cache = new Map<string, CatalogTitle[]>();
  private cachedLoad: string | undefined;

  titles(active: ActiveContentLoad | undefined, lang: string, device: PlaybackDevice): CatalogTitle[] {
    if (!active) return [];
    if (this.cachedLoad !== active.loadId) {
      this.cache = new Map();
      this.cachedLoad = active.loadId;
    }
    let all = this.cache.get(lang);
    if (!all) {
      all = active.titles.map((m) => catalogTitle(m, lang));
      if (this.cache.size < 64) this.cache.set(lang, all);
    }
    // A passenger's own device never sees early-window films it could not play.
    return device === 'phone' ? all.filter((t) => t.rights !== 'seatback-only') : all;
  }
}
